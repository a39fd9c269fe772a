// A gateway's daily tools (issue 16 item 4, README "Backups and restore" and
// the CLI): `atm backup` while the server serves, and `atm restore` of it
// (refused while the server runs); `atm keys export` against the server's
// own JWKS; `atm token verify` on valid, expired, not-yet-valid, tampered,
// foreign-key and wrong-issuer tokens.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
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

test('atm keys export writes the JWKS the running server publishes, retired keys included', async () => {
  const dir = tempDir('atm-export-');
  const db = path.join(dir, 'atm.db');
  const atm = await startAtm({ dir, db });
  try {
    await signIn(atm.url);  // the first key exists
    const rotated = await runCli(['keys', 'rotate', '--db', db]);
    assert.equal(rotated.code, 0, rotated.stderr);
    // The server picks the rotation up within 5 s.
    let published;
    for (const deadline = Date.now() + 15000; Date.now() < deadline; await sleep(200)) {
      published = await jwks(atm.url);
      if (published.keys.length === 2) break;
    }
    assert.equal(published.keys.length, 2, 'the current key and the retired one');
    const file = path.join(dir, 'jwks.json');
    const r = await runCli(['keys', 'export', file, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), published);
    const out = await runCli(['keys', 'export', '--db', db]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), published);
    for (const k of published.keys) assert.ok(!('d' in k), 'public keys only');

    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '', { mode: 0o600 });
    const none = await runCli(['keys', 'export', '--db', empty]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^atm: no published signing key yet/);
    const missing = await runCli(['keys', 'export', '--db', path.join(dir, 'missing.db')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^atm: no database file at/);
    const extra = await runCli(['keys', 'export', 'a', 'b', '--db', db]);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /^atm: keys export takes no argument "b"/);
  } finally {
    assert.equal((await atm.stop()).code, 0);
  }
});

test('atm token verify: valid tokens print their claims; expired, tampered, foreign and wrong-issuer ones exit 1',
  async () => {
    const dir = tempDir('atm-verify-');
    const db = path.join(dir, 'atm.db');
    const atm = await startAtm({ dir, db, args: ['--testing'] });
    try {
      const mint = async (body) => {
        const r = await request(`${atm.url}/_testing/tokens`, { method: 'POST', json: body });
        assert.equal(r.status, 200, r.text);
        return r.data.access_token;
      };
      const now = Math.floor(Date.now() / 1000);
      const valid = await mint({ sub: 'service-1', aud: 'api', iss: 'atm' });
      const openid = await mint({ sub: 'service-2', aud: 'api' });  // iss: the server's URL
      const expired = await mint({ sub: 'service-1', aud: 'api', iss: 'atm', iat: now - 7200, exp: now - 3600 });
      const early = await mint({ sub: 'service-1', aud: 'api', iss: 'atm', nbf: now + 3600 });
      const evil = await mint({ sub: 'service-1', aud: 'api', iss: 'https://evil.example' });
      const [h, p, s] = valid.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url'));
      const tampered = [h, Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url'), s].join('.');
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const foreign = await new jose.SignJWT({ sub: 'service-1', iss: 'atm' })
        .setProtectedHeader({ alg: 'ES256', kid: 'not-a-key-of-atm' })
        .setExpirationTime('1h').sign(privateKey);

      const verify = (token, extra = [], input = '') => runCli(['token', 'verify', ...(token ? [token] : []),
        '--db', db, ...extra], { input });
      const ok = await verify(valid);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stderr, '');
      assert.deepEqual(JSON.parse(ok.stdout), claims);
      const fromStdin = await verify('-', [], `${valid}\n`);
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      assert.equal(JSON.parse(fromStdin.stdout).sub, 'service-1');
      const byUrl = await verify(openid, ['--issuer', atm.url]);
      assert.equal(byUrl.code, 0, byUrl.stderr);

      const refused = [
        ['expired', expired, [], /^atm: invalid token: the token expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/],
        ['not yet valid', early, [], /^atm: invalid token: the token is not valid before /],
        ['tampered', tampered, [], /^atm: invalid token: the token signature is invalid\n$/],
        ['unknown kid', foreign, [], /^atm: invalid token: the token was not signed by a key of this server\n$/],
        ['wrong issuer', evil, [], /^atm: invalid token: the token's issuer "https:\/\/evil\.example" is not one of "atm"/],
        ['the server URL is not accepted by default here', openid, ['--issuer', 'atm'], /is not one of "atm"\n$/],
        ['not a JWT', 'hello', [], /^atm: invalid token: the token is not a compact JWS/],
      ];
      for (const [name, token, extra, message] of refused) {
        const r = await verify(token, extra);
        assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stdout, '', name);
        assert.match(r.stderr, message, name);
      }
      const usage = await runCli(['token', 'check', valid, '--db', db]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /^atm: unknown token subcommand "check": use verify\n$/);
      const noDb = await runCli(['token', 'verify', valid, '--db', path.join(dir, 'missing.db')]);
      assert.equal(noDb.code, 2);
      assert.match(noDb.stderr, /^atm: no database file at/);
    } finally {
      assert.equal((await atm.stop()).code, 0);
    }
  });
