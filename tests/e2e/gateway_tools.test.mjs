// A gateway's daily tools (issue 16 item 4, README "Backups and restore" and
// the CLI): `atm backup` while the server serves, and `atm restore` of it
// (refused while the server runs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as jose from 'jose';

import {
  DEMO, configToml, refresh, request, runAtm, signIn, sleep, startAtm, tempDir,
} from './support/harness.mjs';
import { ADMIN, adminApi, adminToken, runCli } from './support/admin_server.mjs';

const ADMIN_ENV = { ATM_GATEWAY_ADMIN_PASSWORD: ADMIN.password };
const ADMIN_TOML = `[admin]\nusername = "${ADMIN.username}"\npassword_env = "ATM_GATEWAY_ADMIN_PASSWORD"\n`;

const jwks = async (url) => (await request(`${url}/.well-known/jwks.json`)).data;

test('atm backup copies the database while the server serves; atm restore puts it back with its state and keys',
  async () => {
    const dir = tempDir('atm-backup-');
    const db = path.join(dir, 'atm.db');
    const backup = path.join(dir, 'backup.db');
    const options = { dir, db, config: configToml({ extra: ADMIN_TOML }), env: ADMIN_ENV };
    const atm = await startAtm(options);
    let copy;
    try {
      const bearer = await adminToken(atm.url);
      const api = adminApi(atm.url, bearer);
      const app = await api('POST', 'applications', { name: 'Before backup', redirect_url: 'http://localhost:9/cb' });
      assert.equal(app.status, 201);
      const tokens = await signIn(atm.url);
      const keysBefore = await jwks(atm.url);
      // Some bulk (about 20 MiB of audit events, written by another process
      // as the server runs), so that the copy takes many steps.
      execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL ' +
        "SELECT i + 1 FROM n WHERE i < 40000) INSERT INTO audit_events (at, kind, detail) SELECT strftime('%s', 'now'), " +
        "'bulk', hex(randomblob(200)) FROM n;"]);

      // Sign-ins (writes: codes, grants, refresh tokens) go on during the backup.
      let loading = true;
      const latencies = [];
      const failures = [];
      const load = (async () => {
        while (loading) {
          const t0 = performance.now();
          try {
            await signIn(atm.url);
            latencies.push(performance.now() - t0);
          } catch (e) {
            failures.push(e.message);
          }
        }
      })();
      await sleep(100);
      const r = await runAtm(['backup', backup, '--db', db]);
      await sleep(100);
      loading = false;
      await load;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^backed up ${db} to ${backup}: .* in \\d+ ms\\n$`));
      const [, size, ms] = r.stdout.match(/: (.*) in (\d+) ms/);
      assert.deepEqual(failures, [], 'no sign-in failed during the backup');
      assert.ok(latencies.length >= 3, `only ${latencies.length} sign-ins during the backup`);
      const slowest = Math.max(...latencies);
      assert.ok(slowest < 2000, `a sign-in took ${slowest.toFixed(0)} ms during the backup`);
      console.log(`# backup: ${size} in ${ms} ms; ${latencies.length} sign-ins during it, slowest ${slowest.toFixed(1)} ms`);
      assert.ok(fs.statSync(backup).size > 16 * 1024 * 1024, 'the bulk is in the backup');
      assert.equal(fs.statSync(backup).mode & 0o777, 0o600, 'the backup holds the keys: owner only');
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temporary file left');

      // Written after the backup: not in it.
      const later = await api('POST', 'applications', { name: 'After backup', redirect_url: 'http://localhost:9/cb' });
      assert.equal(later.status, 201);

      // The restore (README "Backups and restore"): refused while the server runs...
      const busy = await runAtm(['restore', backup, '--db', db]);
      assert.equal(busy.code, 1, busy.stderr);
      assert.match(busy.stderr, /^atm: .*atm\.db is in use \(a server or another atm command has it open\): stop it, then restore\n$/);
      assert.equal((await atm.stop()).code, 0);
      // ...then done with the server stopped, and the server started again on it.
      const restored = await runAtm(['restore', backup, '--db', db]);
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(restored.stdout, /^restored .*atm\.db from .*backup\.db: /);
      copy = await startAtm(options);
      assert.deepEqual(await jwks(copy.url), keysBefore, 'the same signing keys');
      const local = jose.createLocalJWKSet(await jwks(copy.url));
      await jose.jwtVerify(tokens.access_token, local, { issuer: 'atm', audience: DEMO.clientId });
      const copyApi = adminApi(copy.url, bearer);  // the admin session is in the backup too
      const shown = await copyApi('GET', `applications/${app.body.client_id}`);
      assert.equal(shown.status, 200, JSON.stringify(shown.body));
      assert.equal(shown.body.name, 'Before backup');
      assert.equal((await copyApi('GET', `applications/${later.body.client_id}`)).status, 404, 'written after the backup');
      const refreshed = await refresh(copy.url, DEMO, tokens.refresh_token);
      assert.equal(refreshed.status, 200, refreshed.text);
      // Tokens the restored server signs verify with the keys published before.
      await jose.jwtVerify(refreshed.data.access_token, jose.createLocalJWKSet(keysBefore),
        { issuer: 'atm', audience: DEMO.clientId });
    } finally {
      if (copy) assert.equal((await copy.stop()).code, 0);
      assert.equal((await atm.stop()).code, 0);
    }
  });

test('atm backup refuses what it cannot do, in one line', async () => {
  const dir = tempDir('atm-backup-');
  const db = path.join(dir, 'atm.db');
  const atm = await startAtm({ dir, db });
  try {
    const cases = [
      [['backup'], 2, /^atm: missing argument: usage: atm backup FILE/],
      [['backup', 'a', 'b', '--db', db], 2, /^atm: too many arguments/],
      [['backup', path.join(dir, 'x.db'), '--db', ':memory:'], 2, /^atm: the database is ":memory:"/],
      [['backup', path.join(dir, 'x.db'), '--db', path.join(dir, 'none.db')], 2, /^atm: no database file at .*none\.db/],
      [['backup', db, '--db', db], 2, /is the database's own file/],
      [['backup', `${db}-wal`, '--db', db], 2, /is the database's own file .*atm\.db-wal/],
      [['backup', dir, '--db', db], 2, /exists and is not a regular file/],
      [['backup', path.join(dir, 'no-such-folder', 'x.db'), '--db', db], 1, /^atm: backup of .* failed: cannot create/],
      [['backup', 'x.db', '--bogus'], 2, /^atm: unknown option --bogus/],
      [['restore', '--db', db], 2, /^atm: missing argument: usage: atm restore FILE/],
      [['restore', path.join(dir, 'none.db'), '--db', db], 2, /^atm: no backup file at .*none\.db/],
      [['restore', db, '--db', db], 2, /is the database's own file/],
      [['restore', path.join(dir, 'notes.txt'), '--db', db], 2, /notes\.txt is not a SQLite database/],
      [['restore', path.join(dir, 'x.db'), '--db', ':memory:'], 2, /^atm: the database is ":memory:"/],
    ];
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a database, but long enough to have a header or two\n'.repeat(20));
    for (const [args, code, message] of cases) {
      const r = await runAtm(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.ok(!fs.existsSync(path.join(dir, 'none.db')), 'a missing database is not created');
  } finally {
    assert.equal((await atm.stop()).code, 0);
  }
});
