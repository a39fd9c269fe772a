// The admin JSON API over real HTTP against the atm binary: authentication,
// the console cookie's flags (also under TLS), CSRF, pagination, 409s, field
// errors, and that every change is seen at once by the OAuth endpoints.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { writeFileSync } from 'node:fs';

import {
  ADMIN, adminApi, adminToken, jwtClaims, request, runCli, seedFlow, startServer, tempDir,
} from './support/admin_server.mjs';

const json = { 'content-type': 'application/json' };

// Signs in like the console: the cookie ("atm_admin=...") and the CSRF token.
async function consoleSignIn(url) {
  const r = await request(`${url}/admin/api/session`, { method: 'POST', headers: json, body: JSON.stringify(ADMIN) });
  assert.equal(r.status, 200);
  const setCookie = r.headers.get('set-cookie');
  return { setCookie, cookie: setCookie.split(';')[0], csrf: (await r.json()).csrf_token };
}

describe('admin API over HTTP', () => {
  let server, api;
  before(async () => {
    server = await startServer();
    api = adminApi(server.url, await adminToken(server.url));
  });
  after(async () => { await server?.stop(); });

  test('every admin endpoint refuses a caller without a valid credential', async () => {
    const app = (await api('POST', 'applications', { name: 'Guarded', redirect_url: 'https://g.example.com/cb' })).body;
    const endpoints = [
      ['GET', 'applications'], ['POST', 'applications'], ['GET', `applications/${app.client_id}`],
      ['PATCH', `applications/${app.client_id}`], ['DELETE', `applications/${app.client_id}`],
      ['POST', `applications/${app.client_id}/secret`], ['GET', `applications/${app.client_id}/users`],
      ['POST', `applications/${app.client_id}/users`], ['GET', 'session'],
    ];
    for (const [method, path] of endpoints) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { cookie: 'atm_admin=forged' }]) {
        const r = await request(`${server.url}/admin/api/${path}`,
          { method, headers: { ...headers, ...json }, body: method === 'GET' ? undefined : '{}' });
        assert.equal(r.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
        assert.match(r.headers.get('www-authenticate'), /^Bearer /);
        assert.equal((await r.json()).error, 'invalid_token');
      }
    }
    assert.equal((await api('GET', `applications/${app.client_id}`)).status, 200, 'nothing was deleted');
  });

  test('console sign-in sets an HttpOnly, SameSite=Strict cookie for /admin, without Secure on plain HTTP', async () => {
    const { setCookie } = await consoleSignIn(server.url);
    assert.match(setCookie, /^atm_admin=[A-Za-z0-9_-]{43};/);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    assert.match(setCookie, /; Path=\/admin/);
    assert.match(setCookie, /; Max-Age=\d+/);
    assert.doesNotMatch(setCookie, /Secure/);
    const wrong = await request(`${server.url}/admin/api/session`,
      { method: 'POST', headers: json, body: JSON.stringify({ ...ADMIN, password: 'wrong-password' }) });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
  });

  test('with the cookie, a change without the CSRF header is refused, and with it accepted', async () => {
    const { cookie, csrf } = await consoleSignIn(server.url);
    const body = JSON.stringify({ name: 'CSRF check', redirect_url: 'https://csrf.example.com/cb' });
    const read = await request(`${server.url}/admin/api/applications`, { headers: { cookie } });
    assert.equal(read.status, 200, 'reads need no CSRF token');
    for (const extra of [{}, { 'x-csrf-token': 'forged' }]) {
      const r = await request(`${server.url}/admin/api/applications`,
        { method: 'POST', headers: { ...json, cookie, ...extra }, body });
      assert.equal(r.status, 403);
      assert.equal((await r.json()).error, 'invalid_csrf_token');
    }
    // What a cross-site HTML form could send: refused before anything else.
    const form = await request(`${server.url}/admin/api/applications`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: 'name=x&redirect_url=https://x.example.com',
    });
    assert.equal(form.status, 403);
    const ok = await request(`${server.url}/admin/api/applications`,
      { method: 'POST', headers: { ...json, cookie, 'x-csrf-token': csrf }, body });
    assert.equal(ok.status, 201);
  });

  test('signing out ends the session on the server: the old cookie no longer works', async () => {
    const { cookie, csrf } = await consoleSignIn(server.url);
    const out = await request(`${server.url}/admin/api/session`,
      { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
    const replay = await request(`${server.url}/admin/api/applications`, { headers: { cookie } });
    assert.equal(replay.status, 401);
  });

  test('lists are paginated with a total', async () => {
    const fresh = await startServer();
    try {
      const a = adminApi(fresh.url, await adminToken(fresh.url));
      for (let i = 0; i < 5; i++) {
        assert.equal((await a('POST', 'applications', { name: `App ${i}`, redirect_url: 'https://p.example.com/cb' })).status, 201);
      }
      const page = (await a('GET', 'applications?offset=2&limit=2')).body;
      assert.equal(page.total, 5);
      assert.deepEqual([page.offset, page.limit, page.items.length], [2, 2, 2]);
      const last = (await a('GET', 'applications?offset=4&limit=2')).body;
      assert.equal(last.items.length, 1);
      const bad = await a('GET', 'applications?limit=1000');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.field, 'limit');
    } finally {
      await fresh.stop();
    }
  });

  test('a duplicate client_id or email is a 409, and bad values name their field', async () => {
    const created = await api('POST', 'applications',
      { name: 'Dup', client_id: 'dup-client', redirect_url: 'https://d.example.com/cb' });
    assert.equal(created.status, 201);
    const dup = await api('POST', 'applications', { name: 'Dup 2', client_id: 'dup-client', redirect_url: 'https://d.example.com/cb' });
    assert.deepEqual([dup.status, dup.body.error, dup.body.field], [409, 'conflict', 'client_id']);
    const users = 'applications/dup-client/users';
    assert.equal((await api('POST', users, { email: 'ann@example.com', password: 'password-1' })).status, 201);
    const again = await api('POST', users, { email: 'Ann@Example.com', password: 'password-1' });
    assert.deepEqual([again.status, again.body.field], [409, 'email']);
    const cases = [
      ['applications', { name: 'X', redirect_url: 'http://not-local.example.com/cb' }, 'redirect_url'],
      ['applications', { name: '', redirect_url: 'https://x.example.com/cb' }, 'name'],
      [users, { email: 'no-at-sign', password: 'password-1' }, 'email'],
      [users, { email: 'bob@example.com', password: 'short' }, 'password'],
      [users, { email: 'bob@example.com', password: 'password-1', confirm_password: 'password-2' }, 'confirm_password'],
    ];
    for (const [path, body, field] of cases) {
      const r = await api('POST', path, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error, 'invalid_request');
      assert.equal(r.body.field, field);
      assert.ok(r.body.error_description.length > 10);
    }
    for (const path of ['applications/missing', 'applications/missing/users', 'applications/dup-client/users/missing']) {
      const r = await api('GET', path);
      assert.deepEqual([r.status, r.body.error], [404, 'not_found'], path);
    }
  });

  test('web origins set with the API are answered by CORS at once; post-logout URLs are kept', async () => {
    const created = await api('POST', 'applications', {
      name: 'SPA', client_id: 'cors-spa', type: 'public', redirect_url: 'https://spa.example.com/cb',
      post_logout_redirect_urls: ['https://spa.example.com/bye'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.web_origins, []);
    assert.deepEqual(created.body.post_logout_redirect_urls, ['https://spa.example.com/bye']);
    // A token request from a page on the origin: refused (bad code), but CORS
    // tells the page so only when the application allows its origin.
    const fromPage = () => request(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:5173' },
      body: 'grant_type=authorization_code&client_id=cors-spa&code=bad&redirect_uri=https%3A%2F%2Fspa.example.com%2Fcb',
    });
    assert.equal((await fromPage()).headers.get('access-control-allow-origin'), null);
    const patched = await api('PATCH', 'applications/cors-spa', { web_origins: ['http://localhost:5173'] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.web_origins, ['http://localhost:5173']);
    assert.deepEqual(patched.body.post_logout_redirect_urls, ['https://spa.example.com/bye']);
    const allowed = await fromPage();
    assert.equal(allowed.status, 400);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.equal((await api('PATCH', 'applications/cors-spa', { web_origins: [] })).status, 200);
    assert.equal((await fromPage()).headers.get('access-control-allow-origin'), null);

    const bad = await api('PATCH', 'applications/cors-spa', { web_origins: ['http://localhost:5173/'] });
    assert.deepEqual([bad.status, bad.body.error, bad.body.field], [400, 'invalid_request', 'web_origins']);
  });

  test('device_grant is off by default, set on creation and by PATCH, and decides /device_authorization', async () => {
    const created = await api('POST', 'applications', { name: 'TV', client_id: 'api-tv', type: 'public',
      redirect_url: 'https://tv.example.com/cb' });
    assert.equal(created.body.device_grant, false);
    const start = () => request(`${server.url}/device_authorization`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=api-tv' });
    assert.equal((await start()).status, 400);
    const patched = await api('PATCH', 'applications/api-tv', { device_grant: true });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.device_grant, true);
    const started = await start();
    assert.equal(started.status, 200);
    assert.match((await started.json()).user_code, /^[B-Z]{4}-[B-Z]{4}$/);
    const made = await api('POST', 'applications', { name: 'Kiosk', client_id: 'api-kiosk',
      redirect_url: 'https://kiosk.example.com/cb', device_grant: true });
    assert.equal(made.body.device_grant, true);
    const bad = await api('PATCH', 'applications/api-tv', { device_grant: 'yes' });
    assert.deepEqual([bad.status, bad.body.field], [400, 'device_grant']);
    for (const id of ['api-tv', 'api-kiosk']) assert.equal((await api('DELETE', `applications/${id}`)).status, 204);
  });

  test('an application and user made with the API complete the seed flow at once', async () => {
    const app = (await api('POST', 'applications', { name: 'Flow', redirect_url: 'http://localhost:3000/callback' })).body;
    const user = await api('POST', `applications/${app.client_id}/users`,
      { email: 'flow@example.com', password: 'flow-password', first_name: 'Flo', last_name: 'W' });
    assert.equal(user.status, 201);
    const creds = { clientId: app.client_id, clientSecret: app.client_secret, email: 'flow@example.com', password: 'flow-password' };
    const flow = await seedFlow(server.url, creds);
    assert.equal(flow.status, 200, JSON.stringify(flow.body));
    assert.equal(flow.redirectUrl, 'http://localhost:3000/callback');
    const claims = jwtClaims(flow.body.access_token);
    assert.equal(claims.aud, app.client_id);
    assert.deepEqual(claims.scope, { email: 'flow@example.com', id: user.body.id, firstName: 'Flo', lastName: 'W' });

    // Disable: the user cannot sign in; enable: they can again.
    const userPath = `applications/${app.client_id}/users/${user.body.id}`;
    assert.equal((await api('PATCH', userPath, { disabled: true })).status, 200);
    assert.equal((await seedFlow(server.url, creds)).status, 403);
    assert.equal((await api('PATCH', userPath, { disabled: false })).status, 200);
    assert.equal((await seedFlow(server.url, creds)).status, 200);

    // A new password replaces the old one.
    assert.equal((await api('POST', `${userPath}/password`, { password: 'second-password' })).status, 204);
    assert.equal((await seedFlow(server.url, creds)).status, 401);
    assert.equal((await seedFlow(server.url, { ...creds, password: 'second-password' })).status, 200);

    // A rotated secret: the old one is refused at the token endpoint, the new one works.
    const rotated = (await api('POST', `applications/${app.client_id}/secret`)).body.client_secret;
    const old = await seedFlow(server.url, { ...creds, password: 'second-password' });
    assert.equal(old.status, 401);
    assert.equal(old.body.error, 'invalid_client');
    assert.equal((await seedFlow(server.url, { ...creds, clientSecret: rotated, password: 'second-password' })).status, 200);

    // Deleted: /login shows an error page instead of the form.
    assert.equal((await api('DELETE', `applications/${app.client_id}`)).status, 204);
    const login = await request(`${server.url}/login?clientId=${app.client_id}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    assert.equal(login.status, 400);
    assert.match(await login.text(), /Unknown application/);
  });
});

// Secure cookies need TLS: a self-signed certificate made with openssl.
const openssl = ['/usr/bin/openssl', '/bin/openssl'].find((p) => existsSync(p));
test('under TLS the session cookie is also Secure', { skip: !openssl && 'openssl is not installed' }, async () => {
  const temp = tempDir();
  const cert = join(temp.dir, 'cert.pem'), key = join(temp.dir, 'key.pem');
  execFileSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const server = await startServer({ dir: temp.dir, extra: `[server.tls]\ncert_file = "${cert}"\nkey_file = "${key}"\n` });
  try {
    assert.match(server.url, /^https:/);
    const setCookie = await new Promise((res, reject) => {
      const req = https.request(`${server.url}/admin/api/session`,
        { method: 'POST', headers: json, rejectUnauthorized: false, timeout: 10000 }, (r) => {
          r.resume();
          res(r.headers['set-cookie']?.[0] ?? '');
        });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end(JSON.stringify(ADMIN));
    });
    assert.match(setCookie, /; HttpOnly; SameSite=Strict; Secure$/);
  } finally {
    await server.stop();
    temp.cleanup();
  }
});

test('a bad [admin] section stops start-up with exit 2 and one line naming the key', async () => {
  const temp = tempDir();
  try {
    const cases = [
      ['[admin]\nusername = "ops"\n', /admin: give password_hash or password_env/],
      ['[admin]\nusername = "ops"\npassword_hash = "plain-text"\n', /admin\.password_hash: /],
      ['[admin]\nusername = "ops"\npasword_env = "X"\n', /admin\.pasword_env: unknown key/],
    ];
    for (const [toml, message] of cases) {
      const path = join(temp.dir, 'bad.toml');
      writeFileSync(path, `[server]\nport = 0\n[passwords]\nscrypt_log_n = 10\n${toml}`);
      const r = await runCli(['serve', '--config', path, '--db', ':memory:']);
      assert.equal(r.code, 2, toml);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n').filter((l) => !/ (info|warn) /.test(l));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], message);
      assert.match(lines[0], /bad\.toml/);
    }
  } finally {
    temp.cleanup();
  }
});
