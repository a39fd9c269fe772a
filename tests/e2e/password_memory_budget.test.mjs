// The password-hashing memory budget (issue 16 item 3, README
// "Configuration": passwords.memory_budget). A budget smaller than one hash
// stops start-up with one line naming both keys; a budget of exactly one
// hash runs a storm of logins one hash at a time, however many slots
// max_concurrent_hashes allows. The server's own high-water mark
// (atm_password_hashes_running_max) says how many ran at once; the control
// run, with room for four hashes, shows that the same storm does overlap, so
// the first cannot pass by accident. Peak RSS agrees, where it means anything.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { DEMO, configToml, login, pkcePair, request, runAtm, startAtm, tempDir } from './support/harness.mjs';

const MiB = 1024 * 1024;
const HASH_BYTES = 32 * MiB;  // scrypt at log_n 15: 128 * r * N with r = 8, N = 2^15
const STORM = 8;
const METRICS_TOKEN = 'budget-test-metrics-token';

function budgetConfig(budget) {
  return configToml({
    passwords: `scrypt_log_n = 15\nmax_concurrent_hashes = 8\nmemory_budget = ${budget}`,
    extra: `[metrics]\ntoken = "${METRICS_TOKEN}"\n`,
  });
}

async function metric(url, name) {
  const r = await request(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(r.status, 200, r.text);
  const m = r.text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  assert.ok(m, `${name} is not in /metrics`);
  return Number(m[1]);
}

function peakRss(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
  return Number(m[1]) * 1024;
}

async function storm(budget) {
  const atm = await startAtm({ config: budgetConfig(budget) });
  try {
    const before = peakRss(atm.pid);
    const answers = await Promise.all(Array.from({ length: STORM }, () => login(atm.url, DEMO, DEMO, pkcePair())));
    for (const a of answers) assert.equal(a.status, 200, a.text);
    return {
      slots: await metric(atm.url, 'atm_password_hash_slots'),
      budget: await metric(atm.url, 'atm_password_hash_memory_budget_bytes'),
      mostAtOnce: await metric(atm.url, 'atm_password_hashes_running_max'),
      rssGrowth: peakRss(atm.pid) - before,
      stderr: atm.stderr(),
    };
  } finally {
    assert.equal((await atm.stop()).code, 0);
  }
}

test('a budget smaller than one hash stops start-up, naming both keys', async () => {
  const dir = tempDir('atm-budget-');
  const config = path.join(dir, 'atm.toml');
  fs.writeFileSync(config, budgetConfig('"31MiB"'), { mode: 0o600 });
  const db = path.join(dir, 'atm.db');
  const r = await runAtm(['--config', config, '--port', '0', '--db', db]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '', 'it never listened');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^atm: .*atm\.toml: passwords\.memory_budget is 31 MiB, less than one password hash at passwords\.scrypt_log_n = 15 \(32 MiB\): raise passwords\.memory_budget or lower passwords\.scrypt_log_n/);
  assert.ok(!fs.existsSync(db), 'the database was not touched');
});

test('a malformed budget is a config error naming the key', async () => {
  const dir = tempDir('atm-budget-');
  const config = path.join(dir, 'atm.toml');
  fs.writeFileSync(config, budgetConfig('"32MB"'), { mode: 0o600 });
  const r = await runAtm(['--config', config, '--port', '0', '--db', ':memory:']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /atm\.toml: passwords\.memory_budget: expected bytes as an integer, or a string such as "256MiB"/);
});

test('a budget of exactly one hash runs concurrent logins one at a time', async () => {
  const r = await storm('"32MiB"');
  console.log(`# one-hash budget: ${r.mostAtOnce} at once, peak RSS +${(r.rssGrowth / MiB).toFixed(1)} MiB`);
  assert.equal(r.budget, HASH_BYTES);
  assert.equal(r.slots, 1, 'min(8 slots, 32 MiB / 32 MiB)');
  assert.equal(r.mostAtOnce, 1, `${r.mostAtOnce} hashes ran at once`);
  assert.match(r.stderr, /passwords: at most 1 scrypt hash at once, 32 MiB each, within a budget of 32 MiB \(passwords\.memory_budget\)/);
  if (!process.env.ATM_SANITIZED) {
    assert.ok(r.rssGrowth < 2 * HASH_BYTES, `peak RSS grew by ${(r.rssGrowth / MiB).toFixed(1)} MiB`);
  }
});

test('control: with room for four hashes the same storm runs several at once', async () => {
  const r = await storm(4 * HASH_BYTES);  // bytes, as an integer
  console.log(`# four-hash budget: ${r.mostAtOnce} at once, peak RSS +${(r.rssGrowth / MiB).toFixed(1)} MiB`);
  assert.equal(r.budget, 4 * HASH_BYTES);
  assert.equal(r.slots, 4);
  assert.ok(r.mostAtOnce >= 2 && r.mostAtOnce <= 4, `${r.mostAtOnce} hashes ran at once`);
});
