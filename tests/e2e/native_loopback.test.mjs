// A native app (RFC 8252) with the loopback redirect http://127.0.0.1/callback
// registered, listening on a port the system picked: §7.3 says the server
// must accept any port. openid-client drives the flow; the sign-in is the
// login page's own POST /auth; the browser's redirect lands on the app's
// listener, which takes the code.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { Issuer, generators } from 'openid-client';

import { DEMO, demoToml, postJson, startAtm, stopAll } from './support/server.mjs';

let atm;
let client;
before(async () => {
  atm = await startAtm({
    config: demoToml({
      applications: `[[applications]]
name         = "Native app"
client_id    = "native-app"
public       = true
redirect_url = "http://127.0.0.1/callback"

  [[applications.users]]
  email      = "${DEMO.email}"
  password   = "${DEMO.password}"
  first_name = "${DEMO.firstName}"
  last_name  = "${DEMO.lastName}"
`,
    }),
  });
  const issuer = await Issuer.discover(atm.url);
  client = new issuer.Client({ client_id: 'native-app', token_endpoint_auth_method: 'none' });
});

after(stopAll);

// The app's loopback listener on a free port: resolves with the first callback's URL.
async function listen() {
  let landed;
  const got = new Promise((resolve) => { landed = resolve; });
  const server = http.createServer((req, res) => {
    res.end('You can close this window.');
    landed(new URL(req.url, `http://127.0.0.1:${server.address().port}`));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, got, redirectUri: `http://127.0.0.1:${server.address().port}/callback` };
}

// What the login page does with the /authorize redirect: POST /auth, then
// send the browser to redirectUrl?code=&state=.
async function signInThroughLoginPage(authorizeUrl) {
  const first = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(first.status, 302);
  const login = new URL(first.headers.get('location'), authorizeUrl);
  const q = login.searchParams;
  const r = await postJson(`${atm.url}/auth`, {
    loginId: DEMO.email, password: DEMO.password, clientId: q.get('clientId'),
    code_challenge: q.get('code_challenge'), code_challenge_method: q.get('code_challenge_method'),
    redirect_uri: q.get('redirect_uri'), scope: q.get('scope'),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const target = new URL(r.body.redirectUrl);
  target.searchParams.set('code', r.body.code);
  target.searchParams.set('state', q.get('state'));
  await fetch(target);
}

test('a loopback redirect on a random port is accepted, and the code redeems at that port', async () => {
  const app = await listen();
  try {
    const verifier = generators.codeVerifier();
    const state = generators.state();
    const url = client.authorizationUrl({
      redirect_uri: app.redirectUri, scope: 'openid email', state,
      code_challenge: generators.codeChallenge(verifier), code_challenge_method: 'S256',
    });
    await signInThroughLoginPage(url);
    const landed = await app.got;
    assert.equal(landed.pathname, '/callback');
    const tokens = await client.callback(app.redirectUri, client.callbackParams(landed.href),
      { code_verifier: verifier, state });
    assert.ok(tokens.access_token);
    assert.equal(tokens.claims().email, DEMO.email);
  } finally {
    app.server.close();
  }
});

test('another path, https, or a host name instead of the loopback address is still refused', async () => {
  for (const redirectUri of ['http://127.0.0.1:4711/other', 'https://127.0.0.1:4711/callback',
    'http://localhost:4711/callback']) {
    const url = client.authorizationUrl({
      redirect_uri: redirectUri, scope: 'openid', code_challenge: 'A'.repeat(43), code_challenge_method: 'S256',
    });
    const r = await fetch(url, { redirect: 'manual' });
    assert.equal(r.status, 400, redirectUri);  // an error page: never a redirect to an unregistered URI
  }
});
