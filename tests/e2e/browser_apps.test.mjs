// Browser apps against atm, in headless Chromium with web security on (real
// CORS): oidc-client-ts 3.5 as an SPA on its own origin (discovery, login typed
// on atm's page, callback, userinfo, silent renew with a refresh token and with
// prompt=none in an iframe, revocation, sign-out back to the app); a plain
// fetch SPA on the ATM API (/auth, /auth/token); a page on an origin no
// application allows, refused by the browser; and atm's pages load with no
// console error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './support/chromium.mjs';

import { DEMO, demoApplicationToml, startAtm, stopAll } from './support/server.mjs';

const TIMEOUT = 15000;
const OIDC_CLIENT = readFileSync(
  fileURLToPath(new URL('./node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js', import.meta.url)), 'utf8');

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// A static web app on 127.0.0.1, reached as http://localhost:port: the
// oidc-client-ts bundle at /oidc-client-ts.js, and `page` at every other path
// (the app reads location itself). `page` takes the app's origin.
async function serveApp(page) {
  const app = { server: http.createServer() };
  await new Promise((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  app.origin = `http://localhost:${app.server.address().port}`;
  const html = page(app.origin);
  app.server.on('request', (req, res) => {
    if (req.url === '/oidc-client-ts.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return res.end(OIDC_CLIENT);
    }
    if (req.url === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(html);
  });
  return app;
}

// The oidc-client-ts SPA: window.mgr, and the outcome of a callback page in
// window.outcome.
function spaPage(atmUrl, origin) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>SPA</title>
<script src="/oidc-client-ts.js"></script></head><body><p id="status">SPA</p><script>
window.mgr = new oidc.UserManager({
  authority: ${JSON.stringify(atmUrl)},
  client_id: 'spa-app',
  redirect_uri: ${JSON.stringify(origin + '/callback')},
  silent_redirect_uri: ${JSON.stringify(origin + '/silent')},
  post_logout_redirect_uri: ${JSON.stringify(origin + '/')},
  response_type: 'code',
  scope: 'openid profile email',
  loadUserInfo: true,
  automaticSilentRenew: false,
  userStore: new oidc.WebStorageStateStore({ store: window.localStorage }),
});
window.outcome = null;
if (location.pathname === '/callback') {
  mgr.signinRedirectCallback().then(
    (u) => { window.outcome = { ok: true, profile: u.profile, refresh: Boolean(u.refresh_token) }; },
    (e) => { window.outcome = { ok: false, error: String(e) }; });
} else if (location.pathname === '/silent') {
  mgr.signinSilentCallback();
}
</script></body></html>`;
}

// A plain fetch SPA that uses the ATM API from its own origin.
function fetchPage(atmUrl) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>ATM API app</title></head><body><script>
window.run = async (clientId, verifier, challenge) => {
  const login = await fetch(${JSON.stringify(atmUrl)} + '/auth', { method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ loginId: ${JSON.stringify(DEMO.email)}, password: ${JSON.stringify(DEMO.password)},
      clientId, code_challenge: challenge, code_challenge_method: 'S256' }) });
  const { code } = await login.json();
  const token = await fetch(${JSON.stringify(atmUrl)} + '/auth/token', { method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ clientId, grant_types: 'authorization_code', code, code_verifier: verifier }) });
  const replay = await fetch(${JSON.stringify(atmUrl)} + '/auth/token', { method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ clientId, grant_types: 'authorization_code', code, code_verifier: verifier }) });
  return { login: login.status, token: token.status, body: await token.json(), replay: await replay.json() };
};
</script></body></html>`;
}

let atm;
let atmUrl;
let spa;
let plain;
let stranger;
let browser;

before(async () => {
  const port = await freePort();
  atmUrl = `http://localhost:${port}`;
  // Both origins on localhost: one site, so the session cookie (SameSite=Lax)
  // goes with the silent-renew iframe, as on app.example.com / id.example.com.
  spa = await serveApp((origin) => spaPage(atmUrl, origin));
  plain = await serveApp(() => fetchPage(atmUrl));
  stranger = await serveApp(() => fetchPage(atmUrl));
  const config = `[server]
host = "127.0.0.1"
public_url = "${atmUrl}"

[passwords]
scrypt_log_n = 10

[[applications]]
name          = "SPA"
client_id     = "spa-app"
public        = true
redirect_urls = ["${spa.origin}/callback", "${spa.origin}/silent", "${spa.origin}/"]

  [[applications.users]]
  email      = "${DEMO.email}"
  password   = "${DEMO.password}"
  first_name = "${DEMO.firstName}"
  last_name  = "${DEMO.lastName}"

[[applications]]
name          = "ATM API app"
client_id     = "PlainFetchApp0000001"
public        = true
redirect_url  = "${plain.origin}/callback"

  [[applications.users]]
  email      = "${DEMO.email}"
  password   = "${DEMO.password}"
  first_name = "${DEMO.firstName}"
  last_name  = "${DEMO.lastName}"
`;
  atm = await startAtm({ config, port });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const app of [spa, plain, stranger]) app?.server.close();
  await stopAll();
});

async function newPage(context) {
  const page = await (context ?? await browser.newContext()).newPage();
  page.setDefaultTimeout(TIMEOUT);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { page, problems };
}

function pkce() {
  const verifier = 'v'.repeat(43);
  return import('node:crypto').then(({ createHash }) => ({
    verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }));
}

test('oidc-client-ts: login, profile, refresh, prompt=none renew, revoke and sign-out, across origins', async () => {
  const context = await browser.newContext();
  const { page } = await newPage(context);
  await page.goto(`${spa.origin}/`);
  await page.evaluate(() => { window.mgr.signinRedirect(); });
  await page.waitForURL((u) => u.href.startsWith(`${atmUrl}/login?`));
  await page.fill('#email', DEMO.email);
  await page.fill('#password', DEMO.password);
  await page.click('#submit');
  await page.waitForURL((u) => u.href.startsWith(`${spa.origin}/callback`));
  await page.waitForFunction(() => window.outcome !== null);
  const outcome = await page.evaluate(() => window.outcome);
  assert.equal(outcome.ok, true, outcome.error);
  assert.equal(outcome.profile.email, DEMO.email);       // from /userinfo, read across origins
  assert.equal(outcome.profile.given_name, DEMO.firstName);
  assert.equal(outcome.refresh, true);

  // Silent renew with the refresh token (POST /token from the SPA's origin).
  const renewed = await page.evaluate(async () => {
    const before = await window.mgr.getUser();
    const after = await window.mgr.signinSilent();
    return { changed: before.access_token !== after.access_token, rotated: before.refresh_token !== after.refresh_token };
  });
  assert.deepEqual(renewed, { changed: true, rotated: true });

  // Silent renew with prompt=none in an iframe: no refresh token, the atm session answers.
  const iframe = await page.evaluate(async () => {
    const user = await window.mgr.getUser();
    const before = user.access_token;
    user.refresh_token = undefined;
    await window.mgr.storeUser(user);
    try {
      const after = await window.mgr.signinSilent();
      return { ok: true, changed: after.access_token !== before, email: after.profile.email };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  });
  assert.equal(iframe.ok, true, iframe.error);
  assert.equal(iframe.changed, true);
  assert.equal(iframe.email, DEMO.email);

  // Revocation from the browser (POST /revoke across origins).
  const refreshToken = await page.evaluate(async () => (await window.mgr.getUser()).refresh_token);
  assert.ok(refreshToken);
  const revoked = await page.evaluate(async () => {
    try {
      await window.mgr.revokeTokens(['refresh_token']);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  });
  assert.equal(revoked.ok, true, revoked.error);
  const reuse = await fetch(`${atmUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'spa-app' }),
  });
  assert.equal(reuse.status, 400);
  assert.equal((await reuse.json()).error, 'invalid_grant');

  // Sign-out back to the app; afterwards prompt=none finds no session.
  await page.evaluate(() => { window.mgr.signoutRedirect({ state: 'bye' }); });
  await page.waitForURL((u) => u.href.startsWith(`${spa.origin}/?state=`));
  const afterLogout = await page.evaluate(async () => {
    await window.mgr.removeUser();
    try {
      await window.mgr.signinSilent();
      return 'signed in';
    } catch (e) {
      return String(e);
    }
  });
  assert.match(afterLogout, /login_required|sign in/i);
  await context.close();
});

test('a plain fetch SPA on another origin uses the ATM API (/auth, /auth/token) and reads its errors', async () => {
  const { page } = await newPage();
  await page.goto(`${plain.origin}/`);
  const { verifier, challenge } = await pkce();
  const r = await page.evaluate(([v, c]) => window.run('PlainFetchApp0000001', v, c), [verifier, challenge]);
  assert.equal(r.login, 200);
  assert.equal(r.token, 200);
  assert.ok(r.body.access_token && r.body.id_token && r.body.refresh_token);
  assert.equal(r.replay.error, 'invalid_grant');  // an error the app can read
});

test('a page on an origin no application allows is refused by the browser', async () => {
  const { page } = await newPage();
  await page.goto(`${stranger.origin}/`);
  const { verifier, challenge } = await pkce();
  const r = await page.evaluate(async ([v, c]) => {
    try {
      await window.run('PlainFetchApp0000001', v, c);
      return 'allowed';
    } catch (e) {
      return String(e);
    }
  }, [verifier, challenge]);
  assert.match(r, /Failed to fetch/);
});

test("atm's login, sign-out and error pages load with no console error and no failed resource", async () => {
  const { page, problems } = await newPage();
  const failed = [];
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${atmUrl}/login?clientId=spa-app&code_challenge=${'A'.repeat(43)}&code_challenge_method=S256`);
  await page.waitForSelector('#email');
  await page.goto(`${atmUrl}/logout?client_id=spa-app`);
  await page.waitForSelector('#logout-form');
  await page.click('#submit');
  await page.waitForSelector('#signed-out');
  assert.deepEqual(problems, []);
  // An error page is itself a 4xx (which Chromium reports); its resources are not.
  await page.goto(`${atmUrl}/authorize?client_id=nope`);
  await page.waitForSelector('#error-title');
  assert.deepEqual(failed, []);
});
