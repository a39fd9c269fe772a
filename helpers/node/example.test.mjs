// node --test example.test.mjs   (ATM_BIN=/path/to/atm, or atm on PATH)
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, startAtm } from './atm.mjs';

let atm;
before(async () => {
  atm = await startAtm({
    config: {
      applications: [{
        name: 'My App',
        client_id: 'my-app',                    // client_secret: generated, in atm.app.client_secret
        redirect_urls: ['http://localhost:3000/callback'],
        users: [{ email: 'ann@example.com', password: 'ann-password', first_name: 'Ann' }],
      }],
    },
  });
});
after(() => atm.stop());
beforeEach(() => atm.reset());                  // apps, users, tokens, clock, failures, records

test('a user signs in with PKCE and the login is recorded', async () => {
  const tokens = await atm.signIn();            // POST /auth, then POST /auth/token
  assert.equal(decodeJwt(tokens.id_token).payload.email, 'ann@example.com');
  const [login] = await atm.records('login');
  assert.equal(login.status, 200);
});

test('an access token is refused once it has expired', async () => {
  const { access_token } = await atm.mintToken({ user: 'ann@example.com', expires_in: 60 });
  const userinfo = () => fetch(atm.urls.userinfo, { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal((await userinfo()).status, 200);
  await atm.advanceClock(120);
  assert.equal((await userinfo()).status, 401);
});

test('the token endpoint fails once, then works', async () => {
  await atm.failNext({ path: '/auth/token', status: 503, error: 'temporarily_unavailable' });
  await assert.rejects(atm.signIn(), { status: 503 });
  assert.ok((await atm.signIn()).access_token);
});
