// Credentials over HTTP: no user enumeration, and brute-force throttling per
// account and client address that cannot lock the owner out. Distinct client
// addresses are real: the requests leave from 127.0.0.x source addresses.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { DEMO, OTHER, configToml, pkcePair, sleep, startAtm } from './support/harness.mjs';

let atm;
before(async () => {
  atm = await startAtm({
    config: configToml({
      extra: '[throttle]\nfree_attempts = 3\nmax_delay = "2s"\naccount_free_attempts = 10\naccount_max_delay = "2s"\n',
    }),
  });
});
after(async () => { await atm?.stop(); });

// POST /auth from the source address `from`.
function loginFrom(from, app, email, password) {
  const { challenge } = pkcePair();
  const body = JSON.stringify({
    loginId: email, password, clientId: app.clientId, code_challenge: challenge, code_challenge_method: 'S256',
  });
  return new Promise((resolve, reject) => {
    const req = http.request(`${atm.url}/auth`, {
      method: 'POST',
      localAddress: from,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      timeout: 15000,
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text, data: JSON.parse(text) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

test('an unknown email and a wrong password get the same answer', async () => {
  const wrong = await loginFrom('127.0.0.1', DEMO, DEMO.email, 'not-the-password');
  const unknown = await loginFrom('127.0.0.1', DEMO, 'nobody@example.com', DEMO.password);
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, wrong.status);
  assert.equal(unknown.text, wrong.text);
});

test('repeated wrong passwords get 429 with Retry-After, then the wait ends', async () => {
  for (let i = 0; i < 3; i++) {
    assert.equal((await loginFrom('127.0.0.2', DEMO, DEMO.email, `wrong-${i}`)).status, 401);
  }
  const throttled = await loginFrom('127.0.0.2', DEMO, DEMO.email, DEMO.password);
  assert.equal(throttled.status, 429);
  assert.equal(throttled.headers['retry-after'], '1');
  assert.equal(throttled.headers['cache-control'], 'no-store');
  assert.equal(throttled.data.error, 'temporarily_unavailable');
  assert.match(throttled.data.error_description, /try again in 1 s/);
  // The same account from another address is not held up.
  assert.equal((await loginFrom('127.0.0.5', DEMO, DEMO.email, DEMO.password)).status, 200);
  await sleep(1100);
  assert.equal((await loginFrom('127.0.0.2', DEMO, DEMO.email, DEMO.password)).status, 200);
});

test('an attacker hammering an account cannot lock its owner out', async () => {
  assert.equal((await loginFrom('127.0.0.3', OTHER, OTHER.email, OTHER.password)).status, 200);
  const statuses = new Set();
  for (let i = 0; i < 40; i++) {
    const from = `127.0.1.${i % 8}`;
    statuses.add((await loginFrom(from, OTHER, OTHER.email, `guess-${i}`)).status);
  }
  assert.ok(statuses.has(429), 'the attacker is throttled');
  const owner = await loginFrom('127.0.0.3', OTHER, OTHER.email, OTHER.password);
  assert.equal(owner.status, 200, 'the owner signs in at once from the address it used before');
});

test('many parallel sign-ins of one user from one address are not throttled', async () => {
  const results = await Promise.all(Array.from({ length: 24 }, () => loginFrom('127.0.0.6', DEMO, DEMO.email, DEMO.password)));
  assert.deepEqual(results.map((r) => r.status), Array(24).fill(200));
});
