// openid-client (a certified OpenID relying party library nobody here wrote)
// against the real binary: discovery -> authorization code + PKCE with the
// user signing in on the real login page in headless Chromium -> callback ->
// userinfo -> refresh -> revoke -> introspect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Issuer, generators, errors } from 'openid-client';
import { launchChromium } from './support/chromium.mjs';
import {
  RESOURCE_SERVER, SPA, USER, WEB_APP, signInViaApi, startServer,
} from './support/oidc_server.mjs';
import { OUTPUT_DIR } from './support/server.mjs';  // screenshots: build/test-output/, not the source tree

let server;
let browser;
let issuer;

before(async () => {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  server = await startServer();
  browser = await launchChromium();
  issuer = await Issuer.discover(server.url);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Opens `authorizationUrl` in Chromium, signs in on the login page, and
// returns the URL the browser arrives at (the redirect URI with the answer).
async function signInWithBrowser(authorizationUrl, redirectUri, screenshot) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    // Nothing listens on the redirect URI: answer it in the browser.
    await page.route(`${new URL(redirectUri).origin}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<p>back at the application</p>' }));
    await page.goto(authorizationUrl);
    assert.match(new URL(page.url()).pathname, /\/login$/, 'the browser reached the login page');
    await page.fill('#email', USER.email);
    await page.fill('#password', USER.password);
    if (screenshot) await page.screenshot({ path: path.join(OUTPUT_DIR, screenshot) });
    await Promise.all([
      page.waitForURL((u) => u.toString().startsWith(redirectUri)),
      page.click('#submit'),
    ]);
    return page.url();
  } finally {
    await context.close();
  }
}

test('discovery gives openid-client the issuer and every endpoint it uses', () => {
  assert.equal(issuer.issuer, server.url);
  assert.equal(issuer.authorization_endpoint, `${server.url}/authorize`);
  assert.equal(issuer.token_endpoint, `${server.url}/token`);
  assert.equal(issuer.userinfo_endpoint, `${server.url}/userinfo`);
  assert.equal(issuer.revocation_endpoint, `${server.url}/revoke`);
  assert.equal(issuer.introspection_endpoint, `${server.url}/introspect`);
  assert.deepEqual(issuer.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(issuer.id_token_signing_alg_values_supported, ['RS256']);
});

test('a confidential client signs a user in through the login page, then uses, refreshes, revokes and introspects', async () => {
  const client = new issuer.Client({
    client_id: WEB_APP.client_id,
    client_secret: WEB_APP.client_secret,
    redirect_uris: [WEB_APP.redirect_uri],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const code_verifier = generators.codeVerifier();
  const state = generators.state();
  const nonce = generators.nonce();
  const url = client.authorizationUrl({
    scope: 'openid email profile',
    code_challenge: generators.codeChallenge(code_verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const landed = await signInWithBrowser(url, WEB_APP.redirect_uri, 'oidc-login.png');

  // openid-client checks state, PKCE, and the ID token: signature against the
  // JWKS, iss, aud, exp, iat, nonce, at_hash.
  const tokens = await client.callback(WEB_APP.redirect_uri, client.callbackParams(landed),
    { code_verifier, state, nonce });
  const claims = tokens.claims();
  assert.equal(claims.iss, server.url);
  assert.equal(claims.aud, WEB_APP.client_id);
  assert.equal(claims.nonce, nonce);
  assert.equal(claims.email, USER.email);
  assert.equal(claims.given_name, USER.given_name);
  assert.equal(typeof claims.auth_time, 'number');
  assert.equal(typeof claims.sid, 'string');
  assert.ok(claims.at_hash);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(tokens.scope, 'openid email profile');

  const me = await client.userinfo(tokens.access_token);
  assert.deepEqual(me, {
    sub: claims.sub, email: USER.email, email_verified: false,
    name: `${USER.given_name} ${USER.family_name}`, given_name: USER.given_name, family_name: USER.family_name,
  });

  const refreshed = await client.refresh(tokens);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  assert.equal(refreshed.claims().sub, claims.sub);
  assert.equal(refreshed.claims().auth_time, claims.auth_time, 'auth_time stays the time of the login');
  // Rotation: the spent refresh token is refused.
  await assert.rejects(client.refresh(tokens.refresh_token),
    (e) => e instanceof errors.OPError && e.error === 'invalid_grant');
  // ...and its reuse revoked the whole login (reuse detection).
  assert.deepEqual(await client.introspect(refreshed.refresh_token), { active: false });

  // A new login, to revoke properly.
  const verifier2 = generators.codeVerifier();
  const url2 = client.authorizationUrl({
    scope: 'openid', code_challenge: generators.codeChallenge(verifier2), code_challenge_method: 'S256', state,
  });
  const second = await client.callback(WEB_APP.redirect_uri,
    client.callbackParams(await signInWithBrowser(url2, WEB_APP.redirect_uri)), { code_verifier: verifier2, state });
  const live = await client.introspect(second.access_token, 'access_token');
  assert.equal(live.active, true);
  assert.equal(live.client_id, WEB_APP.client_id);
  assert.equal(live.sub, second.claims().sub);
  assert.equal(live.iss, server.url);
  assert.equal(live.token_type, 'Bearer');
  assert.equal(live.scope, 'openid');
  // The token's own exp (openid-client's expires_at counts from when the
  // answer arrived, which can be a second later).
  const accessExp = JSON.parse(Buffer.from(second.access_token.split('.')[1], 'base64url')).exp;
  assert.equal(live.exp, accessExp);
  assert.ok(Math.abs(live.exp - second.expires_at) <= 1);
  assert.equal((await client.introspect(second.refresh_token, 'refresh_token')).active, true);

  await client.revoke(second.refresh_token, 'refresh_token');
  assert.deepEqual(await client.introspect(second.refresh_token), { active: false });
  assert.deepEqual(await client.introspect(second.access_token), { active: false },
    'revoking the refresh token ends the access tokens of that login');
  await assert.rejects(client.userinfo(second.access_token),
    (e) => e instanceof errors.OPError && e.error === 'invalid_token');
  await client.revoke('no-such-token');  // RFC 7009 §2.2: 200 for unknown tokens
});

test('a public client (no secret) uses PKCE alone, and introspection does not show it to other applications', async () => {
  const client = new issuer.Client({
    client_id: SPA.client_id,
    redirect_uris: [SPA.redirect_uri],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
  const code_verifier = generators.codeVerifier();
  const nonce = generators.nonce();
  const url = client.authorizationUrl({
    scope: 'openid email', code_challenge: generators.codeChallenge(code_verifier), code_challenge_method: 'S256', nonce,
  });
  const tokens = await client.callback(SPA.redirect_uri,
    client.callbackParams(await signInWithBrowser(url, SPA.redirect_uri)), { code_verifier, nonce });
  assert.equal(tokens.claims().email, USER.email);
  const refreshed = await client.refresh(tokens);
  assert.ok(refreshed.access_token);

  const resourceServer = new issuer.Client({
    client_id: RESOURCE_SERVER.client_id, client_secret: RESOURCE_SERVER.client_secret,
  });
  assert.deepEqual(await resourceServer.introspect(refreshed.access_token), { active: false });
  await client.revoke(refreshed.refresh_token);
  await assert.rejects(client.refresh(refreshed), (e) => e.error === 'invalid_grant');
});

test('a wrong PKCE verifier is refused at the token endpoint', async () => {
  const client = new issuer.Client({
    client_id: WEB_APP.client_id, client_secret: WEB_APP.client_secret, redirect_uris: [WEB_APP.redirect_uri],
  });
  const code_verifier = generators.codeVerifier();
  const state = generators.state();
  const url = client.authorizationUrl({
    scope: 'openid', code_challenge: generators.codeChallenge(code_verifier), code_challenge_method: 'S256', state,
  });
  const landed = await signInViaApi(url);
  await assert.rejects(
    client.callback(WEB_APP.redirect_uri, client.callbackParams(landed), { code_verifier: generators.codeVerifier(), state }),
    (e) => e instanceof errors.OPError && e.error === 'invalid_grant');
});

test('errors reach the client as RFC 6749 §4.1.2.1 redirects that openid-client understands', async () => {
  const client = new issuer.Client({
    client_id: WEB_APP.client_id, client_secret: WEB_APP.client_secret, redirect_uris: [WEB_APP.redirect_uri],
  });
  const state = generators.state();
  const challenge = generators.codeChallenge(generators.codeVerifier());
  for (const [extra, expected] of [
    [{ prompt: 'none' }, 'login_required'],
    [{ scope: 'openid admin' }, 'invalid_scope'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
  ]) {
    const url = client.authorizationUrl({
      scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state, ...extra,
    });
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const landed = res.headers.get('location');
    assert.ok(landed.startsWith(WEB_APP.redirect_uri), landed);
    await assert.rejects(
      client.callback(WEB_APP.redirect_uri, client.callbackParams(landed), { state }),
      (e) => e instanceof errors.OPError && e.error === expected);
  }
});

test('an unregistered redirect URI gets an error page, never a redirect', async () => {
  const page = await browser.newPage();
  try {
    const url = new URL(`${server.url}/authorize`);
    url.search = new URLSearchParams({
      client_id: WEB_APP.client_id, redirect_uri: 'https://attacker.example/cb', response_type: 'code',
      scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    }).toString();
    const response = await page.goto(url.toString());
    assert.equal(response.status(), 400);
    assert.equal(new URL(page.url()).pathname, '/authorize');
    assert.match(await page.textContent('#error-message'), /not registered/);
  } finally {
    await page.close();
  }
});
