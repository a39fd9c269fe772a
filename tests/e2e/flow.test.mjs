// The seed's flow over HTTP against the real binary (README "The flow by hand,
// with curl"): /auth -> /auth/token -> refresh rotation -> reuse detection, the
// JSON errors, /health and the /login error page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEMO, decodeJwt, pkce, postJson, readResponse, startAtm, stopAll } from './support/server.mjs';

let atm;
before(async () => { atm = await startAtm(); });
after(stopAll);

const CODE = /^[A-Za-z0-9]{50}$/;

async function authorize(method = 'S256', overrides = {}) {
  const p = pkce(method);
  const res = await postJson(`${atm.url}/auth`, {
    loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId,
    code_challenge: p.challenge, code_challenge_method: method, ...overrides,
  });
  return { ...res, verifier: p.verifier };
}

async function exchange(code, verifier, overrides = {}) {
  return postJson(`${atm.url}/auth/token`, {
    clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, grant_types: 'authorization_code',
    code, code_verifier: verifier, ...overrides,
  });
}

async function refresh(refreshToken, idToken) {
  return postJson(`${atm.url}/auth/token`, {
    clientId: DEMO.clientId, refresh_token: refreshToken, id_token: idToken, grantType: 'refresh_token',
  });
}

function assertError(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.equal(res.body.error, code);
  assert.equal(typeof res.body.error_description, 'string');
  assert.ok(res.body.error_description.length > 0);
  assert.equal(res.headers.get('cache-control'), 'no-store');
}

test('GET /health answers 200 with JSON', async () => {
  const res = await readResponse(await fetch(`${atm.url}/health`));
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'ok');
});

describe('the seed flow', () => {
  let first;
  let second;

  test('POST /auth answers the redirect URL and a code', async () => {
    const res = await authorize();
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.redirectUrl, DEMO.redirectUrl);
    assert.match(res.body.code, CODE);
    const token = await exchange(res.body.code, res.verifier);
    assert.equal(token.status, 200, JSON.stringify(token.body));
    first = token;
  });

  test('the token response has the ATM shape and is not cacheable', () => {
    const t = first.body;
    for (const k of ['id_token', 'access_token', 'refresh_token']) assert.equal(typeof t[k], 'string', k);
    assert.equal(t.exp_access_token, 600);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    const { header, payload } = decodeJwt(t.access_token);
    assert.equal(header.alg, 'RS256');
    assert.equal(typeof header.kid, 'string');
    assert.equal(payload.iss, 'atm');
    assert.equal(payload.aud, DEMO.clientId);
    assert.equal(payload.exp - payload.iat, 600);
    assert.equal(payload.scope.email, DEMO.email);
    assert.equal(payload.scope.firstName, DEMO.firstName);
    assert.equal(payload.scope.lastName, DEMO.lastName);
    assert.match(payload.scope.id, /^[A-Za-z0-9_-]{21}$/);
  });

  test('the refresh grant rotates the refresh token', async () => {
    second = await refresh(first.body.refresh_token, first.body.id_token);
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.notEqual(second.body.refresh_token, first.body.refresh_token);
    assert.equal(second.body.exp_access_token, 600);
    assert.equal(decodeJwt(second.body.access_token).payload.scope.email, DEMO.email);
  });

  test('the old refresh token is refused, and that reuse revokes the new one too', async () => {
    assertError(await refresh(first.body.refresh_token, first.body.id_token), 400, 'invalid_grant');
    assertError(await refresh(second.body.refresh_token, second.body.id_token), 400, 'invalid_grant');
  });
});

test('twenty concurrent sign-ins all get their own working code', async () => {
  const results = await Promise.all(Array.from({ length: 20 }, () => authorize()));
  for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(new Set(results.map((r) => r.body.code)).size, 20);
  const tokens = await Promise.all(results.map((r) => exchange(r.body.code, r.verifier)));
  for (const t of tokens) assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(new Set(tokens.map((t) => t.body.refresh_token)).size, 20);
});

test('a code is good for one exchange', async () => {
  const res = await authorize();
  assert.equal((await exchange(res.body.code, res.verifier)).status, 200);
  assertError(await exchange(res.body.code, res.verifier), 400, 'invalid_grant');
});

for (const method of ['SHA256', 'SHA512', 'S256', 'sha512']) {
  test(`the ${method} challenge method works over HTTP`, async () => {
    const res = await authorize(method.toUpperCase(), { code_challenge_method: method });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await exchange(res.body.code, res.verifier)).status, 200);
  });
}

test('the three spellings of the grant type are accepted', async () => {
  for (const field of ['grant_types', 'grant_type', 'grantType']) {
    const res = await authorize();
    const token = await postJson(`${atm.url}/auth/token`, {
      clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, [field]: 'authorization_code',
      code: res.body.code, code_verifier: res.verifier,
    });
    assert.equal(token.status, 200, `${field}: ${JSON.stringify(token.body)}`);
  }
});

describe('errors are JSON with RFC 6749 codes', () => {
  test('unknown client at /auth: 401 invalid_client', async () => {
    assertError(await authorize('S256', { clientId: 'unknown-client' }), 401, 'invalid_client');
  });
  test('wrong password: 401', async () => {
    assertError(await authorize('S256', { password: 'wrong-password' }), 401, 'invalid_grant');
  });
  test('plain challenge: 400 invalid_request', async () => {
    assertError(await authorize('plain'), 400, 'invalid_request');
  });
  test('wrong client secret: 401 invalid_client', async () => {
    const res = await authorize();
    assertError(await exchange(res.body.code, res.verifier, { clientSecret: 'wrong-secret-000000' }), 401,
      'invalid_client');
  });
  test('wrong verifier: 400 invalid_grant', async () => {
    const res = await authorize();
    assertError(await exchange(res.body.code, pkce().verifier), 400, 'invalid_grant');
  });
  test('unknown grant type: 400 unsupported_grant_type', async () => {
    assertError(await exchange('x', pkce().verifier, { grant_types: 'password' }), 400, 'unsupported_grant_type');
  });
  test('a body that is not JSON: 400 invalid_request', async () => {
    assertError(await postJson(`${atm.url}/auth/token`, '{"clientId": '), 400, 'invalid_request');
  });
  test('a number where a string belongs: 400 invalid_request', async () => {
    assertError(await postJson(`${atm.url}/auth`, { clientId: 5 }), 400, 'invalid_request');
  });
  test('a body over the size limit: 413 with a JSON error, not a 500', async () => {
    const res = await postJson(`${atm.url}/auth/token`, { clientId: 'x'.repeat(70 * 1024) });
    assert.equal(res.status, 413);
    assert.equal(res.body.error, 'invalid_request');
  });
  test('an unknown endpoint: 404 JSON', async () => {
    const res = await readResponse(await fetch(`${atm.url}/nope`));
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'not_found');
  });
});

describe('GET /login', () => {
  const loginUrl = (params) => `${atm.url}/login?${new URLSearchParams(params)}`;

  test('serves the login page for a known client with a challenge', async () => {
    const { challenge } = pkce();
    const res = await fetch(loginUrl({ clientId: DEMO.clientId, code_challenge: challenge,
      code_challenge_method: 'S256', state: 'xyz' }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/html/);
    const html = await res.text();
    assert.match(html, /id="email"/);
    assert.match(html, /id="password"/);
    assert.match(html, new RegExp(DEMO.name));
  });

  for (const [name, params] of [
    ['an unknown client', { clientId: 'unknown-client', code_challenge: pkce().challenge, code_challenge_method: 'S256' }],
    ['a missing challenge', { clientId: DEMO.clientId, code_challenge_method: 'S256' }],
  ]) {
    test(`shows an error page, not a redirect, for ${name}`, async () => {
      const res = await fetch(loginUrl(params), { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type'), /^text\/html/);
      const html = await res.text();
      assert.doesNotMatch(html, /<form/);
    });
  }
});
