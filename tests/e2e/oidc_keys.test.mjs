// Signing keys seen from outside: jose (createRemoteJWKSet + jwtVerify)
// verifies every token against the published JWKS across a rotation made by
// `atm keys rotate` while the server runs, after a scheduled rotation, once a
// retired key has been dropped, and with ES256 and EdDSA keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Issuer, generators } from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { USER, WEB_APP, oidcConfig, runAtm, signInViaApi, startServer, waitFor } from './support/oidc_server.mjs';

// A user signs in with openid-client (which itself checks the ID token);
// resolves to { client, tokens }.
async function signIn(server, metadata = {}) {
  const issuer = await Issuer.discover(server.url);
  const client = new issuer.Client({
    client_id: WEB_APP.client_id, client_secret: WEB_APP.client_secret, redirect_uris: [WEB_APP.redirect_uri],
    ...metadata,
  });
  const code_verifier = generators.codeVerifier();
  const nonce = generators.nonce();
  const state = generators.state();
  const url = client.authorizationUrl({
    scope: 'openid email', code_challenge: generators.codeChallenge(code_verifier), code_challenge_method: 'S256',
    nonce, state,
  });
  const tokens = await client.callback(WEB_APP.redirect_uri, client.callbackParams(await signInViaApi(url)),
    { code_verifier, nonce, state });
  return { client, tokens };
}

async function jwksKids(server) {
  const res = await fetch(`${server.url}/.well-known/jwks.json`);
  return (await res.json()).keys.map((k) => k.kid);
}

const kid = (jwt) => decodeProtectedHeader(jwt).kid;

function rotate(server) {
  const r = runAtm(['keys', 'rotate', '--config', server.configPath, '--db', server.db, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function listKeys(server) {
  const r = runAtm(['keys', 'list', '--config', server.configPath, '--db', server.db, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function verifyAll(jwks, server, tokens, options = {}) {
  for (const token of [tokens.access_token, tokens.id_token]) {
    const { payload } = await jwtVerify(token, jwks, { issuer: server.url, audience: WEB_APP.client_id, ...options });
    assert.equal(payload.sub, tokens.claims().sub);
  }
}

test('tokens verify against the JWKS before and after `atm keys rotate` on a running server', async () => {
  const server = await startServer({ db: 'file' });
  try {
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`), { cooldownDuration: 0 });
    const before = await signIn(server);
    const oldKid = kid(before.tokens.access_token);
    await verifyAll(jwks, server, before.tokens);

    const rotated = rotate(server);
    assert.notEqual(rotated.kid, oldKid);
    assert.equal(rotated.alg, 'RS256');
    assert.deepEqual(rotated.still_published.map((k) => k.kid), [oldKid]);
    // The server notices the other process's change within seconds.
    await waitFor(async () => (await jwksKids(server)).includes(rotated.kid),
      { what: 'the new key in the JWKS', timeoutMs: 15000 });
    assert.ok((await jwksKids(server)).includes(oldKid), 'the retired key stays published');

    const afterwards = await signIn(server);
    assert.equal(kid(afterwards.tokens.access_token), rotated.kid);
    assert.equal(kid(afterwards.tokens.id_token), rotated.kid);
    await verifyAll(jwks, server, afterwards.tokens);
    await verifyAll(jwks, server, before.tokens);  // old tokens keep verifying
    // A refresh of the old login is signed with the new key. (openid-client
    // refetches a JWKS at most once a minute, so its old Issuer is told to.)
    await before.client.issuer.reloadJwksUri();
    const refreshed = await before.client.refresh(before.tokens);
    assert.equal(kid(refreshed.access_token), rotated.kid);
    await verifyAll(jwks, server, refreshed);

    const keys = listKeys(server);
    assert.deepEqual(keys.map((k) => [k.kid, k.current, k.published]),
      [[rotated.kid, true, true], [oldKid, false, true]]);
    assert.ok(keys[1].published_until >= decodeJwt(before.tokens.access_token).exp,
      'the retired key is published at least as long as its tokens live');
  } finally {
    await server.stop();
  }
});

test('a retired key leaves the JWKS once every token it signed has expired', async () => {
  const config = oidcConfig(`
[tokens]
access_token_ttl = 2
id_token_ttl = 2
[keys]
retired_grace = 0
`);
  const server = await startServer({ config, db: 'file' });
  try {
    const { tokens } = await signIn(server);
    const oldKid = kid(tokens.access_token);
    const rotated = rotate(server);
    await waitFor(async () => (await jwksKids(server)).includes(rotated.kid), { what: 'the new key' });
    // Tokens live 2 s, the grace is 0: the server's maintenance (every 5 s) drops the key.
    await waitFor(async () => !(await jwksKids(server)).includes(oldKid),
      { what: 'the retired key to leave the JWKS', timeoutMs: 20000 });
    assert.deepEqual(await jwksKids(server), [rotated.kid]);
    assert.deepEqual(listKeys(server).map((k) => k.kid), [rotated.kid]);
    // Even at a moment when the token had not expired, its key is gone.
    const fresh = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { iat } = decodeJwt(tokens.access_token);
    await assert.rejects(jwtVerify(tokens.access_token, fresh, { currentDate: new Date(iat * 1000) }),
      joseErrors.JWKSNoMatchingKey);
  } finally {
    await server.stop();
  }
});

test('keys.rotate_every rotates on schedule while old tokens keep verifying', async () => {
  const server = await startServer({ config: oidcConfig('[keys]\nrotate_every = "2s"\n') });
  try {
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`), { cooldownDuration: 0 });
    const first = await signIn(server);
    const firstKid = kid(first.tokens.access_token);
    await waitFor(async () => (await jwksKids(server)).some((k) => k !== firstKid),
      { what: 'a scheduled rotation', timeoutMs: 20000 });
    const second = await signIn(server);
    assert.notEqual(kid(second.tokens.access_token), firstKid);
    await verifyAll(jwks, server, first.tokens);
    await verifyAll(jwks, server, second.tokens);
  } finally {
    await server.stop();
  }
});

for (const [alg, kty, crv] of [['ES256', 'EC', 'P-256'], ['EdDSA', 'OKP', 'Ed25519']]) {
  test(`keys.algorithm = "${alg}": discovery, JWKS and every token agree, and jose verifies them`, async () => {
    const server = await startServer({ config: oidcConfig(`[keys]\nalgorithm = "${alg}"\n`), db: 'file' });
    try {
      const discovery = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
      assert.deepEqual(discovery.id_token_signing_alg_values_supported, [alg]);
      const jwks = await (await fetch(discovery.jwks_uri)).json();
      assert.equal(jwks.keys.length, 1);
      assert.equal(jwks.keys[0].kty, kty);
      assert.equal(jwks.keys[0].crv, crv);
      assert.equal(jwks.keys[0].alg, alg);
      // openid-client checks the ID token (signature, at_hash with the alg's hash) itself.
      const { client, tokens } = await signIn(server, { id_token_signed_response_alg: alg });
      assert.equal(decodeProtectedHeader(tokens.id_token).alg, alg);
      const remote = createRemoteJWKSet(new URL(discovery.jwks_uri), { cooldownDuration: 0 });
      await verifyAll(remote, server, tokens, { algorithms: [alg] });
      const me = await client.userinfo(tokens.access_token);
      assert.equal(me.email, USER.email);
      // Rotation keeps the configured algorithm.
      const rotated = rotate(server);
      assert.equal(rotated.alg, alg);
    } finally {
      await server.stop();
    }
  });
}

test('the issuer rule: /token signs for the public URL, the ATM endpoint for tokens.issuer', async () => {
  const server = await startServer();
  try {
    const jwks = createRemoteJWKSet(new URL(`${server.url}/auth/.well-known/jwks.json`));
    const oidc = await signIn(server);
    await jwtVerify(oidc.tokens.access_token, jwks, { issuer: server.url });
    // The same login API, redeemed at the ATM endpoint.
    const verifier = generators.codeVerifier();
    const auth = await fetch(`${server.url}/auth`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        loginId: USER.email, password: USER.password, clientId: WEB_APP.client_id,
        code_challenge: generators.codeChallenge(verifier), code_challenge_method: 'S256',
      }),
    });
    const { code } = await auth.json();
    const res = await fetch(`${server.url}/auth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        clientId: WEB_APP.client_id, clientSecret: WEB_APP.client_secret, grant_types: 'authorization_code',
        code, code_verifier: verifier,
      }),
    });
    assert.equal(res.status, 200);
    const atm = await res.json();
    const { payload } = await jwtVerify(atm.access_token, jwks, { issuer: 'atm', audience: WEB_APP.client_id });
    assert.equal(payload.scope.email, USER.email, 'the ATM scope object is still there');
    // /userinfo takes both.
    const me = await oidc.client.userinfo(atm.access_token);
    assert.equal(me.email, USER.email);
  } finally {
    await server.stop();
  }
});

test('atm keys: bad use exits 2 with a one-line message', () => {
  for (const args of [['keys'], ['keys', 'spin'], ['keys', 'list', 'extra'], ['keys', 'list', '--bogus'],
    ['keys', 'rotate', '--config', '/nonexistent/atm.toml']]) {
    const r = runAtm(args);
    assert.equal(r.status, 2, `atm ${args.join(' ')}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^atm: /);
    assert.equal(r.stdout, '');
  }
  const help = runAtm(['keys', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /atm keys rotate/);
});
