// The bundled login page in headless Chromium (README "The flow by hand, with
// curl" GET /login): a user signs in and the browser lands on the application's
// redirect URL with ?code=...&state=...; a wrong password shows an error and
// stays; an unknown client gets an error page. Screenshots go to
// ATM_TEST_OUTPUT.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium } from './support/chromium.mjs';

import { DEMO, OUTPUT_DIR, demoToml, pkce, postJson, startAtm, stopAll } from './support/server.mjs';

const TIMEOUT = 10000;
let atm;
let browser;
let callback;  // {url, requests: [URL]}

// The application's redirect target: a tiny server that records each hit.
function startCallbackServer() {
  return new Promise((resolve) => {
    const requests = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (url.pathname !== '/callback') {  // the browser also asks for /favicon.ico
        res.writeHead(404).end();
        return;
      }
      requests.push(url);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Signed in</title><h1>Signed in</h1>');
    });
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, requests, url: `http://127.0.0.1:${server.address().port}/callback` });
    });
  });
}

async function screenshot(page, name) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT_DIR, `login_page-${name}.png`), fullPage: true });
}

function loginUrl(params) {
  return `${atm.url}/login?${new URLSearchParams(params)}`;
}

before(async () => {
  callback = await startCallbackServer();
  atm = await startAtm({ config: demoToml({ redirectUrl: callback.url }) });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  callback?.server.close();
  await stopAll();
});

async function newPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  return page;
}

test('signing in lands on redirect_url?code=...&state=xyz, and the code exchanges', async () => {
  const p = pkce('S256');
  const page = await newPage();
  try {
    const response = await page.goto(loginUrl({ clientId: DEMO.clientId, code_challenge: p.challenge,
      code_challenge_method: 'S256', state: 'xyz' }));
    assert.equal(response.status(), 200);
    assert.match(await page.textContent('#application'), new RegExp(DEMO.name));
    await page.fill('#email', DEMO.email);
    await page.fill('#password', DEMO.password);
    await screenshot(page, 'filled');
    const before = callback.requests.length;
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(callback.url), { timeout: TIMEOUT }),
      page.click('#submit'),
    ]);
    await screenshot(page, 'redirected');
    const landed = new URL(page.url());
    assert.equal(`${landed.origin}${landed.pathname}`, callback.url);
    assert.match(landed.searchParams.get('code'), /^[A-Za-z0-9]{50}$/);
    assert.equal(landed.searchParams.get('state'), 'xyz');
    assert.equal(callback.requests.length, before + 1, 'the application received the redirect');
    assert.equal(callback.requests.at(-1).searchParams.get('code'), landed.searchParams.get('code'));

    const token = await postJson(`${atm.url}/auth/token`, {
      clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, grant_types: 'authorization_code',
      code: landed.searchParams.get('code'), code_verifier: p.verifier,
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(typeof token.body.access_token, 'string');
  } finally {
    await page.context().close();
  }
});

test('a wrong password shows the error on the page and does not navigate', async () => {
  const p = pkce('SHA512');
  const page = await newPage();
  try {
    const url = loginUrl({ clientId: DEMO.clientId, code_challenge: p.challenge, code_challenge_method: 'SHA512',
      state: 'xyz' });
    await page.goto(url);
    const before = callback.requests.length;
    await page.fill('#email', DEMO.email);
    await page.fill('#password', 'not-the-password');
    const answered = page.waitForResponse((r) => r.url() === `${atm.url}/auth`);
    await page.click('#submit');
    assert.equal((await answered).status(), 401);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(await page.textContent('#error'), /email or password is incorrect/);
    await screenshot(page, 'wrong-password');
    assert.equal(page.url(), url);
    assert.equal(callback.requests.length, before);
    assert.equal(await page.isEnabled('#submit'), true, 'the user can try again');
  } finally {
    await page.context().close();
  }
});

test('an unknown client gets an error page without a form', async () => {
  const page = await newPage();
  try {
    const response = await page.goto(loginUrl({ clientId: 'unknown-client', code_challenge: pkce().challenge,
      code_challenge_method: 'S256', state: 'xyz' }));
    assert.equal(response.status(), 400);
    await screenshot(page, 'unknown-client');
    assert.equal(new URL(page.url()).origin, atm.url, 'no redirect');
    assert.match(await page.textContent('body'), /Unknown application/);
    assert.equal(await page.$('form'), null);
  } finally {
    await page.context().close();
  }
});
