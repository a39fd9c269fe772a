// A user's suite arranging its scenarios through the control API: applications
// and users put at run time, injected failures and delays, reset.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AtmError, startAtm } from '../../../helpers/node/atm.mjs';

let atm;
before(async () => {
  atm = await startAtm();   // the default config: one application, one user
});
after(() => atm.stop());

test('the control API is on', async () => {
  assert.equal((await atm.status()).enabled, true);
});

test('an application and a user put at run time can sign in; reset takes them away', async () => {
  const created = await atm.putApplication('late-app', {
    name: 'Late App', client_secret: 'late-app-secret-0123456789abcdef', redirect_urls: ['http://localhost:4000/cb'],
  });
  assert.equal(created.client_id ?? 'late-app', 'late-app');
  const updated = await atm.putApplication('late-app', {
    name: 'Late App 2', client_secret: 'late-app-secret-0123456789abcdef', redirect_urls: ['http://localhost:4000/cb'],
  });
  assert.equal(updated.name, 'Late App 2');
  await atm.putUser('late-user-00000000001', {
    client_id: 'late-app', email: 'late@example.com', password: 'late-password', first_name: 'Late',
  });
  const creds = { clientId: 'late-app', clientSecret: 'late-app-secret-0123456789abcdef', email: 'late@example.com',
    password: 'late-password' };
  const tokens = await atm.signIn(creds);
  assert.ok(tokens.access_token);

  // The seed's application and user are untouched, and come back alone after a reset.
  await atm.signIn();
  await atm.reset();
  await assert.rejects(atm.signIn(creds), AtmError);
  await atm.signIn();
});

test('putApplication answers 201 then 200 (seen through request())', async () => {
  const body = { name: 'Twice', public: true, redirect_urls: ['http://localhost:4001/cb'] };
  assert.equal((await atm.request('PUT', '/_testing/applications/twice-app', body)).status, 201);
  assert.equal((await atm.request('PUT', '/_testing/applications/twice-app', body)).status, 200);
});

test('a disabled user put at run time is refused', async () => {
  await atm.putUser('disabled-user-0000001', {
    client_id: atm.app.client_id, email: 'off@example.com', password: 'off-password', disabled: true,
  });
  const err = await atm.signIn({ email: 'off@example.com', password: 'off-password' }).catch((e) => e);
  assert.equal(err.status, 403);
});

test('failNext: the next request fails with the given error, then the endpoint works again', async () => {
  await atm.failNext({ path: '/auth/token', status: 503, error: 'temporarily_unavailable',
    error_description: 'injected by the test' });
  const pending = await atm.failures();
  assert.deepEqual(pending.map((f) => [f.path, f.count, f.status]), [['/auth/token', 1, 503]]);
  const err = await atm.signIn().catch((e) => e);
  assert.ok(err instanceof AtmError, String(err));
  assert.equal(err.status, 503);
  assert.equal(err.body.error, 'temporarily_unavailable');
  assert.equal(err.body.error_description, 'injected by the test');
  assert.ok((await atm.signIn()).access_token);
});

test('failNext with count and client_id: only that client fails, that many times', async () => {
  await atm.putApplication('other-app', { name: 'Other', public: true, redirect_urls: ['http://localhost:4002/cb'] });
  await atm.putUser('other-user-0000000001', { client_id: 'other-app', email: 'o@example.com', password: 'o-password' });
  await atm.failNext({ path: '/auth', count: 2, client_id: atm.app.client_id, status: 400, error: 'invalid_request' });
  const other = { clientId: 'other-app', email: 'o@example.com', password: 'o-password' };
  assert.ok((await atm.signIn(other)).access_token);
  for (let i = 0; i < 2; i++) assert.equal((await atm.signIn().catch((e) => e)).status, 400);
  assert.ok((await atm.signIn()).access_token);
});

test('failNext with delay_ms slows the next request down', async () => {
  await atm.failNext({ path: '/.well-known/jwks.json', delay_ms: 400 });
  const t0 = performance.now();
  const res = await atm.request('GET', '/.well-known/jwks.json');
  assert.equal(res.status, 200);
  assert.ok(performance.now() - t0 >= 380, `took ${performance.now() - t0} ms`);
});

test('clearFailures drops what is pending', async () => {
  await atm.failNext({ path: '/auth/token', status: 500, error: 'server_error' });
  await atm.clearFailures();
  assert.deepEqual(await atm.failures(), []);
  assert.ok((await atm.signIn()).access_token);
});

test('an invalid control request is an AtmError naming the problem', async () => {
  const err = await atm.failNext({ count: 1 }).catch((e) => e);   // no path
  assert.ok(err instanceof AtmError, String(err));
  assert.equal(err.status, 400);
  assert.equal(err.body.error, 'invalid_request');
  assert.equal(typeof err.body.error_description, 'string');
});

test('with testing: false the control API answers 404 on every route', async () => {
  const off = await startAtm({ testing: false });
  try {
    for (const [method, path] of [['GET', '/_testing'], ['POST', '/_testing/tokens'], ['POST', '/_testing/reset'],
      ['GET', '/_testing/clock'], ['GET', '/_testing/records']]) {
      assert.equal((await off.request(method, path, method === 'POST' ? {} : undefined)).status, 404, path);
    }
    await assert.rejects(off.status(), { status: 404 });
    assert.ok((await off.signIn()).access_token);   // the rest works as ever
  } finally {
    await off.stop();
  }
});
