// A user's suite: one atm for this file, sign-ins through the ATM API with PKCE.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { AtmError, decodeJwt, startAtm } from '../../../helpers/node/atm.mjs';
import { verifyJwt } from './jwt.mjs';

let atm;
before(async () => {
  atm = await startAtm({
    config: {
      tokens: { issuer: 'helpers-test' },
      applications: [
        {
          name: 'Web App', client_id: 'web-app', redirect_urls: ['http://localhost:3000/callback'],
          users: [{ email: 'ann@example.com', password: 'ann-password', first_name: 'Ann', last_name: 'Lee' }],
        },
        {
          name: 'SPA', public: true, redirect_urls: ['http://localhost:5173/cb'],
          users: [{ email: 'bob@example.com', first_name: 'Bob' }],   // password generated
        },
      ],
    },
  });
});
after(() => atm.stop());

test('the helper hands back the URLs and the credentials it wrote', async () => {
  assert.match(atm.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(atm.issuer, atm.url);
  assert.equal(atm.atmIssuer, 'helpers-test');
  const discovery = await (await fetch(atm.urls.discovery)).json();
  assert.equal(discovery.issuer, atm.issuer);
  assert.equal(discovery.token_endpoint, atm.urls.token);
  assert.equal(discovery.jwks_uri, atm.urls.jwks);
  assert.equal(discovery.userinfo_endpoint, atm.urls.userinfo);
  assert.equal(discovery.authorization_endpoint, atm.urls.authorize);
  assert.equal(atm.app.client_id, 'web-app');
  assert.match(atm.app.client_secret, /^[A-Za-z0-9]{32}$/);
  assert.equal(atm.applications[1].client_secret, undefined);
  assert.match(atm.applications[1].client_id, /^[A-Za-z0-9]{20}$/);
  assert.equal(atm.user.email, 'ann@example.com');
  assert.match(atm.applications[1].users[0].password, /^[A-Za-z0-9]{16}$/);
});

test('by hand, as in the README: POST /auth with a SHA256 challenge, then POST /auth/token', async () => {
  const verifier = randomBytes(32).toString('hex');
  const challenge = createHash('sha256').update(verifier).digest('hex');
  const auth = await atm.request('POST', '/auth', {
    loginId: atm.user.email, password: atm.user.password, clientId: atm.app.client_id,
    code_challenge: challenge, code_challenge_method: 'SHA256',
  });
  assert.equal(auth.status, 200, JSON.stringify(auth.body));
  assert.equal(auth.body.redirectUrl, 'http://localhost:3000/callback');
  const token = await atm.request('POST', '/auth/token', {
    clientId: atm.app.client_id, clientSecret: atm.app.client_secret,
    grant_types: 'authorization_code', code: auth.body.code, code_verifier: verifier,
  });
  assert.equal(token.status, 200, JSON.stringify(token.body));
  const payload = await verifyJwt(token.body.access_token, atm.urls.atmJwks);
  assert.equal(payload.iss, 'helpers-test');
  assert.equal(payload.aud, 'web-app');
  assert.equal(payload.scope.email, 'ann@example.com');
  assert.equal(payload.scope.firstName, 'Ann');

  // The same code again is refused.
  const again = await atm.request('POST', '/auth/token', {
    clientId: atm.app.client_id, clientSecret: atm.app.client_secret,
    grant_types: 'authorization_code', code: auth.body.code, code_verifier: verifier,
  });
  assert.equal(again.status, 400);
  assert.equal(again.body.error, 'invalid_grant');
});

test('signIn() for a public application, then a refresh', async () => {
  const spa = atm.applications[1];
  const tokens = await atm.signIn({ app: spa });
  const id = await verifyJwt(tokens.id_token, atm.urls.jwks);
  assert.equal(id.email, 'bob@example.com');
  assert.equal(id.aud, spa.client_id);
  const refreshed = await atm.request('POST', '/auth/token', {
    clientId: spa.client_id, grantType: 'refresh_token', refresh_token: tokens.refresh_token, id_token: tokens.id_token,
  });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.notEqual(refreshed.body.refresh_token, tokens.refresh_token);
});

test('a wrong password is an AtmError with the 401 and the body', async () => {
  const err = await atm.signIn({ password: 'not-the-password' }).catch((e) => e);
  assert.ok(err instanceof AtmError, String(err));
  assert.equal(err.status, 401);
  assert.equal(typeof err.body.error, 'string');
  assert.match(err.message, /POST \/auth answered 401/);
});

test('the records name each sign-in and exchange, with their status', async () => {
  await atm.clearRecords();
  await atm.signIn();
  await atm.signIn({ password: 'wrong-password' }).catch(() => {});
  const logins = await atm.records('login');
  assert.deepEqual(logins.map((r) => [r.client_id, r.login, r.status]),
    [['web-app', 'ann@example.com', 200], ['web-app', 'ann@example.com', 401]]);
  const tokens = await atm.records('token');
  assert.deepEqual(tokens.map((r) => [r.client_id, r.grant_type, r.status]),
    [['web-app', 'authorization_code', 200]]);
  assert.equal(decodeJwt((await atm.signIn()).access_token).payload.aud, 'web-app');
});

// The ATM endpoint takes grant_types, grant_type and grantType alike (README).
test('the records name the grant type whichever spelling the request used', async () => {
  await atm.clearRecords();
  const tokens = await atm.signIn();
  for (const spelling of ['grant_types', 'grantType']) {
    await atm.request('POST', '/auth/token', { clientId: 'web-app', clientSecret: atm.app.client_secret,
      [spelling]: 'refresh_token', refresh_token: 'not-a-token' });
  }
  const records = await atm.records('token');
  assert.deepEqual(records.map((r) => r.grant_type), ['authorization_code', 'refresh_token', 'refresh_token']);
  assert.ok(tokens.access_token);
});
