// A user's suite testing its resource server: tokens minted by the control API,
// good ones and broken ones, verified against atm's JWKS.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { AtmError, decodeJwt, startAtm } from '../../../helpers/node/atm.mjs';
import { verifyJwt } from './jwt.mjs';

let atm;
before(async () => {
  atm = await startAtm({
    config: {
      applications: [{
        name: 'API client', client_id: 'api-client', redirect_urls: ['http://localhost:3000/callback'],
        users: [{ id: 'user-ann-000000000001', email: 'ann@example.com', first_name: 'Ann',
          claims: { role: 'admin', 'https://example.com/tenant': 'acme' } }],
      }],
    },
  });
});
after(() => atm.stop());
beforeEach(() => atm.reset());

test('a token for an existing user verifies, carries its claims, and its refresh token works', async () => {
  const minted = await atm.mintToken({ client_id: 'api-client', user: 'ann@example.com', claims: { plan: 'pro' } });
  assert.equal(minted.token_type, 'Bearer');
  assert.ok(minted.expires_in > 0);
  const access = await verifyJwt(minted.access_token, atm.urls.jwks);
  assert.equal(access.sub, 'user-ann-000000000001');
  assert.equal(access.aud, 'api-client');
  assert.equal(access.plan, 'pro');
  const id = await verifyJwt(minted.id_token, atm.urls.jwks);
  assert.equal(id.email, 'ann@example.com');
  assert.ok(minted.refresh_token);
  const refreshed = await atm.request('POST', '/auth/token', {
    clientId: 'api-client', clientSecret: atm.app.client_secret, grantType: 'refresh_token',
    refresh_token: minted.refresh_token,
  });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
});

test('the seeded user claims reach the tokens of a real sign-in', async () => {
  const tokens = await atm.signIn();
  const { payload } = decodeJwt(tokens.id_token);
  const access = decodeJwt(tokens.access_token).payload;
  const seen = { ...access, ...payload };
  assert.equal(seen.role, 'admin', JSON.stringify(seen));
  assert.equal(seen['https://example.com/tenant'], 'acme');
});

test('a free-form subject gets no refresh token', async () => {
  const minted = await atm.mintToken({ client_id: 'api-client', sub: 'service-42', scope: 'read write' });
  assert.equal(minted.refresh_token, undefined);
  const access = await verifyJwt(minted.access_token, atm.urls.jwks);
  assert.equal(access.sub, 'service-42');
});

test('explicit aud, iss and exp are written as given', async () => {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const minted = await atm.mintToken({ client_id: 'api-client', sub: 's', aud: 'my-api', iss: 'someone', exp });
  const { payload } = decodeJwt(minted.access_token);
  assert.deepEqual([payload.aud, payload.iss, payload.exp], ['my-api', 'someone', exp]);
});

for (const [broken, why] of [['unknown_kid', /unknown kid/], ['wrong_alg', /alg|signature/],
  ['none_alg', /alg/], ['bad_signature', /signature/]]) {
  test(`broken: ${broken} fails verification`, async () => {
    const minted = await atm.mintToken({ client_id: 'api-client', sub: 's', broken });
    await assert.rejects(verifyJwt(minted.access_token, atm.urls.jwks), why);
  });
}

test('broken: expired and wrong_issuer verify but are past exp / from another issuer', async () => {
  const now = (await atm.clock()).now;
  const expired = decodeJwt((await atm.mintToken({ client_id: 'api-client', sub: 's', broken: 'expired' }))
    .access_token).payload;
  assert.ok(expired.exp <= now, `exp ${expired.exp} vs now ${now}`);
  const good = decodeJwt((await atm.mintToken({ client_id: 'api-client', sub: 's' })).access_token).payload;
  const minted = await atm.mintToken({ client_id: 'api-client', sub: 's', broken: 'wrong_issuer' });
  const other = await verifyJwt(minted.access_token, atm.urls.jwks);
  assert.notEqual(other.iss, good.iss);
});

test('the clock: advance, set and reset move what atm thinks is now', async () => {
  const start = await atm.clock();
  assert.equal(start.offset, 0);
  const advanced = await atm.advanceClock(3600);
  const after1 = await atm.clock();
  assert.ok(after1.offset >= 3599 && after1.offset <= 3601, JSON.stringify({ advanced, after1 }));
  assert.ok(after1.now - start.now >= 3599);
  await atm.setClock(2000000000);
  const set = await atm.clock();
  assert.ok(Math.abs(set.now - 2000000000) <= 2, JSON.stringify(set));
  await atm.resetClock();
  assert.equal((await atm.clock()).offset, 0);
  const iat = decodeJwt((await atm.mintToken({ client_id: 'api-client', sub: 's' })).access_token).payload.iat;
  assert.ok(Math.abs(iat - Math.floor(Date.now() / 1000)) <= 5);
});

test('a minted access token is refused by /userinfo once the clock passes its exp', async () => {
  const { access_token } = await atm.mintToken({ user: 'ann@example.com', client_id: 'api-client', expires_in: 60 });
  const userinfo = () => atm.request('GET', '/userinfo', undefined, { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal((await userinfo()).status, 200);
  await atm.advanceClock(61);
  assert.equal((await userinfo()).status, 401);
});

test('an invalid request is an AtmError with the 400 body', async () => {
  const err = await atm.mintToken({ client_id: 'api-client', user: 'nobody@example.com' }).catch((e) => e);
  assert.ok(err instanceof AtmError, String(err));
  assert.equal(err.status, 400);
  assert.equal(err.body.error, 'invalid_request');
  const bad = await atm.mintToken({ client_id: 'api-client', sub: 's', broken: 'no_such_way' }).catch((e) => e);
  assert.equal(bad.status, 400);
});
