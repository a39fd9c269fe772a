// The test-control API (README "Testing against atm"), from outside: off
// (404) unless [testing] enabled or --testing; minted tokens verified by jose
// against the JWKS, and the broken ones refused; state put and reset; the
// clock moving every expiry; queued failures; the record of sign-ins and
// token requests; refusal of testing with TLS on a public address.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { DEMO, OTHER, configToml, exchange, login, pkcePair, refresh, request, runAtm, signIn, startAtm, tempDir }
  from './support/harness.mjs';

const ADMIN_PASSWORD = 'admin-password-1';
const TESTING = `[testing]
enabled = true
[tokens]
access_token_ttl = 600
refresh_token_ttl = "1d"
code_ttl = 60
[admin]
username = "admin"
password_env = "ATM_TEST_ADMIN_PASSWORD"
token_ttl = "1h"
[keys]
rotate_every = "1d"
`;
// The first application's user carries extra claims and a fixed id.
const config = (extra = TESTING) => configToml({ extra }).replace(
  `  first_name = "Alice"`, `  first_name = "Alice"\n  id = "alice-1"\n  claims = { roles = ["admin", "ops"], tenant = "t1" }`);

const servers = [];
async function start(opts = {}) {
  const atm = await startAtm({ config: config(), env: { ATM_TEST_ADMIN_PASSWORD: ADMIN_PASSWORD }, ...opts });
  servers.push(atm);
  return atm;
}
after(async () => { await Promise.all(servers.map((s) => s.stop())); });

const control = (atm, method, path, json) => request(`${atm.url}/_testing${path}`, { method, json });

describe('off by default', () => {
  test('without the switch every control route answers 404 JSON, and nothing is logged as testing', async () => {
    const atm = await start({ config: configToml() });
    for (const [method, path] of [['GET', ''], ['POST', '/tokens'], ['POST', '/reset'], ['GET', '/clock'],
      ['POST', '/clock'], ['POST', '/failures'], ['GET', '/records'], ['PUT', '/users/x']]) {
      const r = await control(atm, method, path, method === 'GET' ? undefined : {});
      assert.equal(r.status, 404, `${method} /_testing${path}`);
      assert.equal(r.data.error, 'not_found');
    }
    assert.doesNotMatch(atm.stderr(), /testing is on|warn\s+testing:/);
  });

  test('--testing turns it on, with a warning line at start', async () => {
    const atm = await start({ config: configToml(), args: ['--testing'] });
    const r = await control(atm, 'GET', '');
    assert.equal(r.status, 200);
    assert.equal(r.data.enabled, true);
    assert.match(atm.stderr(), /warn\s+testing is on: .*never turn it on in production/);
  });

  test('testing with TLS on a non-loopback address is refused at start, naming both keys', async () => {
    const dir = tempDir();
    const path = `${dir}/config.toml`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, `[server]\nhost = "0.0.0.0"\n[server.tls]\ncert_file = "${dir}/c.pem"\nkey_file = "${dir}/k.pem"\n` +
      '[testing]\nenabled = true\n');
    const r = await runAtm(['--config', path, '--port', '0', '--db', ':memory:']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /testing\.enabled.*server\.tls.*0\.0\.0\.0/);
    writeFileSync(path, `[server]\nhost = "0.0.0.0"\n[server.tls]\ncert_file = "${dir}/c.pem"\nkey_file = "${dir}/k.pem"\n`);
    const flag = await runAtm(['--config', path, '--port', '0', '--db', ':memory:', '--testing']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--testing/);
  });

  test('an application\'s login shortcuts without testing are refused at start', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/config.toml`, configToml({}).replace('redirect_url = "http://localhost:9999/callback"',
      'redirect_url = "http://localhost:9999/callback"\n  [applications.testing]\n  auto_login = "alice@example.com"'));
    const r = await runAtm(['--config', `${dir}/config.toml`, '--port', '0', '--db', ':memory:']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /applications\[0\]\.testing needs testing\.enabled = true/);
  });
});

describe('minting tokens', () => {
  let atm, jwks;
  before(async () => {
    atm = await start();
    jwks = createRemoteJWKSet(new URL(`${atm.url}/.well-known/jwks.json`));
  });
  const mint = (json) => control(atm, 'POST', '/tokens', json);

  test('for an existing user: real tokens that jose verifies, with the user\'s extra claims and a working refresh token', async () => {
    const r = await mint({ user: DEMO.email, client_id: DEMO.clientId, claims: { feature: 'beta' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const { payload } = await jwtVerify(r.data.access_token, jwks, { issuer: atm.url, audience: DEMO.clientId });
    assert.equal(payload.sub, 'alice-1');
    assert.deepEqual(payload.roles, ['admin', 'ops']);
    assert.equal(payload.feature, 'beta');
    const id = await jwtVerify(r.data.id_token, jwks, { issuer: atm.url, audience: DEMO.clientId });
    assert.equal(id.payload.email, DEMO.email);
    assert.equal(id.payload.tenant, 't1');
    // /userinfo takes the minted access token; the refresh token rotates.
    const info = await request(`${atm.url}/userinfo`, { headers: { authorization: `Bearer ${r.data.access_token}` } });
    assert.equal(info.status, 200, info.text);
    assert.deepEqual(info.data.roles, ['admin', 'ops']);
    const refreshed = await refresh(atm.url, DEMO, r.data.refresh_token);
    assert.equal(refreshed.status, 200, refreshed.text);
  });

  test('by user id, the application follows from the user', async () => {
    const r = await mint({ user: 'alice-1' });
    assert.equal(r.status, 200, r.text);
    await jwtVerify(r.data.access_token, jwks, { audience: DEMO.clientId });
  });

  test('for a free-form subject: any claims, audience and times', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await mint({ sub: 'service-42', aud: ['api-a', 'api-b'], claims: { scope: 'read write', tier: 3 },
      iat: now - 10, nbf: now - 5, exp: now + 120 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.refresh_token, undefined);
    const { payload } = await jwtVerify(r.data.access_token, jwks, { issuer: atm.url, audience: 'api-b' });
    assert.deepEqual([payload.sub, payload.scope, payload.tier, payload.iat, payload.nbf, payload.exp],
      ['service-42', 'read write', 3, now - 10, now - 5, now + 120]);
    await jwtVerify(r.data.id_token, jwks, { audience: 'api-a' });
  });

  test('the broken tokens a resource server must refuse', async () => {
    const cases = [
      ['unknown_kid', joseErrors.JWKSNoMatchingKey],
      ['bad_signature', joseErrors.JWSSignatureVerificationFailed],
      ['expired', joseErrors.JWTExpired],
      ['wrong_issuer', joseErrors.JWTClaimValidationFailed],
      ['wrong_alg', Error],
      ['none_alg', Error],
    ];
    const good = await mint({ sub: 'svc', client_id: DEMO.clientId });
    const goodKid = decodeProtectedHeader(good.data.access_token).kid;
    for (const [broken, kind] of cases) {
      const r = await mint({ sub: 'svc', client_id: DEMO.clientId, broken });
      assert.equal(r.status, 200, `${broken}: ${r.text}`);
      for (const token of [r.data.access_token, r.data.id_token]) {
        await assert.rejects(jwtVerify(token, jwks, { issuer: atm.url, audience: DEMO.clientId }), kind, broken);
      }
      const header = decodeProtectedHeader(r.data.access_token);
      if (broken === 'unknown_kid') assert.notEqual(header.kid, goodKid);
      if (broken === 'wrong_alg') assert.equal(header.alg, 'HS256');
      if (broken === 'none_alg') assert.equal(header.alg, 'none');
      // atm itself refuses them too.
      const info = await request(`${atm.url}/userinfo`, { headers: { authorization: `Bearer ${r.data.access_token}` } });
      assert.equal(info.status, 401, broken);
    }
  });

  test('bad requests get a 400 naming the field', async () => {
    for (const [body, field] of [
      [{}, /user or sub/], [{ user: 'x', sub: 'y' }, /user or sub/], [{ sub: 'x' }, /client_id or aud/],
      [{ sub: 'x', aud: 5 }, /aud/], [{ sub: 'x', aud: 'a', exp: 'soon' }, /exp/],
      [{ sub: 'x', aud: 'a', broken: 'weird' }, /broken/], [{ sub: 'x', aud: 'a', claims: [1] }, /claims/],
      [{ user: 'nobody@example.com', client_id: DEMO.clientId }, /neither a user id nor the email/],
      [{ user: DEMO.email, client_id: OTHER.clientId }, /neither a user id nor the email/],
      [{ sub: 'x', aud: 'a', color: 'red' }, /color/],
    ]) {
      const r = await mint(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.data.error, 'invalid_request');
      assert.match(r.data.error_description, field);
    }
  });
});

describe('state: put and reset', () => {
  let atm;
  before(async () => { atm = await start(); });

  test('an application and a user with fixed ids, secrets and claims; PUT again updates; reset brings back the seed', async () => {
    const app = { clientId: 'fixed-app', clientSecret: 'fixed-secret-0123456789', redirectUrl: 'http://localhost:7000/cb' };
    let r = await control(atm, 'PUT', `/applications/${app.clientId}`,
      { name: 'Fixed', client_secret: app.clientSecret, redirect_urls: [app.redirectUrl] });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.data.client_id, app.clientId);
    r = await control(atm, 'PUT', '/users/u-7', { client_id: app.clientId, email: 'carol@example.com',
      password: 'carol-password-1', first_name: 'Carol', claims: { groups: ['qa'] } });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.data.claims, { groups: ['qa'] });
    const user = { email: 'carol@example.com', password: 'carol-password-1' };
    const tokens = await signIn(atm.url, app, user);
    assert.ok(tokens.access_token);
    // PUT again: an update (name, secret, claims), not a duplicate.
    r = await control(atm, 'PUT', `/applications/${app.clientId}`, { name: 'Fixed 2', client_secret: 'other-secret-0123456789' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.name, 'Fixed 2');
    r = await control(atm, 'PUT', '/users/u-7', { claims: { groups: ['dev'] }, password: 'carol-password-2' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.data.claims, { groups: ['dev'] });
    const again = await signIn(atm.url, { ...app, clientSecret: 'other-secret-0123456789' },
      { ...user, password: 'carol-password-2' });
    assert.deepEqual(JSON.parse(Buffer.from(again.access_token.split('.')[1], 'base64url')).groups, ['dev']);
    // A seeded user changed, then the reset.
    r = await control(atm, 'PUT', '/users/alice-1', { disabled: true });
    assert.equal(r.status, 200);
    r = await control(atm, 'POST', '/reset', {});
    assert.equal(r.status, 200, r.text);
    const pkce = pkcePair();
    assert.equal((await login(atm.url, app, user, pkce)).status, 401);  // the application is gone
    assert.ok((await signIn(atm.url)).access_token);                    // alice is back, enabled
    // Tokens minted before the reset still verify: the keys are kept.
    const jwks = createRemoteJWKSet(new URL(`${atm.url}/.well-known/jwks.json`));
    await jwtVerify(tokens.access_token, jwks);
  });

  test('bad input: 400 naming the field, and nothing is created', async () => {
    for (const [path, body, field] of [
      ['/applications/new-app', { name: 'No URLs' }, 'redirect_urls'],
      ['/applications/bad id', { name: 'x', redirect_urls: ['http://localhost/cb'] }, 'client_id'],
      ['/applications/new-app', { name: 'x', redirect_urls: ['http://localhost/cb'], client_secret: 'short' }, 'client_secret'],
      ['/applications/new-app', { name: 'x', redirect_urls: ['http://localhost/cb'], testing: { robot: true } }, 'testing'],
      ['/users/new-user', { client_id: DEMO.clientId, email: 'not-an-email', password: 'long-enough-1' }, 'email'],
      ['/users/new-user', { client_id: DEMO.clientId, email: 'n@example.com', password: 'long-enough-1', claims: { sub: 'x' } }, 'claims'],
      ['/users/new-user', { client_id: 'no-such-app', email: 'n@example.com', password: 'long-enough-1' }, 'client_id'],
    ]) {
      const r = await control(atm, 'PUT', path, body);
      assert.ok(r.status === 400 || r.status === 404, `${path} ${JSON.stringify(body)}: ${r.status}`);
      assert.equal(r.data.field ?? field, field, `${path}: ${r.text}`);
    }
    const r = await control(atm, 'POST', '/tokens', { user: 'new-user' });
    assert.equal(r.status, 400);
    assert.equal((await control(atm, 'GET', '/users/x')).status, 405);
  });
});

describe('the clock', () => {
  let atm;
  before(async () => { atm = await start(); });

  test('codes, access and refresh tokens, admin tokens, throttling and key rotation all follow it', async () => {
    const jwks = createRemoteJWKSet(new URL(`${atm.url}/.well-known/jwks.json`), { cooldownDuration: 0 });
    const tokens = await signIn(atm.url);
    const kid = decodeProtectedHeader(tokens.access_token).kid;
    const pkce = pkcePair();
    const code = (await login(atm.url, DEMO, DEMO, pkce)).data.code;
    const admin = await request(`${atm.url}/admin/api/tokens`, { method: 'POST', json: { username: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(admin.status, 201, admin.text);
    // Five wrong passwords: the next sign-in is throttled.
    for (let i = 0; i < 6; i++) await login(atm.url, DEMO, { ...DEMO, password: 'wrong-password' }, pkcePair());
    assert.equal((await login(atm.url, DEMO, DEMO, pkcePair())).status, 429);

    let r = await control(atm, 'POST', '/clock', { advance: 3601 });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.data.offset, 3601);
    assert.ok(Math.abs(r.data.now - (Math.floor(Date.now() / 1000) + 3601)) <= 2);
    assert.equal((await exchange(atm.url, DEMO, code, pkce.verifier)).data.error, 'invalid_grant');  // code expired
    const info = await request(`${atm.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(info.status, 401);                                                                  // access token expired
    const adminCall = await request(`${atm.url}/admin/api/applications`, { headers: { authorization: `Bearer ${admin.data.access_token}` } });
    assert.equal(adminCall.status, 401);                                                             // admin token expired
    assert.equal((await login(atm.url, DEMO, DEMO, pkcePair())).status, 200);                        // throttle window passed
    const refreshed = await refresh(atm.url, DEMO, tokens.refresh_token);
    assert.equal(refreshed.status, 200, refreshed.text);                                             // refresh still live

    // A day later: the scheduled rotation has happened, and the refresh token has expired.
    r = await control(atm, 'POST', '/clock', { advance: 86400 });
    assert.equal(r.status, 200);
    const kids = (await request(`${atm.url}/.well-known/jwks.json`)).data.keys.map((k) => k.kid);
    assert.ok(kids.some((k) => k !== kid), `a new key after the rotation: ${kids}`);
    const fresh = await signIn(atm.url);
    assert.notEqual(decodeProtectedHeader(fresh.access_token).kid, kid);
    await jwtVerify(fresh.access_token, jwks, { currentDate: new Date(r.data.now * 1000) });
    assert.equal((await refresh(atm.url, DEMO, refreshed.data.refresh_token)).data.error, 'invalid_grant');

    // set and reset
    r = await control(atm, 'POST', '/clock', { set: 2000000000 });
    assert.equal(r.data.now, 2000000000);
    r = await control(atm, 'DELETE', '/clock');
    assert.equal(r.data.offset, 0);
    for (const body of [{}, { advance: 1, set: 1 }, { advance: 'x' }, { set: -5 }, { advance: 1e15 }]) {
      assert.equal((await control(atm, 'POST', '/clock', body)).status, 400, JSON.stringify(body));
    }
    // Advances add up, but never beyond a century from the real time.
    assert.equal((await control(atm, 'POST', '/clock', { advance: 2e9 })).status, 200);
    r = await control(atm, 'POST', '/clock', { advance: 2e9 });
    assert.equal(r.status, 400, r.text);
    assert.equal((await control(atm, 'GET', '/clock')).data.offset, 2e9);
    assert.equal((await control(atm, 'DELETE', '/clock')).data.offset, 0);
  });
});

describe('queued failures', () => {
  let atm;
  before(async () => { atm = await start(); });

  test('the next N requests of one client answer the error, other clients and later requests work', async () => {
    let r = await control(atm, 'POST', '/failures', { path: '/auth/token', client_id: DEMO.clientId, count: 2,
      error: 'invalid_grant', error_description: 'queued by the test' });
    assert.equal(r.status, 201, r.text);
    assert.equal((await control(atm, 'GET', '/failures')).data.failures[0].count, 2);
    for (let i = 0; i < 2; i++) {
      const pkce = pkcePair();
      const code = (await login(atm.url, DEMO, DEMO, pkce)).data.code;
      const t = await exchange(atm.url, DEMO, code, pkce.verifier);
      assert.equal(t.status, 400);
      assert.deepEqual(t.data, { error: 'invalid_grant', error_description: 'queued by the test' });
      assert.equal(t.headers.get('cache-control'), 'no-store');
    }
    assert.ok((await signIn(atm.url, OTHER, OTHER)).access_token);  // another client was never affected
    assert.ok((await signIn(atm.url)).access_token);                // and the queue is used up
    assert.deepEqual((await control(atm, 'GET', '/failures')).data.failures, []);
  });

  test('a status alone, a delay, and clearing the queue', async () => {
    await control(atm, 'POST', '/failures', { path: '/.well-known/openid-configuration', status: 503 });
    let r = await request(`${atm.url}/.well-known/openid-configuration`);
    assert.equal(r.status, 503);
    assert.equal(r.data.error, 'temporarily_unavailable');
    assert.equal(r.headers.get('retry-after'), '1');
    assert.equal((await request(`${atm.url}/.well-known/openid-configuration`)).status, 200);

    await control(atm, 'POST', '/failures', { path: '/.well-known/jwks.json', delay_ms: 400 });
    const started = Date.now();
    r = await request(`${atm.url}/.well-known/jwks.json`);
    assert.equal(r.status, 200);
    assert.ok(Date.now() - started >= 380, `delayed ${Date.now() - started} ms`);

    await control(atm, 'POST', '/failures', { path: '/token', error: 'server_error', count: 5 });
    assert.equal((await control(atm, 'DELETE', '/failures')).status, 200);
    assert.deepEqual((await control(atm, 'GET', '/failures')).data.failures, []);
    for (const body of [{ error: 'x' }, { path: 'token', error: 'x' }, { path: '/token' }, { path: '/token', error: 'Bad Name' },
      { path: '/token', status: 200 }, { path: '/token', delay_ms: 600000 }, { path: '/_testing/reset', error: 'x' }]) {
      assert.equal((await control(atm, 'POST', '/failures', body)).status, 400, JSON.stringify(body));
    }
  });
});

describe('the record', () => {
  let atm;
  before(async () => { atm = await start(); });

  test('sign-ins and token requests with their outcomes, never a secret; filter, clear, and a bound', async () => {
    const tokens = await signIn(atm.url);
    await login(atm.url, DEMO, { ...DEMO, password: 'wrong-password' }, pkcePair());
    await refresh(atm.url, DEMO, tokens.refresh_token);
    let r = await control(atm, 'GET', '/records');
    const summary = r.data.records.map((x) => [x.kind, x.path, x.client_id, x.outcome, x.login ?? x.grant_type ?? '']);
    assert.deepEqual(summary, [
      ['login', '/auth', DEMO.clientId, 'success', DEMO.email],
      ['token', '/auth/token', DEMO.clientId, 'success', 'authorization_code'],
      ['login', '/auth', DEMO.clientId, 'failure', DEMO.email],
      ['token', '/auth/token', DEMO.clientId, 'success', 'refresh_token'],
    ]);
    assert.equal(r.data.records[2].error, 'invalid_grant');
    for (const secret of [DEMO.password, DEMO.clientSecret, tokens.access_token, tokens.refresh_token]) {
      assert.ok(!r.text.includes(secret), 'the record holds no secret');
    }
    r = await control(atm, 'GET', '/records?kind=login');
    assert.equal(r.data.records.length, 2);
    assert.equal((await control(atm, 'GET', '/records?kind=other')).status, 400);
    await control(atm, 'DELETE', '/records');
    assert.deepEqual((await control(atm, 'GET', '/records')).data.records, []);
    // Bounded: the oldest go first.
    for (let i = 0; i < 1010; i++) {
      await request(`${atm.url}/token`, { method: 'POST', body: `grant_type=nope${i}&client_id=${DEMO.clientId}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    }
    r = await control(atm, 'GET', '/records?kind=token');
    assert.equal(r.data.records.length, 1000);
    assert.equal(r.data.records[0].status, 400);
  });
});
