// The smoke run for a gateway build (README "ARM gateways"): on a file
// database, the seed's authorization code + PKCE flow (/auth, /auth/token,
// JSON bodies, the demo application and user), the tokens verified against
// the JWKS, a refresh, SIGTERM with exit 0, a restart on the same database
// that keeps the signing key and the refresh token family (a rotated token
// reused after the restart still revokes the login), and SIGTERM again.
// scripts/cross_build.sh runs it on the ARM binaries under qemu-user
// (ATM_EMULATOR); the native suite runs it too. Every wait is bounded.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { createLocalJWKSet, jwtVerify } from 'jose';

import { ATM_EMULATOR, DEMO, demoToml, postJson, startAtm, stopAll, tempDir, writeConfig } from './support/server.mjs';

after(stopAll);

// Under emulation everything is 10-30 times slower, and the first RSA key
// (generated at the first start, awaited by the first token) more so.
const slow = ATM_EMULATOR ? 12 : 1;
const bound = (ms) => ms * slow;

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(bound(20000)) });
  assert.equal(res.status, 200, `GET ${url}`);
  return res.json();
}

// The seed's flow: a hex SHA256 challenge, /auth, then the code at /auth/token.
async function signIn(url) {
  const verifier = randomBytes(32).toString('hex');
  const challenge = createHash('sha256').update(verifier).digest('hex');
  const auth = await postJson(`${url}/auth`, {
    loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId,
    code_challenge: challenge, code_challenge_method: 'SHA256',
  }, { timeoutMs: bound(10000) });
  assert.equal(auth.status, 200, JSON.stringify(auth.body));
  assert.equal(auth.body.redirectUrl, DEMO.redirectUrl);
  assert.match(auth.body.code, /^[A-Za-z0-9]{50}$/);
  const token = await postJson(`${url}/auth/token`, {
    clientId: DEMO.clientId, clientSecret: DEMO.clientSecret,
    grant_types: 'authorization_code', code: auth.body.code, code_verifier: verifier,
  }, { timeoutMs: bound(20000) });
  assert.equal(token.status, 200, JSON.stringify(token.body));
  assert.equal(token.headers.get('cache-control'), 'no-store');
  return token.body;
}

function refresh(url, tokens) {
  return postJson(`${url}/auth/token`, {
    clientId: DEMO.clientId, grantType: 'refresh_token',
    refresh_token: tokens.refresh_token, id_token: tokens.id_token,
  }, { timeoutMs: bound(10000) });
}

// Verifies the access and ID tokens against the server's JWKS; returns the
// access token's header and payload.
async function verifyTokens(url, tokens) {
  const keys = createLocalJWKSet(await getJson(`${url}/auth/.well-known/jwks.json`));
  const access = await jwtVerify(tokens.access_token, keys, {
    issuer: 'atm', audience: DEMO.clientId, algorithms: ['RS256'],
  });
  assert.equal(access.payload.scope.email, DEMO.email);
  assert.equal(access.payload.scope.firstName, DEMO.firstName);
  const id = await jwtVerify(tokens.id_token, keys, { audience: DEMO.clientId, algorithms: ['RS256'] });
  assert.equal(id.payload.email, DEMO.email);
  assert.equal(id.payload.sub, access.payload.sub);
  return access;
}

async function start(configPath, db) {
  const atm = await startAtm({ config: { path: configPath }, db, timeoutMs: bound(10000) });
  assert.match(atm.stdoutLines[0], /^atm listening on http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await getJson(`${atm.url}/health`)).status, 'ok');
  return atm;
}

async function stop(atm) {
  const { code, signal } = await atm.stop('SIGTERM', bound(5000));
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, atm.stderr);
  assert.deepEqual(atm.stdoutLines, [atm.stdoutLines[0]], 'stdout carries only the listening line');
}

test('sign in, refresh, SIGTERM, restart on the same file database, SIGTERM', { timeout: bound(60000) }, async () => {
  const dir = tempDir('atm-gateway-');
  const configPath = writeConfig(demoToml(), dir);
  const db = path.join(dir, 'atm.db');

  // First run: a new database, its first signing key, one login refreshed once.
  const first = await start(configPath, db);
  const issued = await signIn(first.url);
  const before = await verifyTokens(first.url, issued);
  const rotated = await refresh(first.url, issued);
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  assert.notEqual(rotated.body.refresh_token, issued.refresh_token);
  const refreshed = await verifyTokens(first.url, rotated.body);
  assert.equal(refreshed.payload.sub, before.payload.sub);
  const kidsBefore = (await getJson(`${first.url}/auth/.well-known/jwks.json`)).keys.map((k) => k.kid).sort();
  await stop(first);
  assert.ok(existsSync(db), 'the database file exists after the first run');

  // Second run on the same file: the same keys, so the tokens issued before
  // still verify; the live refresh token rotates; the one rotated away before
  // the restart is recognised as reused and revokes the login.
  const second = await start(configPath, db);
  const kidsAfter = (await getJson(`${second.url}/auth/.well-known/jwks.json`)).keys.map((k) => k.kid).sort();
  assert.deepEqual(kidsAfter, kidsBefore, 'the signing keys survive the restart');
  await verifyTokens(second.url, rotated.body);
  const again = await refresh(second.url, rotated.body);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  const afterRestart = await verifyTokens(second.url, again.body);
  assert.equal(afterRestart.protectedHeader.kid, before.protectedHeader.kid);
  assert.equal(afterRestart.payload.sub, before.payload.sub);
  const reused = await refresh(second.url, issued);
  assert.equal(reused.status, 400, JSON.stringify(reused.body));
  assert.equal(reused.body.error, 'invalid_grant');
  const revoked = await refresh(second.url, again.body);
  assert.equal(revoked.status, 400, 'the reuse revoked the whole login');
  // A new sign-in still works after all that.
  await verifyTokens(second.url, await signIn(second.url));
  await stop(second);
});
