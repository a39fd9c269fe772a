// Durability on a database file: SIGKILL in the middle of a concurrent load
// of logins, code exchanges and refreshes loses no acknowledged write and
// leaves nothing half-written; a database that cannot be written (read-only,
// or its disk full) gives a clear 503 and a log line, never corruption.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as jose from 'jose';

import { DEMO, exchange, login, pkcePair, refresh, request, signIn, sleep, startAtm, tempDir } from './security/harness.mjs';

const sqlite = (db, query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();

function assertSound(db) {
  assert.equal(sqlite(db, 'PRAGMA integrity_check;'), 'ok');
  assert.equal(sqlite(db, 'PRAGMA foreign_key_check;'), '');
  // A grant and its first refresh token are written together.
  assert.equal(sqlite(db, 'SELECT COUNT(*) FROM grants g WHERE NOT EXISTS ' +
    '(SELECT 1 FROM refresh_tokens r WHERE r.grant_id = g.id);'), '0');
  // Rotation is atomic: never two live refresh tokens in one family.
  assert.equal(sqlite(db, 'SELECT COUNT(*) FROM (SELECT grant_id FROM refresh_tokens WHERE used_at IS NULL ' +
    'GROUP BY grant_id HAVING COUNT(*) > 1);'), '0');
}

test('SIGKILL mid-load loses no acknowledged code or refresh token, and tokens still verify', async () => {
  const dir = tempDir('atm-durability-');
  const db = path.join(dir, 'atm.db');
  let atm = await startAtm({ dir, db });

  const families = [];  // one login's chain: {latest, rotated, inflight}
  const codes = [];     // codes minted and left unexchanged
  const accessTokens = [];
  const failures = [];
  let killed = false;

  async function worker(n) {
    for (let i = 0; !killed; i++) {
      try {
        const pkce = pkcePair();
        const l = await login(atm.url, DEMO, DEMO, pkce);
        if (l.status !== 200) throw new Error(`login ${l.status} ${l.text}`);
        if (i % 4 === n % 4) {
          codes.push({ code: l.data.code, verifier: pkce.verifier });
          continue;
        }
        const t = await exchange(atm.url, DEMO, l.data.code, pkce.verifier);
        if (t.status !== 200) throw new Error(`exchange ${t.status} ${t.text}`);
        const family = { latest: t.data.refresh_token, rotated: [], inflight: false };
        families.push(family);
        accessTokens.push(t.data.access_token);
        for (let k = 0; k < 3 && !killed; k++) {
          family.inflight = true;
          const r = await refresh(atm.url, DEMO, family.latest);
          if (r.status !== 200) throw new Error(`refresh ${r.status} ${r.text}`);
          family.rotated.push(family.latest);
          family.latest = r.data.refresh_token;
          family.inflight = false;
          accessTokens.push(r.data.access_token);
        }
      } catch (e) {
        if (!killed) failures.push(e.message);
      }
    }
  }

  const workers = Array.from({ length: 8 }, (_, n) => worker(n));
  const started = Date.now();
  while (Date.now() - started < 20000 && (families.length < 40 || codes.length < 10)) await sleep(50);
  await sleep(300);  // well inside the load
  killed = true;
  atm.proc.kill('SIGKILL');
  const { signal } = await atm.exited;
  assert.equal(signal, 'SIGKILL');
  await Promise.all(workers);
  assert.deepEqual(failures, [], 'no request failed before the kill');
  assert.ok(families.length >= 40, `only ${families.length} logins completed`);

  assertSound(db);

  atm = await startAtm({ dir, db });
  try {
    const jwks = jose.createLocalJWKSet((await request(`${atm.url}/auth/.well-known/jwks.json`)).data);
    for (const token of accessTokens) {
      await jose.jwtVerify(token, jwks, { issuer: 'atm', audience: DEMO.clientId });
    }
    for (const { code, verifier } of codes) {
      const r = await exchange(atm.url, DEMO, code, verifier);
      assert.equal(r.status, 200, `an acknowledged code was lost: ${r.text}`);
    }
    const certain = families.filter((f) => !f.inflight);
    const uncertain = families.filter((f) => f.inflight);
    for (const family of certain) {
      const r = await refresh(atm.url, DEMO, family.latest);
      assert.equal(r.status, 200, `an acknowledged refresh token was lost: ${r.text}`);
      family.latest = r.data.refresh_token;
    }
    // Rotations were recorded: an old token is recognised as reused and
    // revokes its family.
    for (const family of certain.filter((f) => f.rotated.length > 0).slice(0, 10)) {
      const reuse = await refresh(atm.url, DEMO, family.rotated[0]);
      assert.equal(reuse.status, 400);
      assert.equal(reuse.data.error, 'invalid_grant');
      assert.equal((await refresh(atm.url, DEMO, family.latest)).status, 400);
    }
    // A refresh in flight at the kill either happened or did not: no 5xx.
    for (const family of uncertain) {
      const r = await refresh(atm.url, DEMO, family.latest);
      assert.ok([200, 400].includes(r.status), `${r.status} ${r.text}`);
    }
    console.log(`# durability: ${families.length} logins (${uncertain.length} in flight at the kill), ` +
      `${codes.length} codes, ${accessTokens.length} access tokens checked after SIGKILL`);
  } finally {
    assert.equal((await atm.stop()).code, 0);
  }
  assertSound(db);
});

// Whether `chattr +i` works here (root or CAP_LINUX_IMMUTABLE, and a file
// system with the immutable flag).
function chattrWorks(dir) {
  const probe = path.join(dir, 'probe');
  fs.writeFileSync(probe, 'x');
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function assertWritesRefused(atm, logPattern) {
  const r = await login(atm.url, DEMO, DEMO, pkcePair());
  assert.equal(r.status, 503, r.text);
  assert.equal(r.data.error, 'temporarily_unavailable');
  assert.match(r.data.error_description, /cannot (write to its database|store data)/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // Reads still work.
  assert.equal((await request(`${atm.url}/health`)).status, 200);
  assert.equal((await request(`${atm.url}/auth/.well-known/jwks.json`)).status, 200);
  await sleep(100);
  assert.match(atm.stderr(), logPattern);
}

test('a database made read-only while running: 503 temporarily_unavailable, then recovery', async (t) => {
  const dir = tempDir('atm-readonly-');
  // chmod does not stop writes through a descriptor that is already open (nor
  // root at all): the immutable attribute does, for everyone.
  if (!chattrWorks(dir)) {
    t.skip('chattr +i is not available here (needs root or CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs)');
    return;
  }
  const db = path.join(dir, 'atm.db');
  const atm = await startAtm({ dir, db });
  const files = [db, `${db}-wal`];  // not -shm: it is memory-mapped, not written
  try {
    const before = await signIn(atm.url);
    execFileSync('chattr', ['+i', ...files]);
    await assertWritesRefused(atm, /error storage: save code: .*\(SQLite code \d+\)/);
    const r = await refresh(atm.url, DEMO, before.refresh_token);
    assert.equal(r.status, 503, 'a refresh is refused too, and not counted as used');
    execFileSync('chattr', ['-i', ...files]);
    assert.equal((await refresh(atm.url, DEMO, before.refresh_token)).status, 200, 'the refresh token survived');
    assert.ok((await signIn(atm.url)).access_token);
  } finally {
    try { execFileSync('chattr', ['-i', ...files], { stdio: 'ignore' }); } catch { /* already writable */ }
    assert.equal((await atm.stop()).code, 0);
  }
  assertSound(db);
});

test('a full disk (file size limit): 503 temporarily_unavailable, then recovery', async (t) => {
  const dir = tempDir('atm-diskfull-');
  const db = path.join(dir, 'atm.db');
  const atm = await startAtm({ dir, db });
  try {
    const before = await signIn(atm.url);
    // RLIMIT_FSIZE of one page: every database write past the first page fails
    // as on a full disk (EFBIG; atm ignores SIGXFSZ).
    execFileSync('prlimit', ['--pid', String(atm.pid), '--fsize=4096:unlimited']);
    await assertWritesRefused(atm, /error storage: .*(disk I\/O error|database or disk is full)/);
    assert.equal((await refresh(atm.url, DEMO, before.refresh_token)).status, 503);
    execFileSync('prlimit', ['--pid', String(atm.pid), '--fsize=unlimited:unlimited']);
    assert.equal((await refresh(atm.url, DEMO, before.refresh_token)).status, 200, 'the refresh token survived');
    assert.ok((await signIn(atm.url)).access_token);
  } finally {
    assert.equal((await atm.stop()).code, 0);
  }
  assertSound(db);
});
