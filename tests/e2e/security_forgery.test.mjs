// Forged access tokens against the real binary over HTTP (RFC 8725): the
// same attacks as tests/unit/token_forgery_test.cpp, at the two endpoints that
// take an access token from a client. /userinfo must answer 401 with a Bearer
// invalid_token challenge (RFC 6750 §3.1); /introspect must answer 200
// {"active": false} (RFC 7662 §2.2) to the token's own, authenticated client.
// Every forgery starts from a real token that both endpoints accept.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { after, before, test } from 'node:test';

import { DEMO, OTHER, request, signIn, startAtm } from './support/harness.mjs';

let atm;
let endpoints;  // from the discovery document
let realToken;  // a real access token of DEMO's user, from login + code exchange
let jwk;        // the server's signing key, as published

before(async () => {
  atm = await startAtm();
  endpoints = (await request(`${atm.url}/.well-known/openid-configuration`)).data;
  realToken = (await signIn(atm.url)).access_token;
  const jwks = (await request(`${atm.url}/auth/.well-known/jwks.json`)).data;
  jwk = jwks.keys.find((k) => k.kid === decode(realToken).header.kid);
  assert.ok(jwk, 'the real token names a published key');
});
after(async () => { await atm?.stop(); });

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
const b64json = (value) => b64(JSON.stringify(value));

// The three parts of a compact JWS: decoded header and payload, raw segments.
function decode(token) {
  const segments = token.split('.');
  const [header, payload] = segments.slice(0, 2).map((s) => JSON.parse(Buffer.from(s, 'base64url')));
  return { header, payload, segments };
}

function hs256(header, payload, secret) {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function rs256(header, payload, privateKey) {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return `${input}.${b64(sign('sha256', Buffer.from(input), privateKey))}`;
}

function userinfo(token) {
  return request(endpoints.userinfo_endpoint, { headers: { authorization: `Bearer ${token}` } });
}

// client_secret_basic as DEMO, the audience of every token here (a client
// may only introspect its own tokens).
function introspect(token) {
  const basic = Buffer.from(`${DEMO.clientId}:${DEMO.clientSecret}`).toString('base64');
  return request(endpoints.introspection_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
  });
}

async function assertAccepted(token) {
  const me = await userinfo(token);
  assert.equal(me.status, 200, me.text);
  assert.equal(me.data.email, DEMO.email);
  const info = await introspect(token);
  assert.equal(info.status, 200, info.text);
  assert.equal(info.data.active, true, info.text);
  assert.equal(info.data.client_id, DEMO.clientId);
}

async function assertRefused(token, name) {
  const me = await userinfo(token);
  assert.equal(me.status, 401, `${name}: /userinfo answered ${me.status} ${me.text}`);
  const challenge = me.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer /, `${name}: ${challenge}`);
  assert.match(challenge, /(^Bearer |, ?)error="invalid_token"/, `${name}: ${challenge}`);
  assert.ok(!me.text.includes(DEMO.email), `${name}: /userinfo leaked the user: ${me.text}`);
  const info = await introspect(token);
  assert.equal(info.status, 200, `${name}: /introspect answered ${info.status} ${info.text}`);
  assert.deepEqual(info.data, { active: false }, `${name}: /introspect answered ${info.text}`);
}

test('control: the real access token is accepted by /userinfo and /introspect', async () => {
  assert.equal(endpoints.userinfo_endpoint, `${atm.url}/userinfo`);
  assert.equal(endpoints.introspection_endpoint, `${atm.url}/introspect`);
  await assertAccepted(realToken);
  // Introspection says nothing about a token without valid client
  // authentication: the {"active": false} below comes from the token.
  const form = (fields) => request(endpoints.introspection_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: realToken, ...fields }).toString(),
  });
  const wrongSecret = await form({ client_id: DEMO.clientId, client_secret: OTHER.clientSecret });
  assert.equal(wrongSecret.status, 401, wrongSecret.text);
  assert.equal(wrongSecret.data.error, 'invalid_client');
  const anonymous = await form({});
  assert.ok(anonymous.status >= 400 && anonymous.status < 500, anonymous.text);
  assert.equal(anonymous.data.active, undefined, anonymous.text);
});

test('alg "none" with an empty signature, built from a real token, is refused', async () => {
  const { header, payload } = decode(realToken);
  const cases = [
    ['none, kid kept', { ...header, alg: 'none' }, ''],
    ['none, no kid', { alg: 'none', typ: 'JWT' }, ''],
    ['NONE', { ...header, alg: 'NONE' }, ''],
    ['None', { ...header, alg: 'None' }, ''],
    ['none, real signature kept', { ...header, alg: 'none' }, decode(realToken).segments[2]],
  ];
  for (const [name, forgedHeader, signature] of cases) {
    await assertRefused(`${b64json(forgedHeader)}.${b64json(payload)}.${signature}`, name);
  }
  await assertAccepted(realToken);
});

test('HS256 "signed" with the server\'s RSA public key as the HMAC secret is refused', async () => {
  const { header, payload } = decode(realToken);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const pem = key.export({ type: 'spki', format: 'pem' });
  const secrets = [
    ['SPKI PEM', pem],
    ['SPKI PEM without the final newline', pem.trimEnd()],
    ['SPKI DER', key.export({ type: 'spki', format: 'der' })],
    ['PKCS#1 PEM', key.export({ type: 'pkcs1', format: 'pem' })],
    ['the JWK as JSON', JSON.stringify(jwk)],
    ['the modulus', Buffer.from(jwk.n, 'base64url')],
  ];
  for (const [name, secret] of secrets) {
    await assertRefused(hs256({ ...header, alg: 'HS256' }, payload, secret), `HS256 with ${name}, kid kept`);
    await assertRefused(hs256({ alg: 'HS256', typ: 'JWT' }, payload, secret), `HS256 with ${name}, no kid`);
  }
  await assertAccepted(realToken);
});

test('a real token with one payload claim changed, its signature kept, is refused', async () => {
  const { payload, segments } = decode(realToken);
  // Re-encoding the payload unchanged gives the same bytes: only the change
  // below can make the server refuse.
  assert.equal(b64json(payload), segments[1]);
  assert.equal(`${segments[0]}.${b64json(payload)}.${segments[2]}`, realToken);
  const changes = [
    ['exp a day later', { exp: payload.exp + 86400 }],
    ['another audience', { aud: OTHER.clientId, client_id: OTHER.clientId }],
    ['another subject', { sub: 'someone-else', scope: { ...payload.scope, id: 'someone-else' } }],
    ['another email', { scope: { ...payload.scope, email: OTHER.email } }],
    ['another issuer', { iss: 'https://evil.example.net' }],
    ['another jti', { jti: `${payload.jti}x` }],
  ];
  for (const [name, change] of changes) {
    await assertRefused(`${segments[0]}.${b64json({ ...payload, ...change })}.${segments[2]}`, name);
  }
  await assertAccepted(realToken);
});

test('a real token whose kid names an unknown key is refused, even when validly signed by that key', async () => {
  const { header, payload, segments } = decode(realToken);
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
  const cases = [
    // The real token with only its kid changed (the signature no longer
    // covers the header, but the lookup must fail first or as well).
    ['the real token, kid changed', `${b64json({ ...header, kid: 'unknown-key' })}.${segments[1]}.${segments[2]}`],
    ['the real token, kid removed',
      `${b64json({ alg: header.alg, typ: header.typ })}.${segments[1]}.${segments[2]}`],
    // A valid RS256 signature by a key atm never published.
    ['signed by an unpublished key, unknown kid', rs256({ ...header, kid: 'attacker-key' }, payload, attacker.privateKey)],
    ['signed by an unpublished key, the real kid', rs256(header, payload, attacker.privateKey)],
    ['signed by an unpublished key embedded as jwk (CVE-2018-0114)',
      rs256({ ...header, kid: 'attacker-key', jwk: { ...attackerJwk, kid: 'attacker-key' } }, payload, attacker.privateKey)],
    ['signed by an unpublished key, jku pointing elsewhere',
      rs256({ ...header, kid: 'attacker-key', jku: 'http://127.0.0.1:9/jwks.json' }, payload, attacker.privateKey)],
    ['signed by an unpublished key, kid as SQL', rs256({ ...header, kid: "' OR '1'='1" }, payload, attacker.privateKey)],
    ['signed by an unpublished key, kid as a path', rs256({ ...header, kid: '../../../../dev/null' }, payload, attacker.privateKey)],
  ];
  for (const [name, token] of cases) await assertRefused(token, name);
  await assertAccepted(realToken);
});
