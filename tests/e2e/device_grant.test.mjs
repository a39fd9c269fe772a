// The device authorization grant (RFC 8628) against the real binary:
// openid-client's deviceAuthorization() and poll() while a user types the
// code on atm's verification page in headless Chromium, signs in and allows
// the device; the denial, expiry and slow_down paths; codes stored hashed;
// code guesses throttled; the page's calls refused from other sites.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Issuer, custom, errors } from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { launchChromium } from './support/chromium.mjs';
import { USER, WEB_APP, oidcConfig, startServer } from './support/oidc_server.mjs';

const TV = { client_id: 'tv-app' };
const KIOSK = { client_id: 'kiosk', client_secret: 'kiosk-secret-0123456789' };
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

// interval = 1 keeps the polls quick; [testing] moves the clock for expiry.
function config({ networkFreeAttempts = 100 } = {}) {
  return `${oidcConfig(`[device]
interval = 1
[testing]
enabled = true
[throttle]
network_free_attempts = ${networkFreeAttempts}
`)}
[[applications]]
name = "Living-room TV"
client_id = "${TV.client_id}"
public = true
device_grant = true
redirect_url = "http://127.0.0.1:9/tv"
  [[applications.users]]
  email = "${USER.email}"
  password = "${USER.password}"
  first_name = "${USER.given_name}"
  last_name = "${USER.family_name}"
[[applications]]
name = "Kiosk"
client_id = "${KIOSK.client_id}"
client_secret = "${KIOSK.client_secret}"
device_grant = true
redirect_url = "http://127.0.0.1:9/kiosk"
  [[applications.users]]
  email = "${USER.email}"
  password = "${USER.password}"
`;
}

const form = (params) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});
async function post(url, init) {
  const r = await fetch(url, init);
  return { status: r.status, headers: r.headers, data: await r.json() };
}
// What the verification page sends (same-origin JSON).
const pageCall = (server, path, json, site = 'same-origin') => post(`${server.url}${path}`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'sec-fetch-site': site },
  body: JSON.stringify(json),
});

// openid-client gives up on a request after 3.5 s; a loaded CI machine running
// Chromium and an ASan build beside it can take longer.
custom.setHttpOptionsDefaults({ timeout: 15000 });

let server;
let browser;
let issuer;
before(async () => {
  server = await startServer({ config: config(), db: 'file' });
  browser = await launchChromium();
  issuer = await Issuer.discover(server.url);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// In Chromium: opens `url`, types `userCode` unless the URL carries it,
// signs in, and presses Allow or Deny. Returns the page's final title.
async function verifyInBrowser(url, { userCode, allow = true }) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    await page.goto(url);
    if (userCode) {
      await page.fill('#user-code', userCode.toLowerCase().replace('-', ' '));  // as a person might type it
      await page.click('#code-submit');
    }
    await page.waitForSelector('#login-form:not([hidden])');
    await page.fill('#email', USER.email);
    await page.fill('#password', USER.password);
    await page.click('#submit');
    await page.waitForSelector('#consent:not([hidden])');
    const shown = await page.textContent('#consent-code');
    await page.click(allow ? '#allow' : '#deny');
    await page.waitForFunction(() => document.getElementById('consent').hidden);
    return { title: await page.textContent('#title'), shown };
  } finally {
    await context.close();
  }
}

describe('with openid-client and the verification page', () => {
  test('discovery advertises the device authorization endpoint and grant', () => {
    assert.equal(issuer.device_authorization_endpoint, `${server.url}/device_authorization`);
    assert.ok(issuer.grant_types_supported.includes(DEVICE_GRANT));
  });

  test('a public TV app: the user types the code, signs in and allows; poll() gets tokens that verify and refresh',
    async () => {
      const client = new issuer.Client({ client_id: TV.client_id, token_endpoint_auth_method: 'none' });
      const handle = await client.deviceAuthorization({ scope: 'openid email profile' });
      assert.match(handle.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      assert.equal(handle.verification_uri, `${server.url}/device`);
      assert.equal(handle.verification_uri_complete, `${server.url}/device?user_code=${handle.user_code}`);
      assert.ok(handle.expires_in > 590 && handle.expires_in <= 600);
      const polled = handle.poll();
      const page = await verifyInBrowser(handle.verification_uri, { userCode: handle.user_code });
      assert.equal(page.title, 'Device connected');
      assert.equal(page.shown, handle.user_code);
      const tokens = await polled;
      const claims = tokens.claims();
      assert.equal(claims.email, USER.email);
      assert.equal(claims.aud, TV.client_id);
      const jwks = createRemoteJWKSet(new URL(issuer.jwks_uri));
      const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.url, audience: TV.client_id });
      assert.equal(payload.scope.email, USER.email);
      const info = await client.userinfo(tokens.access_token);
      assert.equal(info.email, USER.email);
      const refreshed = await client.refresh(tokens.refresh_token);
      assert.ok(refreshed.access_token);
      // The device code is spent: another poll is invalid_grant.
      const again = await post(`${server.url}/token`, form({ grant_type: DEVICE_GRANT, client_id: TV.client_id,
        device_code: handle.device_code }));
      assert.equal(again.status, 400);
      assert.equal(again.data.error, 'invalid_grant');
    });

  test('a confidential kiosk: the complete URI carries the code; a denial makes poll() fail with access_denied',
    async () => {
      const client = new issuer.Client({ client_id: KIOSK.client_id, client_secret: KIOSK.client_secret });
      const handle = await client.deviceAuthorization({ scope: 'openid' });
      const polled = handle.poll().then(() => null, (e) => e);
      const page = await verifyInBrowser(handle.verification_uri_complete, { allow: false });
      assert.equal(page.title, 'Device denied');
      const error = await polled;
      assert.ok(error instanceof errors.OPError, String(error));
      assert.equal(error.error, 'access_denied');
    });
});

describe('the token endpoint', () => {
  const start = (params = { client_id: TV.client_id, scope: 'openid' }) =>
    post(`${server.url}/device_authorization`, form(params));
  const poll = (deviceCode, clientId = TV.client_id) =>
    post(`${server.url}/token`, form({ grant_type: DEVICE_GRANT, client_id: clientId, device_code: deviceCode }));

  test('authorization_pending, then slow_down for a poll inside the interval, which grows by 5 s', async () => {
    const started = await start();
    assert.equal(started.status, 200);
    assert.equal(started.headers.get('cache-control'), 'no-store');
    assert.equal(started.data.interval, 1);
    let r = await poll(started.data.device_code);
    assert.equal(r.status, 400);
    assert.equal(r.data.error, 'authorization_pending');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    r = await poll(started.data.device_code);
    assert.equal(r.data.error, 'slow_down');
    assert.match(r.data.error_description, /wait 6 s/);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    r = await poll(started.data.device_code);
    assert.equal(r.data.error, 'slow_down', 'two seconds is inside the 6 s interval now');
    // Another application cannot poll it.
    r = await post(`${server.url}/token`, {
      ...form({ grant_type: DEVICE_GRANT, device_code: started.data.device_code }),
      headers: { 'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${KIOSK.client_id}:${KIOSK.client_secret}`).toString('base64')}` },
    });
    assert.equal(r.data.error, 'invalid_grant');
  });

  test('expired_token after expires_in, and the page no longer takes the code', async () => {
    const started = await start();
    const moved = await post(`${server.url}/_testing/clock`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: 601 }) });
    assert.equal(moved.status, 200);
    try {
      const r = await poll(started.data.device_code);
      assert.equal(r.status, 400);
      assert.equal(r.data.error, 'expired_token');
      const page = await pageCall(server, '/device/code', { user_code: started.data.user_code });
      assert.equal(page.status, 400);
      assert.match(page.data.error_description, /not valid or has expired/);
    } finally {
      await fetch(`${server.url}/_testing/clock`, { method: 'DELETE' });
    }
  });

  test('the test-control API switches the grant on an application it puts', async () => {
    const put = (json) => post(`${server.url}/_testing/applications/put-tv`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
    let r = await put({ name: 'Put TV', public: true, redirect_urls: ['http://127.0.0.1:9/put'] });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    assert.equal((await start({ client_id: 'put-tv' })).data.error, 'unauthorized_client');
    r = await put({ device_grant: true });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    const started = await start({ client_id: 'put-tv' });
    assert.equal(started.status, 200);
    assert.match(started.data.user_code, /^[B-Z]{4}-[B-Z]{4}$/);
  });

  test('applications without the grant, unknown scopes and bad client credentials are refused', async () => {
    let r = await start({ client_id: WEB_APP.client_id, client_secret: WEB_APP.client_secret });
    assert.equal(r.status, 400);
    assert.equal(r.data.error, 'unauthorized_client');
    r = await start({ client_id: TV.client_id, scope: 'openid admin' });
    assert.equal(r.data.error, 'invalid_scope');
    r = await start({ client_id: KIOSK.client_id, client_secret: 'wrong-secret-0123456789' });
    assert.equal(r.status, 401);
    assert.equal(r.data.error, 'invalid_client');
    r = await start({ client_id: KIOSK.client_id });
    assert.equal(r.status, 401);
    r = await poll('', TV.client_id);
    assert.equal(r.data.error, 'invalid_request');
    r = await post(`${server.url}/device_authorization`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 415);
  });
});

describe('the verification page', () => {
  test('its calls answer atm\'s own page only, and a decision needs the sign-in\'s ticket', async () => {
    const started = (await post(`${server.url}/device_authorization`, form({ client_id: TV.client_id }))).data;
    let r = await pageCall(server, '/device/code', { user_code: started.user_code }, 'cross-site');
    assert.equal(r.status, 403);
    r = await pageCall(server, '/device/code', { user_code: started.user_code });
    assert.equal(r.status, 200);
    assert.equal(r.data.application, 'Living-room TV');
    r = await pageCall(server, '/device/decide', { user_code: started.user_code, ticket: 'guessed', decision: 'allow' });
    assert.equal(r.status, 400);
    r = await pageCall(server, '/device/signin', { user_code: started.user_code, loginId: USER.email,
      password: 'wrong-password' });
    assert.equal(r.status, 401);
    r = await pageCall(server, '/device/signin', { user_code: started.user_code, loginId: USER.email,
      password: USER.password });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    r = await pageCall(server, '/device/decide', { user_code: started.user_code, ticket: r.data.ticket,
      decision: 'maybe' });
    assert.equal(r.data.error, 'invalid_request');
  });

  test('device and user codes are stored only as hashes', async () => {
    const started = (await post(`${server.url}/device_authorization`, form({ client_id: TV.client_id }))).data;
    const files = ['atm.db', 'atm.db-wal'].map((f) => path.join(server.dir, f)).filter(existsSync);
    assert.ok(files.length > 0);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    assert.ok(bytes.includes(Buffer.from('Living-room TV')), 'the database files hold the data');
    for (const secret of [started.device_code, started.user_code, started.user_code.replace('-', '')]) {
      assert.ok(!bytes.includes(Buffer.from(secret)), `${secret} is not stored`);
    }
  });
});

describe('guessing user codes', () => {
  test('wrong codes from one network are throttled like sign-ins (429 with Retry-After)', async () => {
    const guarded = await startServer({ config: config({ networkFreeAttempts: 3 }) });
    try {
      const statuses = [];
      let last;
      for (let i = 0; i < 5; i++) {
        last = await pageCall(guarded, '/device/code', { user_code: `BCDF-GHJ${'KLMNP'[i]}` });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses.slice(0, 3), [400, 400, 400]);
      assert.equal(statuses[4], 429, statuses.join(','));
      assert.equal(last.data.error, 'temporarily_unavailable');
      assert.match(last.headers.get('retry-after'), /^\d+$/);
    } finally {
      await guarded.stop();
    }
  });
});
