// Starting and stopping: TOML text, errors that say what is wrong, SIGTERM and
// the SIGKILL bound, the temporary folder, several servers side by side.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAtm } from '../../../helpers/node/atm.mjs';

const started = [];
const start = async (options) => {
  const s = await startAtm(options);
  started.push(s);
  return s;
};
after(() => Promise.all(started.map((s) => s.stop(1000))));

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('stop() sends SIGTERM: atm exits 0, the process is gone and so is the temporary folder', async () => {
  const atm = await start();
  assert.ok(alive(atm.pid));
  assert.ok(existsSync(atm.configPath));
  assert.equal(readFileSync(atm.configPath, 'utf8').includes('scrypt_log_n = 10'), true);
  // Shutdown waits for a signing key still being generated (low priority, slow on
  // a busy machine): have it first, so that SIGTERM alone is what is tested.
  assert.equal((await atm.request('GET', '/.well-known/jwks.json')).status, 200);
  assert.deepEqual(await atm.stop(), { code: 0, signal: null });
  assert.equal(alive(atm.pid), false);
  assert.equal(existsSync(atm.dir), false);
  assert.deepEqual(await atm.stop(), { code: 0, signal: null });   // twice is fine
});

test('stop() sends SIGKILL when atm does not exit within the bound', async () => {
  const atm = await start();
  process.kill(atm.pid, 'SIGSTOP');   // a hung server: SIGTERM stays pending
  const t0 = performance.now();
  const result = await atm.stop(300);
  assert.deepEqual(result, { code: null, signal: 'SIGKILL' });
  assert.ok(performance.now() - t0 >= 250);
  assert.equal(existsSync(atm.dir), false);
});

test('a config as TOML text is used as it is (no applications known to the helper)', async () => {
  const atm = await start({
    config: `[passwords]
scrypt_log_n = 10
[tokens]
issuer = "from-toml"
[[applications]]
name = "Toml App"
client_id = "toml-app"
client_secret = "toml-app-secret-0123456789abcdef"
redirect_url = "http://localhost:3000/callback"
  [[applications.users]]
  email = "toml@example.com"
  password = "toml-password"
`,
  });
  assert.deepEqual(atm.applications, []);
  assert.equal(atm.app, undefined);
  const tokens = await atm.signIn({ clientId: 'toml-app', clientSecret: 'toml-app-secret-0123456789abcdef',
    email: 'toml@example.com', password: 'toml-password' });
  assert.equal(JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url')).iss, 'from-toml');
});

test('the server.public_url of the config is the issuer', async () => {
  const atm = await start({ config: { server: { public_url: 'https://login.example.test' }, applications: [] } });
  assert.equal(atm.issuer, 'https://login.example.test');
  assert.match(atm.url, /^http:\/\/127\.0\.0\.1:\d+$/);   // requests still go to the real address
});

test('a bad config fails start() with atm\'s own message, and leaves nothing running', async () => {
  await assert.rejects(startAtm({ config: { server: { no_such_key: 1 } } }),
    /atm exited \(2\) before listening[\s\S]*server\.no_such_key/);
});

test('without bin or ATM_BIN, atm is found on PATH', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'atm-path-'));
  const saved = process.env.ATM_BIN;
  try {
    symlinkSync(path.resolve(saved), path.join(dir, 'atm'));
    delete process.env.ATM_BIN;
    const atm = await start({ env: { PATH: `${dir}:/usr/bin:/bin` } });
    assert.ok((await atm.signIn()).access_token);
    await atm.stop();
    await assert.rejects(startAtm({ env: { PATH: '/nonexistent' } }), /atm binary not found: atm \(/);
  } finally {
    process.env.ATM_BIN = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing binary is named', async () => {
  await assert.rejects(startAtm({ bin: '/nonexistent/atm' }), /atm binary not found: \/nonexistent\/atm/);
});

test('a server that never prints its line is killed after timeoutMs', async () => {
  // A script stands in for a binary that hangs before listening.
  const dir = mkdtempSync(path.join(tmpdir(), 'atm-hang-'));
  const hang = path.join(dir, 'hang.sh');
  writeFileSync(hang, '#!/bin/sh\necho starting\nexec sleep 30\n', { mode: 0o755 });
  try {
    const t0 = performance.now();
    await assert.rejects(startAtm({ bin: hang, timeoutMs: 300 }), /did not print its listening line within 300 ms/);
    assert.ok(performance.now() - t0 < 5000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('servers side by side: own ports, own state', async () => {
  const [a, b, c] = await Promise.all([start(), start(), start()]);
  assert.equal(new Set([a.url, b.url, c.url]).size, 3);
  await a.putUser('only-on-a-00000000001', { client_id: a.app.client_id, email: 'a@example.com', password: 'a-password' });
  assert.ok((await a.signIn({ email: 'a@example.com', password: 'a-password' })).access_token);
  await assert.rejects(b.signIn({ email: 'a@example.com', password: 'a-password' }), { status: 401 });
  await Promise.all([a.stop(), b.stop(), c.stop()]);
  assert.equal([a, b, c].some((s) => alive(s.pid)), false);
});
