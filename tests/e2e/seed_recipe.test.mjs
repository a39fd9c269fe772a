// The seed document's own JavaScript recipe, verbatim, run against the real
// binary: the verifier "123456789" and its SHA512 hex challenge, axios for
// POST /auth and POST /auth/token (JSON bodies, clientId / clientSecret /
// grant_types), the refresh body without a secret (clientId, refresh_token,
// id_token, grantType), then jwks-rsa + jsonwebtoken.verify with algorithms
// ['RS256'] against /auth/.well-known/jwks.json.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';

import axios from 'axios';
import jwt from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';

import { DEMO, demoToml, startAtm, stopAll } from './support/server.mjs';

let atm;
let tokens;
before(async () => {
  atm = await startAtm();
  // The recipe: its verifier, its SHA512 challenge, /auth, then /auth/token.
  const codeVerifier = '123456789';
  const codeChallenge = createHash('sha512').update(codeVerifier).digest('hex');
  const auth = await axios.post(`${atm.url}/auth`, {
    loginId: DEMO.email,
    password: DEMO.password,
    clientId: DEMO.clientId,
    code_challenge: codeChallenge,
    code_challenge_method: 'SHA512',
  }, { timeout: 10000 });
  assert.equal(auth.status, 200);
  assert.equal(auth.data.redirectUrl, DEMO.redirectUrl);
  const token = await axios.post(`${atm.url}/auth/token`, {
    clientId: DEMO.clientId,
    clientSecret: DEMO.clientSecret,
    grant_types: 'authorization_code',
    code: auth.data.code,
    code_verifier: codeVerifier,
  }, { timeout: 10000 });
  assert.equal(token.status, 200);
  tokens = token.data;
});
after(stopAll);

// Logs in with the recipe's verifier and the given ATM method; the token
// request's answer (any status).
async function exchange(method, verifier = '123456789') {
  const challenge = createHash(method.toLowerCase()).update(verifier).digest('hex');
  const auth = await axios.post(`${atm.url}/auth`, {
    loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId,
    code_challenge: challenge, code_challenge_method: method,
  }, { timeout: 10000 });
  return axios.post(`${atm.url}/auth/token`, {
    clientId: DEMO.clientId, clientSecret: DEMO.clientSecret,
    grant_types: 'authorization_code', code: auth.data.code, code_verifier: verifier,
  }, { timeout: 10000, validateStatus: () => true });
}

test('the recipe\'s 9-character verifier works with SHA256 too', async () => {
  const r = await exchange('SHA256');
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(typeof r.data.access_token, 'string');
});

test('a wrong verifier is refused with invalid_grant', async () => {
  const auth = await axios.post(`${atm.url}/auth`, {
    loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId,
    code_challenge: createHash('sha256').update('123456789').digest('hex'), code_challenge_method: 'SHA256',
  }, { timeout: 10000 });
  const r = await axios.post(`${atm.url}/auth/token`, {
    clientId: DEMO.clientId, clientSecret: DEMO.clientSecret,
    grant_types: 'authorization_code', code: auth.data.code, code_verifier: '987654321',
  }, { timeout: 10000, validateStatus: () => true });
  assert.equal(r.status, 400);
  assert.equal(r.data.error, 'invalid_grant');
});

test('the recipe\'s refresh body, without a secret, rotates the refresh token', async () => {
  const r = await axios.post(`${atm.url}/auth/token`, {
    clientId: DEMO.clientId,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    grantType: 'refresh_token',
  }, { timeout: 10000 });
  assert.equal(r.status, 200);
  assert.notEqual(r.data.refresh_token, tokens.refresh_token);
  assert.equal(r.data.exp_access_token, 600);
  await verifier()(r.data.access_token, { audience: DEMO.clientId, issuer: 'atm' });
});

test('with pkce.strict_verifiers the ATM endpoints apply RFC 7636 §4.1 too', async () => {
  const strict = await startAtm({ config: demoToml({ extra: '[pkce]\nstrict_verifiers = true' }) });
  const challenge = createHash('sha512').update('123456789').digest('hex');
  const auth = await axios.post(`${strict.url}/auth`, {
    loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId,
    code_challenge: challenge, code_challenge_method: 'SHA512',
  }, { timeout: 10000 });
  const r = await axios.post(`${strict.url}/auth/token`, {
    clientId: DEMO.clientId, clientSecret: DEMO.clientSecret,
    grant_types: 'authorization_code', code: auth.data.code, code_verifier: '123456789',
  }, { timeout: 10000, validateStatus: () => true });
  assert.equal(r.status, 400);
  assert.equal(r.data.error, 'invalid_request');
  assert.match(r.data.error_description, /43 to 128/);
});

function verifier() {
  const client = jwksClient({ jwksUri: `${atm.url}/auth/.well-known/jwks.json`, timeout: 10000 });
  function getKey(header, callback) {
    client.getSigningKey(header.kid, (err, key) => {
      if (err) return callback(err);
      callback(null, key.publicKey || key.rsaPublicKey);
    });
  }
  return (token, options = {}) => new Promise((resolve, reject) => {
    jwt.verify(token, getKey, { algorithms: ['RS256'], ...options }, (err, decoded) => (err ? reject(err) : resolve(decoded)));
  });
}

test('the token response has the documented fields', () => {
  for (const k of ['id_token', 'access_token', 'refresh_token']) assert.equal(typeof tokens[k], 'string', k);
  assert.equal(tokens.exp_access_token, 600);
});

test('the access token verifies with jwks-rsa + jsonwebtoken and has the ATM claim shape', async () => {
  const claims = await verifier()(tokens.access_token);
  assert.equal(claims.iss, 'atm');
  assert.equal(claims.aud, DEMO.clientId);
  assert.equal(typeof claims.iat, 'number');
  assert.equal(claims.exp - claims.iat, 600);
  assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 60, 'iat is now');
  assert.deepEqual(Object.keys(claims.scope).sort(), ['email', 'firstName', 'id', 'lastName']);
  assert.equal(claims.scope.email, DEMO.email);
  assert.equal(claims.scope.firstName, DEMO.firstName);
  assert.equal(claims.scope.lastName, DEMO.lastName);
  assert.match(claims.scope.id, /^[A-Za-z0-9_-]{21}$/);
});

test('the access token verifies with the audience and issuer pinned', async () => {
  await verifier()(tokens.access_token, { audience: DEMO.clientId, issuer: 'atm' });
  await assert.rejects(verifier()(tokens.access_token, { audience: 'another-client' }), /audience/);
});

test('the ID token verifies the same way and carries the OpenID claims', async () => {
  const id = await verifier()(tokens.id_token, { audience: DEMO.clientId, issuer: 'atm' });
  assert.equal(id.sub, decodeSub(tokens.access_token));
  assert.equal(id.email, DEMO.email);
  assert.equal(id.given_name, DEMO.firstName);
  assert.equal(id.family_name, DEMO.lastName);
  assert.equal(typeof id.auth_time, 'number');
});

test('a tampered access token fails verification', async () => {
  const [h, p, s] = tokens.access_token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  claims.scope.email = 'admin@example.com';
  const forged = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
  await assert.rejects(verifier()(forged), /invalid signature/);
});

test('a token signed with HS256 and the public key is rejected by the recipe', async () => {
  const jwks = (await axios.get(`${atm.url}/auth/.well-known/jwks.json`, { timeout: 10000 })).data;
  const forged = jwt.sign({ sub: 'mallory' }, JSON.stringify(jwks.keys[0]), {
    algorithm: 'HS256', keyid: jwks.keys[0].kid,
  });
  await assert.rejects(verifier()(forged));
});

function decodeSub(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).sub;
}
