// OAuth 2.0 Security BCP (RFC 9700) threats against the real binary over
// HTTP: the same claims as tests/unit/bcp_threats_test.cpp, end to end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { DEMO, OTHER, exchange, login, pkcePair, refresh, request, signIn, startAtm } from './support/harness.mjs';

let atm;
before(async () => { atm = await startAtm(); });
after(async () => { await atm?.stop(); });

test('a replayed code is refused and revokes the refresh token of its first use', async () => {
  const pkce = pkcePair();
  const { data } = await login(atm.url, DEMO, DEMO, pkce);
  const first = await exchange(atm.url, DEMO, data.code, pkce.verifier);
  assert.equal(first.status, 200);
  const replay = await exchange(atm.url, DEMO, data.code, pkce.verifier);
  assert.equal(replay.status, 400);
  assert.equal(replay.data.error, 'invalid_grant');
  const r = await refresh(atm.url, DEMO, first.data.refresh_token);
  assert.equal(r.status, 400);
  assert.equal(r.data.error, 'invalid_grant');
});

test('the code of application A is refused at application B (mix-up)', async () => {
  const pkce = pkcePair();
  const { data } = await login(atm.url, DEMO, DEMO, pkce);
  const atB = await exchange(atm.url, OTHER, data.code, pkce.verifier);
  assert.equal(atB.status, 400);
  assert.equal(atB.data.error, 'invalid_grant');
  assert.equal((await exchange(atm.url, DEMO, data.code, pkce.verifier)).status, 400, 'the code is spent');
});

test('a code is not redeemed without its verifier or with the verifier of another code', async () => {
  const p1 = pkcePair();
  const p2 = pkcePair();
  const c1 = (await login(atm.url, DEMO, DEMO, p1)).data.code;
  const noVerifier = await request(`${atm.url}/auth/token`, {
    method: 'POST',
    json: { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, grant_types: 'authorization_code', code: c1 },
  });
  assert.equal(noVerifier.status, 400);
  assert.equal(noVerifier.data.error, 'invalid_request');
  const swapped = await exchange(atm.url, DEMO, c1, p2.verifier);
  assert.equal(swapped.status, 400);
  assert.equal(swapped.data.error, 'invalid_grant');
});

test('/auth without a PKCE challenge mints no code', async () => {
  const r = await request(`${atm.url}/auth`, {
    method: 'POST',
    json: { loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId },
  });
  assert.equal(r.status, 400);
  assert.equal(r.data.error, 'invalid_request');
  assert.equal(r.data.code, undefined);
});

test('a reused refresh token revokes the whole family', async () => {
  const t1 = await signIn(atm.url);
  const t2 = (await refresh(atm.url, DEMO, t1.refresh_token)).data;
  assert.ok(t2.refresh_token);
  const reuse = await refresh(atm.url, DEMO, t1.refresh_token);
  assert.equal(reuse.status, 400);
  assert.equal(reuse.data.error, 'invalid_grant');
  assert.equal((await refresh(atm.url, DEMO, t2.refresh_token)).status, 400);
});

test('/auth refuses a redirect_uri that is not registered', async () => {
  const r = await login(atm.url, DEMO, DEMO, pkcePair(), { redirect_uri: 'https://evil.example.net/cb' });
  assert.equal(r.status, 400);
  assert.equal(r.data.error, 'invalid_request');
  assert.equal(r.data.code, undefined);
});

test('/login never redirects to anything but the registered URL', async () => {
  const { challenge } = pkcePair();
  const evil = encodeURIComponent('https://evil.example.net/cb');
  for (const query of [
    `clientId=unknown&code_challenge=${challenge}&code_challenge_method=S256&redirect_uri=${evil}`,
    `clientId=${DEMO.clientId}&code_challenge=${challenge}&code_challenge_method=S256&redirect_uri=${evil}`,
    `clientId=${DEMO.clientId}&redirect_uri=${evil}`,
  ]) {
    const r = await request(`${atm.url}/login?${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(r.headers.get('location'), null, query);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.ok(!r.text.includes('evil.example.net'), query);
  }
});
