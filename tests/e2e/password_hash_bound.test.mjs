// A login storm keeps memory bounded (issue 6: "bound how many password hashes
// run at once"). Each scrypt hash at 2^15 holds 32 MiB; with
// passwords.max_concurrent_hashes = 2 the server's peak RSS stays near two of
// them however many logins arrive at once. The control run, with the bound
// lifted to 16, shows that the same storm does reach many times that, so the
// measurement can tell the two apart. Memory, not time: nothing here depends
// on the machine's speed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import { DEMO, configToml, login, pkcePair, startAtm } from './support/harness.mjs';

const MiB = 1024 * 1024;
const HASH_BYTES = 32 * MiB;  // 128 * r * N with r = 8, N = 2^15
const STORM = 16;

// The server's peak resident memory so far (VmHWM), in bytes.
function peakRss(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
  return Number(m[1]) * 1024;
}

async function stormPeak(maxConcurrentHashes) {
  const atm = await startAtm({
    config: configToml({ passwords: `scrypt_log_n = 15\nmax_concurrent_hashes = ${maxConcurrentHashes}` }),
  });
  try {
    const before = peakRss(atm.pid);  // start-up hashed the seeded users, one at a time
    const answers = await Promise.all(
      Array.from({ length: STORM }, () => login(atm.url, DEMO, DEMO, pkcePair())));
    for (const a of answers) assert.equal(a.status, 200, a.text);
    return { before, after: peakRss(atm.pid) };
  } finally {
    await atm.stop();
  }
}

// ASan keeps freed memory in quarantine (scripts/ci_extra.sh sets
// ATM_SANITIZED), so RSS says nothing about live buffers there.
const skip = process.env.ATM_SANITIZED ? 'sanitizer build: RSS includes the quarantine' : false;

test('sixteen logins at once hold at most max_concurrent_hashes scrypt buffers', { skip }, async () => {
  const { before, after } = await stormPeak(2);
  // Two hashes at once, plus the threads' stacks and allocator slack.
  assert.ok(after - before < 2 * HASH_BYTES + 24 * MiB,
    `peak RSS grew by ${((after - before) / MiB).toFixed(1)} MiB under the storm`);
});

test('control: with the bound lifted the same storm holds many more', { skip }, async () => {
  const { before, after } = await stormPeak(STORM);
  assert.ok(after - before > 4 * HASH_BYTES,
    `peak RSS grew by only ${((after - before) / MiB).toFixed(1)} MiB: the storm did not overlap`);
});
