// A browser-facing suite: [applications.testing] auto_login written from the
// config object makes /login answer with a code at once, no form to fill.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pkce, startAtm } from '../../../helpers/node/atm.mjs';

let atm;
before(async () => {
  atm = await startAtm({
    config: {
      applications: [{
        name: 'Auto', client_id: 'auto-app', redirect_urls: ['http://localhost:3000/callback'],
        testing: { auto_login: 'ann@example.com' },
        users: [{ email: 'ann@example.com', first_name: 'Ann' }],
      }],
    },
  });
});
after(() => atm.stop());

async function loginPage(clientId) {
  const p = pkce();
  const res = await atm.request('GET',
    `/login?clientId=${clientId}&code_challenge=${p.challenge}&code_challenge_method=S256&state=xyz`);
  return { res, verifier: p.verifier };
}

test('the seeded auto_login signs Ann in without the form, and the code works', async () => {
  const { res, verifier } = await loginPage('auto-app');
  assert.ok(res.status >= 300 && res.status < 400, `status ${res.status}`);
  const location = new URL(res.headers.get('location'));
  assert.equal(`${location.origin}${location.pathname}`, 'http://localhost:3000/callback');
  assert.equal(location.searchParams.get('state'), 'xyz');
  const token = await atm.request('POST', '/auth/token', {
    clientId: 'auto-app', clientSecret: atm.app.client_secret, grant_type: 'authorization_code',
    code: location.searchParams.get('code'), code_verifier: verifier,
  });
  assert.equal(token.status, 200, JSON.stringify(token.body));
  assert.equal(JSON.parse(Buffer.from(token.body.access_token.split('.')[1], 'base64url')).scope.email,
    'ann@example.com');
});

test('putApplication can turn auto_login off; reset brings the seed back', async () => {
  const view = await atm.putApplication('auto-app', { testing: { auto_login: null } });
  assert.equal(view.testing.auto_login, '');
  const { res } = await loginPage('auto-app');
  assert.equal(res.status, 200);   // the form
  assert.match(res.headers.get('content-type'), /text\/html/);
  await atm.reset();
  assert.ok((await loginPage('auto-app')).res.status >= 300);
});
