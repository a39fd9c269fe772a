// Secrets at rest, end to end on a database file: signing keys encrypted with
// ATM_KEY_ENCRYPTION_KEY or keys.encryption_key_file (and existing plaintext
// keys migrated), clear start-up errors without the right key, and refusal to
// run with secret-holding files that every user can read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as jose from 'jose';

import { configToml, request, runAtm, signIn, startAtm, tempDir } from './support/harness.mjs';

const sql = (db, query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();

function setup() {
  const dir = tempDir('atm-secrets-');
  const config = path.join(dir, 'config.toml');
  fs.writeFileSync(config, configToml(), { mode: 0o600 });
  return { dir, config, db: path.join(dir, 'atm.db') };
}

async function withServer(opts, fn) {
  const atm = await startAtm(opts);
  try {
    return await fn(atm);
  } finally {
    const { code } = await atm.stop();
    assert.equal(code, 0);
  }
}

// The database and its WAL must not contain a private key in the clear.
function assertNoPlaintextKey(db) {
  const stored = sql(db, 'SELECT private_pem FROM signing_keys;').split('\n');
  assert.ok(stored.length >= 1 && stored[0] !== '');
  for (const pem of stored) assert.match(pem, /^atm-enc:v1:[A-Za-z0-9_-]+$/);
  for (const file of [db, `${db}-wal`]) {
    if (fs.existsSync(file)) assert.ok(!fs.readFileSync(file).includes('PRIVATE KEY'), `${file} holds a plaintext key`);
  }
}

async function verifies(atm, token) {
  const jwks = (await request(`${atm.url}/auth/.well-known/jwks.json`)).data;
  await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), { issuer: 'atm' });
  return true;
}

async function startFails(args, env = {}) {
  const r = await runAtm(['--port', '0', ...args], { env });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  return lines[0];
}

test('with ATM_KEY_ENCRYPTION_KEY the signing key is stored encrypted and works across restarts', async () => {
  const { dir, db } = setup();
  const env = { ATM_KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  const token = await withServer({ dir, db, env }, async (atm) => (await signIn(atm.url)).access_token);
  assertNoPlaintextKey(db);
  await withServer({ dir, db, env }, async (atm) => assert.ok(await verifies(atm, token)));
});

test('without the key, or with another one, start-up stops with one clear line and exit 2', async () => {
  const { dir, config, db } = setup();
  const key = randomBytes(32).toString('hex');
  await withServer({ dir, db, env: { ATM_KEY_ENCRYPTION_KEY: key } }, async () => {});
  const missing = await startFails(['--config', config, '--db', db], { ATM_KEY_ENCRYPTION_KEY: '' });
  assert.match(missing, /^atm: the signing keys in the database are encrypted: set ATM_KEY_ENCRYPTION_KEY/);
  const wrong = await startFails(['--config', config, '--db', db], { ATM_KEY_ENCRYPTION_KEY: 'f'.repeat(64) });
  assert.match(wrong, /^atm: cannot decrypt signing key \S+: the key-encryption key is not the one/);
  const malformed = await startFails(['--config', config, '--db', db], { ATM_KEY_ENCRYPTION_KEY: 'hunter2' });
  assert.match(malformed, /^atm: ATM_KEY_ENCRYPTION_KEY: expected a 256-bit key: 64 hex characters/);
});

test('plaintext keys of an existing database are encrypted once a key is configured', async () => {
  const { dir, db } = setup();
  const { token, kid } = await withServer({ dir, db }, async (atm) => {
    const t = (await signIn(atm.url)).access_token;
    return { token: t, kid: jose.decodeProtectedHeader(t).kid };
  });
  assert.match(sql(db, 'SELECT private_pem FROM signing_keys;'), /BEGIN PRIVATE KEY/);
  const env = { ATM_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  await withServer({ dir, db, env }, async (atm) => {
    assert.ok(await verifies(atm, token), 'tokens signed before the migration still verify');
    const t = (await signIn(atm.url)).access_token;
    assert.equal(jose.decodeProtectedHeader(t).kid, kid, 'the same key signs');
  });
  assertNoPlaintextKey(db);
});

test('keys.encryption_key_file works when private and is refused when world-readable', async () => {
  const { dir, db } = setup();
  const keyFile = path.join(dir, 'kek');
  fs.writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const config = configToml({ extra: `[keys]\nencryption_key_file = "${keyFile}"\n` });
  await withServer({ dir, db, config }, async (atm) => assert.ok((await signIn(atm.url)).access_token));
  assertNoPlaintextKey(db);

  fs.chmodSync(keyFile, 0o644);
  const configPath = path.join(dir, 'config.toml');
  const line = await startFails(['--config', configPath, '--db', db]);
  assert.equal(line, `atm: keys.encryption_key_file: ${keyFile} is open to every user of this machine (mode 0644); ` +
    `it holds secrets: run chmod 600 ${keyFile}`);
  const both = await startFails(['--config', configPath, '--db', db], { ATM_KEY_ENCRYPTION_KEY: 'a'.repeat(64) });
  assert.match(both, /ATM_KEY_ENCRYPTION_KEY and keys\.encryption_key_file are both set/);
});

test('a new database file is created readable by its owner only', async () => {
  const { dir, db } = setup();
  await withServer({ dir, db }, async (atm) => assert.equal((await request(`${atm.url}/health`)).status, 200));
  assert.equal(fs.statSync(db).mode & 0o777, 0o600);
  for (const companion of [`${db}-wal`, `${db}-shm`]) {
    if (fs.existsSync(companion)) assert.equal(fs.statSync(companion).mode & 0o007, 0, companion);
  }
});

test('atm refuses to start with a world-readable database and says why', async () => {
  const { dir, config, db } = setup();
  await withServer({ dir, db }, async () => {});
  fs.chmodSync(db, 0o644);
  const line = await startFails(['--config', config, '--db', db]);
  assert.equal(line, `atm: storage.path: ${db} is open to every user of this machine (mode 0644); ` +
    `it holds secrets: run chmod 600 ${db}`);
  fs.chmodSync(db, 0o600);
  await withServer({ dir, db }, async (atm) => assert.equal((await request(`${atm.url}/health`)).status, 200));
});

test('atm refuses a world-readable TLS key or signing key file', async () => {
  const dir = tempDir('atm-secrets-keys-');
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.pem', '-days', '1',
    '-subj', '/CN=127.0.0.1');
  run('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'signing.pem');
  const tlsKey = path.join(dir, 'tls.key');
  const signing = path.join(dir, 'signing.pem');
  fs.chmodSync(tlsKey, 0o644);
  fs.chmodSync(signing, 0o604);
  const tlsConfig = path.join(dir, 'tls.toml');
  fs.writeFileSync(tlsConfig, `[server.tls]\ncert_file = "${path.join(dir, 'tls.pem')}"\nkey_file = "${tlsKey}"\n`);
  assert.match(await startFails(['--config', tlsConfig, '--db', ':memory:']),
    /^atm: server\.tls\.key_file: .*tls\.key is open to every user of this machine \(mode 0644\)/);
  const keyConfig = path.join(dir, 'keys.toml');
  fs.writeFileSync(keyConfig, `[keys]\nkey_file = "${signing}"\n`);
  assert.match(await startFails(['--config', keyConfig, '--db', ':memory:']),
    /^atm: keys\.key_file: .*signing\.pem is open to every user of this machine \(mode 0604\)/);
  fs.chmodSync(signing, 0o600);
  const atm = await startAtm({ dir, config: `[keys]\nkey_file = "${signing}"\n` });
  assert.equal((await request(`${atm.url}/health`)).status, 200);
  await atm.stop();
});
