// Starting and stopping the binary (README "Running it", "Configuration", "How
// it keeps secrets"): the listening line, port 0, clean exit on SIGTERM/SIGINT,
// one-line config errors with exit 2, nothing on disk with :memory:, idempotent
// seeding and a persisted signing key with a file database, and a static
// executable.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { createLocalJWKSet, jwtVerify } from 'jose';

import {
  ATM_BIN, DEMO, demoApplicationToml, demoToml, login, pkce, runAtm, startAtm, stopAll, tempDir, writeConfig,
} from './support/server.mjs';

after(stopAll);

test('it prints exactly one line, "atm listening on http://HOST:PORT", with the real port', async () => {
  const atm = await startAtm();
  assert.match(atm.stdoutLines[0], /^atm listening on http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(atm.port > 0 && atm.port < 65536, `port ${atm.port}`);
  const res = await fetch(`${atm.url}/health`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200);
  assert.equal((await atm.stop()).code, 0);
  assert.deepEqual(atm.stdoutLines, [atm.stdoutLines[0]], 'stdout carries only the listening line');
});

test('two servers on port 0 get two different ports', async () => {
  const [a, b] = await Promise.all([startAtm(), startAtm()]);
  assert.notEqual(a.port, b.port);
  await Promise.all([a.stop(), b.stop()]);
});

test('on an IPv6 host the listening line is a usable URL', async (t) => {
  const ipv6 = await new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
  if (!ipv6) return t.skip('no IPv6 loopback on this machine');
  const atm = await startAtm({ config: demoToml().replace('host = "127.0.0.1"', 'host = "::1"') });
  assert.match(atm.stdoutLines[0], /^atm listening on http:\/\/\[::1\]:\d+$/);
  const res = await fetch(`${atm.url}/health`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200);
  await atm.stop();
});

test('a port already in use is a one-line error with exit 2', async () => {
  const first = await startAtm();
  const { code, stderr } = await runAtm(['--config', first.configPath, '--port', String(first.port), '--db', ':memory:']);
  assert.equal(code, 2, stderr);
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], new RegExp(`127\\.0\\.0\\.1:${first.port}`));
  await first.stop();
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  test(`${signal} stops it with exit status 0`, async () => {
    const atm = await startAtm();
    await login(atm.url);  // it has served a flow, and holds a key and a store
    const { code, signal: killedBy } = await atm.stop(signal);
    assert.equal(killedBy, null, `killed by ${killedBy}\n${atm.stderr}`);
    assert.equal(code, 0, atm.stderr);
  });
}

test('SIGTERM lets a request in flight finish before exiting 0', async () => {
  const atm = await startAtm();
  const { challenge } = pkce();
  const body = JSON.stringify({ loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId,
    code_challenge: challenge, code_challenge_method: 'S256' });
  const socket = net.connect(atm.port, '127.0.0.1');
  let response = '';
  socket.setEncoding('utf8');
  socket.on('data', (d) => { response += d; });
  const closed = new Promise((resolve) => socket.on('close', resolve));
  await new Promise((resolve) => socket.once('connect', resolve));
  // Headers and half the body: the server has taken the request and waits for the rest.
  socket.write(`POST /auth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 20)}`);
  await sleep(500);
  atm.proc.kill('SIGTERM');
  await sleep(300);
  socket.write(body.slice(20));  // write, not end: httplib drops the answer to a half-closed socket
  await Promise.race([closed, sleep(5000)]);
  assert.match(response, /^HTTP\/1\.1 200 /, response);
  assert.match(response, /"code":"[A-Za-z0-9]{50}"/);
  assert.equal((await atm.stop()).code, 0, atm.stderr);
});

describe('a bad config stops start-up with exit 2 and one line naming the file and the key', () => {
  const cases = [
    ['an unknown key', '[server]\nportt = 8080\n', 'server.portt', /unknown key/],
    ['a wrong type', '[tokens]\naccess_token_ttl = true\n', 'tokens.access_token_ttl', /expected a duration/],
    ['an out-of-range value', '[passwords]\nscrypt_log_n = 99\n', 'passwords.scrypt_log_n', /from 4 to 22/],
    ['a seeded user without email', demoToml({ applications:
      '[[applications]]\nname = "A"\nredirect_url = "http://localhost/cb"\n[[applications.users]]\npassword = "H123456789"\n' }),
      'applications[0].users[0].email', /required/],
    ['a seeded application with a bad redirect URL', demoToml({ applications:
      '[[applications]]\nname = "A"\nredirect_url = "http://example.com/cb"\n' }),
      'applications[0].redirect_url', /https/],
    ['bad TOML', '[server\nport = 1\n', '', /:1:/],
  ];
  for (const [name, toml, key, what] of cases) {
    test(name, async () => {
      const file = writeConfig(toml);
      const { code, stdout, stderr } = await runAtm(['--config', file, '--port', '0', '--db', ':memory:']);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      const lines = stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
      assert.ok(lines[0].includes(file), `names the file: ${lines[0]}`);
      if (key) assert.ok(lines[0].includes(key), `names the key ${key}: ${lines[0]}`);
      assert.match(lines[0], what);
    });
  }

  test('a missing file', async () => {
    const missing = path.join(tempDir(), 'missing.toml');
    const { code, stderr } = await runAtm(['--config', missing, '--port', '0']);
    assert.equal(code, 2);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.ok(stderr.includes(missing), stderr);
  });

  test('a database that cannot be opened', async () => {
    const { code, stderr } = await runAtm(['--config', writeConfig(demoToml()), '--port', '0',
      '--db', '/nonexistent-dir/atm.db']);
    assert.equal(code, 2);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.ok(stderr.includes('/nonexistent-dir/atm.db'), stderr);
  });

  test('a bad --port', async () => {
    const { code, stderr } = await runAtm(['--config', writeConfig(demoToml()), '--port', 'eighty']);
    assert.equal(code, 2);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /--port/);
  });
});

test('--db :memory: leaves nothing on disk', async () => {
  const dir = tempDir();
  writeConfig(demoToml(), dir);  // the config's storage.path is the default, atm.db
  const atm = await startAtm({ config: { path: path.join(dir, 'config.toml') }, cwd: dir });
  await login(atm.url);
  assert.equal((await atm.stop()).code, 0);
  assert.deepEqual(readdirSync(dir), ['config.toml']);
});

describe('with a database file', () => {
  const dir = tempDir();
  const db = path.join(dir, 'atm.db');
  // The demo application, plus one without credentials: atm generates them once.
  const config = writeConfig(demoToml({ applications: `${demoApplicationToml()}
[[applications]]
name         = "Generated"
redirect_url = "https://generated.example.com/cb"

  [[applications.users]]
  email    = "gen.user@example.com"
  password = "G123456789"
` }), dir);
  const sql = (query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8', timeout: 5000 }).trim();
  const generatedLine = /seeded application (\S+) got a generated client secret: (\S+)/;
  let first;  // {clientId, clientSecret, tokens, kid, users}

  test('the first start seeds and creates a signing key', async () => {
    const atm = await startAtm({ config: { path: config }, db });
    const { tokens } = await login(atm.url);
    assert.equal((await atm.stop()).code, 0, atm.stderr);
    const m = generatedLine.exec(atm.stderr);
    assert.ok(m, `the generated secret is shown once:\n${atm.stderr}`);
    assert.match(m[1], /^[A-Za-z0-9]{20}$/);
    assert.match(m[2], /^[A-Za-z0-9]{32}$/);
    assert.equal(sql('SELECT COUNT(*) FROM clients'), '2');
    assert.equal(sql('SELECT COUNT(*) FROM users'), '2');
    assert.equal(sql('SELECT COUNT(*) FROM signing_keys'), '1');
    assert.equal(sql('PRAGMA journal_mode'), 'wal');
    first = { clientId: m[1], clientSecret: m[2], tokens,
      users: sql('SELECT id, password_hash FROM users ORDER BY id'), kid: sql('SELECT kid FROM signing_keys') };
  });

  test('a restart seeds nothing new and keeps the key; old tokens still verify', async () => {
    assert.ok(first, 'needs the first start');
    const atm = await startAtm({ config: { path: config }, db });
    try {
      assert.doesNotMatch(atm.stderr, generatedLine);
      assert.equal(sql('SELECT COUNT(*) FROM clients'), '2');
      assert.equal(sql('SELECT id, password_hash FROM users ORDER BY id'), first.users);
      assert.equal(sql('SELECT kid FROM signing_keys'), first.kid);
      // The generated credentials of the first start still work.
      await login(atm.url, { clientId: first.clientId, clientSecret: first.clientSecret,
        email: 'gen.user@example.com', password: 'G123456789' });
      // A token issued before the restart verifies against the JWKS after it.
      const jwks = await (await fetch(`${atm.url}/auth/.well-known/jwks.json`)).json();
      assert.deepEqual(jwks.keys.map((k) => k.kid), [first.kid]);
      const { payload, protectedHeader } = await jwtVerify(first.tokens.access_token, createLocalJWKSet(jwks), {
        issuer: 'atm', audience: DEMO.clientId, algorithms: ['RS256'],
      });
      assert.equal(protectedHeader.kid, first.kid);
      assert.equal(payload.scope.email, DEMO.email);
      // And its refresh token still refreshes.
      const res = await fetch(`${atm.url}/auth/token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: DEMO.clientId, refresh_token: first.tokens.refresh_token,
          id_token: first.tokens.id_token, grantType: 'refresh_token' }),
      });
      assert.equal(res.status, 200, await res.text());
    } finally {
      assert.equal((await atm.stop()).code, 0);
    }
  });
});

test('a password_hash printed by `atm hash-password` seeds a user who can sign in', async () => {
  const hashed = await runAtm(['hash-password', '--cost', '10'], { input: 'S3cret-password\n' });
  assert.equal(hashed.code, 0, hashed.stderr);
  const hash = hashed.stdout.trim();
  assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
  const atm = await startAtm({ config: demoToml({ applications: `${demoApplicationToml()}
  [[applications.users]]
  email         = "hashed@example.com"
  password_hash = "${hash}"
` }) });
  await login(atm.url, { email: 'hashed@example.com', password: 'S3cret-password' });
  await assert.rejects(login(atm.url, { email: 'hashed@example.com', password: 'S3cret-passwordX' }), /401/);
  await atm.stop();
});

// The sanitizer build (scripts/ci_extra.sh sets ATM_SANITIZED) links ASan's
// runtime dynamically; the shipped build must be static.
test('the executable is statically linked', { skip: process.env.ATM_SANITIZED ? 'sanitizer build' : false }, () => {
  const out = execFileSync('file', ['-L', ATM_BIN], { encoding: 'utf8', timeout: 5000 });
  assert.match(out, /statically linked/);
});
