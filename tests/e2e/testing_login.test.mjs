// The login page's shortcuts for test suites (README "Testing against atm"),
// in Chromium: an application with auto-login is answered with a code at
// once, by /authorize and by the ATM /login page; an application with a user
// picker shows its users instead of the password form, and a click signs one
// in. Neither works without testing, nor for an application without them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './support/chromium.mjs';
import { startCallbackServer } from './support/admin_server.mjs';
import { pkcePair, request, startAtm } from './support/harness.mjs';

const SECRET = 'shortcut-secret-0123456789';
let atm, browser, callback;

function config(cb) {
  const app = (id, shortcuts) => `
[[applications]]
name = "App ${id}"
client_id = "${id}"
client_secret = "${SECRET}"
redirect_url = "${cb}"
${shortcuts}
  [[applications.users]]
  email = "alice@example.com"
  password = "alice-password-1"
  first_name = "Alice"
  id = "${id}-alice"
  [[applications.users]]
  email = "bob@example.com"
  password = "bob-password-12"
  first_name = "Bob"
  last_name = "Builder"
  id = "${id}-bob"
`;
  return `[testing]
enabled = true
${app('auto', '  [applications.testing]\n  auto_login = "bob@example.com"')}
${app('picker', '  [applications.testing]\n  user_picker = true')}
${app('plain', '')}`;
}

before(async () => {
  callback = await startCallbackServer();
  atm = await startAtm({ config: config(callback.url) });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await atm?.stop();
  await callback?.stop();
});

function authorizeUrl(clientId, pkce, state) {
  const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: callback.url,
    scope: 'openid profile', code_challenge: pkce.challenge, code_challenge_method: 'S256', state });
  return `${atm.url}/authorize?${q}`;
}

// Redeems a code at /token; resolves to the ID token's claims.
async function redeem(clientId, code, pkce) {
  const r = await request(`${atm.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback.url,
      client_id: clientId, client_secret: SECRET, code_verifier: pkce.verifier }).toString(),
  });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(Buffer.from(r.data.id_token.split('.')[1], 'base64url'));
}

test('auto-login: /authorize and the ATM /login page go straight back with a code for the user', async () => {
  const page = await browser.newPage();
  try {
    let pkce = pkcePair();
    await page.goto(authorizeUrl('auto', pkce, 'state-1'));
    await page.waitForURL((u) => u.href.startsWith(callback.url), { timeout: 10000 });
    let back = new URL(page.url());
    assert.equal(back.searchParams.get('state'), 'state-1');
    assert.equal((await redeem('auto', back.searchParams.get('code'), pkce)).sub, 'auto-bob');

    pkce = pkcePair();
    const atmLogin = new URLSearchParams({ clientId: 'auto', code_challenge: pkce.challenge,
      code_challenge_method: 'S256', redirect_uri: callback.url, state: 'state-2' });
    await page.goto(`${atm.url}/login?${atmLogin}`);
    await page.waitForURL((u) => u.href.startsWith(callback.url), { timeout: 10000 });
    back = new URL(page.url());
    assert.equal(back.searchParams.get('state'), 'state-2');
    assert.equal((await redeem('auto', back.searchParams.get('code'), pkce)).sub, 'auto-bob');
  } finally {
    await page.close();
  }
});

test('user picker: the page lists the users instead of the form, and a click signs one in', async () => {
  const page = await browser.newPage();
  try {
    const pkce = pkcePair();
    await page.goto(authorizeUrl('picker', pkce, 'state-3'));
    await page.waitForSelector('#user-picker button.pick');
    assert.equal(await page.isVisible('#login-form'), false, 'the password form is hidden');
    const names = await page.$$eval('#user-picker button.pick', (bs) => bs.map((b) => b.innerText.replace(/\s+/g, ' ')));
    assert.deepEqual(names, ['Alice alice@example.com', 'Bob Builder bob@example.com']);
    await page.click('button.pick[data-email="bob@example.com"]');
    await page.waitForURL((u) => u.href.startsWith(callback.url), { timeout: 10000 });
    const back = new URL(page.url());
    assert.equal(back.searchParams.get('state'), 'state-3');
    const claims = await redeem('picker', back.searchParams.get('code'), pkce);
    assert.equal(claims.sub, 'picker-bob');
    assert.equal(claims.name, 'Bob Builder');
  } finally {
    await page.close();
  }
});

test('an application without shortcuts keeps the password form, and a pick without a password is refused', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(authorizeUrl('plain', pkcePair(), 's'));
    await page.waitForSelector('#login-form');
    assert.equal(await page.$('#user-picker'), null);
    assert.equal(await page.isVisible('#password'), true);
  } finally {
    await page.close();
  }
  const r = await request(`${atm.url}/auth`, { method: 'POST', json: { loginId: 'bob@example.com', clientId: 'plain',
    pick: '1', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' } });
  assert.equal(r.status, 400);
  assert.match(r.data.error_description, /password is required/);
});

test('the control API turns a picker on at runtime, and a reset turns it off again', async () => {
  let r = await request(`${atm.url}/_testing/applications/plain`, { method: 'PUT', json: { testing: { user_picker: true } } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.data.testing, { auto_login: '', user_picker: true });
  const page = await browser.newPage();
  try {
    await page.goto(authorizeUrl('plain', pkcePair(), 's'));
    await page.waitForSelector('#user-picker button.pick');
    r = await request(`${atm.url}/_testing/reset`, { method: 'POST', json: {} });
    assert.equal(r.status, 200);
    await page.goto(authorizeUrl('plain', pkcePair(), 's'));
    await page.waitForSelector('#login-form');
    assert.equal(await page.$('#user-picker'), null);
  } finally {
    await page.close();
  }
});
