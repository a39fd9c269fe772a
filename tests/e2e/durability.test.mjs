// Durability on a database file: SIGKILL in the middle of a concurrent load
// of logins, code exchanges, refreshes and admin API writes loses no
// acknowledged write and leaves nothing half-written; a database that cannot
// be written (read-only, or its disk full) gives a clear 503 and a log line,
// never corruption.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as jose from 'jose';

import {
  DEMO, configToml, exchange, login, pkcePair, refresh, request, signIn, sleep, startAtm, tempDir,
} from './support/harness.mjs';
import { ADMIN, adminApi, adminToken, seedFlow } from './support/admin_server.mjs';

const sqlite = (db, query) => execFileSync('sqlite3', [db, query], { encoding: 'utf8' }).trim();
const sqliteRows = (db, query) => sqlite(db, query).split('\n').filter(Boolean);

// The admin of the durability test, from the environment (admin_server.mjs's ADMIN).
const ADMIN_ENV = { ATM_DURABILITY_ADMIN_PASSWORD: ADMIN.password };
const ADMIN_TOML = `[admin]\nusername = "${ADMIN.username}"\npassword_env = "ATM_DURABILITY_ADMIN_PASSWORD"\n`;

// What the admin workers write: applications named "Durable <n>.<i>" with
// this redirect URL, each with one user "durable-<n>.<i>@example.com".
const ADMIN_REDIRECT = 'http://localhost:9997/durable';
const ADMIN_USER_PASSWORD = 'durable-password-1';

function assertSound(db) {
  assert.equal(sqlite(db, 'PRAGMA integrity_check;'), 'ok');
  assert.equal(sqlite(db, 'PRAGMA foreign_key_check;'), '');
  // A grant and its first refresh token are written together.
  assert.equal(sqlite(db, 'SELECT COUNT(*) FROM grants g WHERE NOT EXISTS ' +
    '(SELECT 1 FROM refresh_tokens r WHERE r.grant_id = g.id);'), '0');
  // Rotation is atomic: never two live refresh tokens in one family.
  assert.equal(sqlite(db, 'SELECT COUNT(*) FROM (SELECT grant_id FROM refresh_tokens WHERE used_at IS NULL ' +
    'GROUP BY grant_id HAVING COUNT(*) > 1);'), '0');
  // Admin writes are whole rows: every application of the admin workers has
  // its secret hash and redirect URL, every user its scrypt hash and names.
  assert.deepEqual(sqliteRows(db, "SELECT id FROM clients WHERE name LIKE 'Durable %' AND " +
    `(length(secret_hash) <> 64 OR redirect_urls <> '${ADMIN_REDIRECT}' OR is_public <> 0 OR disabled <> 0 ` +
    'OR created_at <= 0 OR updated_at < created_at);'), [], 'half-written applications');
  assert.deepEqual(sqliteRows(db, "SELECT id FROM users WHERE email LIKE 'durable-%' AND " +
    "(password_hash NOT LIKE '$scrypt$%' OR first_name <> 'Durable' OR last_name = '' OR disabled <> 0 " +
    'OR created_at <= 0);'), [], 'half-written users');
}

// The database after the kill holds every acknowledged admin write and
// nothing else, bar the writes in flight at the kill (which may or may not
// have happened); assertSound checks that every row is whole.
function assertAdminWritesKept(db, { apps, deleted, inflight }) {
  const clients = new Map(sqliteRows(db, "SELECT id, name FROM clients WHERE name LIKE 'Durable %';")
    .map((row) => row.split('|')));
  const users = new Map(sqliteRows(db, "SELECT id, client_id, email FROM users WHERE email LIKE 'durable-%';")
    .map((row) => { const [id, clientId, email] = row.split('|'); return [id, { clientId, email }]; }));
  for (const [clientId, app] of apps) {
    assert.equal(clients.get(clientId), app.name, `an acknowledged application was lost: ${app.name}`);
    if (app.user) {
      assert.deepEqual(users.get(app.user.id), { clientId, email: app.user.email },
        `an acknowledged user was lost: ${app.user.email}`);
    }
  }
  const maybe = (op, test) => inflight.some((w) => w.op === op && test(w));
  for (const clientId of deleted) assert.ok(!clients.has(clientId), `an acknowledged deletion was undone: ${clientId}`);
  for (const [clientId, name] of clients) {
    if (apps.has(clientId)) continue;
    assert.ok(maybe('create application', (w) => w.name === name) ||
      maybe('delete application', (w) => w.clientId === clientId), `an application nobody created: ${name}`);
  }
  for (const [id, { clientId, email }] of users) {
    if (apps.get(clientId)?.user?.id === id) continue;
    assert.ok(maybe('create user', (w) => w.email === email) ||
      maybe('delete application', (w) => w.clientId === clientId), `a user nobody created: ${email}`);
  }
}

// After the restart the admin API, with the admin's bearer token from before
// the kill, lists every acknowledged application with its user and none of
// the deleted ones. The sign-in flow uses the latest writes (the tail of the
// log is what a crash would lose): each user signs in at its application
// with the latest secret, and rotated-out secrets are refused. (The secret
// of an application whose rotation was in flight is unknown: not used.)
async function assertAdminWritesServed(url, bearer, { apps, deleted, inflight }) {
  const api = adminApi(url, bearer);
  const listed = new Map();
  for (let offset = 0; ; offset += 200) {
    const page = await api('GET', `applications?offset=${offset}&limit=200`);
    assert.equal(page.status, 200, `the admin's token from before the kill was refused: ${JSON.stringify(page.body)}`);
    for (const item of page.body.items) listed.set(item.client_id, item);
    if (offset + 200 >= page.body.total) break;
  }
  for (const [clientId, app] of apps) {
    assert.equal(listed.get(clientId)?.name, app.name, `${app.name} is not listed`);
    if (app.user) assert.equal(listed.get(clientId).user_count, 1, `${app.name} lost its user`);
  }
  for (const clientId of deleted) assert.ok(!listed.has(clientId), `deleted ${clientId} is listed`);

  const rotating = new Set(inflight.filter((w) => w.op === 'rotate secret').map((w) => w.clientId));
  const latest = [...apps].filter(([clientId, app]) => app.user && !rotating.has(clientId)).slice(-20);
  for (const [clientId, app] of latest) {
    const user = await api('GET', `applications/${clientId}/users/${app.user.id}`);
    assert.equal(user.status, 200, `${app.user.email}: ${JSON.stringify(user.body)}`);
    assert.equal(user.body.email, app.user.email);
    const creds = { clientId, clientSecret: app.secret, email: app.user.email, password: ADMIN_USER_PASSWORD };
    const flow = await seedFlow(url, creds);
    assert.equal(flow.status, 200, `${app.name}: ${flow.step} ${JSON.stringify(flow.body)}`);
    for (const old of app.oldSecrets) {
      const refused = await seedFlow(url, { ...creds, clientSecret: old });
      assert.deepEqual([refused.status, refused.body.error], [401, 'invalid_client'], `${app.name}: a rotated-out secret`);
    }
  }
  // A user created at the kill exists whole or not at all: if it is there,
  // its password works.
  for (const w of inflight.filter((x) => x.op === 'create user')) {
    const app = apps.get(w.clientId);
    const users = await api('GET', `applications/${w.clientId}/users`);
    if (!app || rotating.has(w.clientId) || !users.body.items?.some((u) => u.email === w.email)) continue;
    const flow = await seedFlow(url, { clientId: w.clientId, clientSecret: app.secret, email: w.email,
      password: ADMIN_USER_PASSWORD });
    assert.equal(flow.status, 200, `${w.email}: ${JSON.stringify(flow.body)}`);
  }
}

test('SIGKILL mid-load loses no acknowledged code, refresh token or admin write, and tokens still verify', async () => {
  const dir = tempDir('atm-durability-');
  const db = path.join(dir, 'atm.db');
  const options = { dir, db, config: configToml({ extra: ADMIN_TOML }), env: ADMIN_ENV };
  let atm = await startAtm(options);
  const bearer = await adminToken(atm.url);  // itself a write: an admin session

  const families = [];  // one login's chain: {latest, rotated, inflight}
  const codes = [];     // codes minted and left unexchanged
  const accessTokens = [];
  const failures = [];
  let killed = false;
  // Admin writes acknowledged (2xx received) before the kill, and the one
  // write of each admin worker that was in flight when it came.
  const apps = new Map();  // client_id -> {name, secret, oldSecrets, user: {id, email} | null}
  const deleted = [];      // client_ids whose DELETE was acknowledged
  const adminInflight = new Map();  // admin worker -> {op, ...}

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

  // Sends one admin write; it is acknowledged once its 2xx answer is here.
  // A write whose answer never came stays in adminInflight: after the kill
  // it may have happened or not, but never in part.
  async function adminWrite(n, write, call, status) {
    adminInflight.set(n, write);
    const r = await call();
    adminInflight.delete(n);
    if (r.status !== status) throw new Error(`${write.op} ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  // Each cycle creates an application and its user, rotates the secret of
  // every third one and deletes every fifth: inserts, updates and deletes.
  async function adminWorker(n) {
    const api = adminApi(atm.url, bearer);
    const mine = [];
    for (let i = 0; !killed; i++) {
      try {
        const name = `Durable ${n}.${i}`;
        const created = await adminWrite(n, { op: 'create application', name },
          () => api('POST', 'applications', { name, redirect_url: ADMIN_REDIRECT }), 201);
        const clientId = created.client_id;
        const app = { name, secret: created.client_secret, oldSecrets: [], user: null };
        apps.set(clientId, app);
        mine.push(clientId);

        const email = `durable-${n}.${i}@example.com`;
        const user = await adminWrite(n, { op: 'create user', clientId, email },
          () => api('POST', `applications/${clientId}/users`,
            { email, password: ADMIN_USER_PASSWORD, first_name: 'Durable', last_name: `Worker ${n}` }), 201);
        app.user = { id: user.id, email };

        if (i % 3 === 1) {
          const rotated = await adminWrite(n, { op: 'rotate secret', clientId },
            () => api('POST', `applications/${clientId}/secret`), 200);
          app.oldSecrets.push(app.secret);
          app.secret = rotated.client_secret;
        }
        if (i % 5 === 4) {
          const victim = mine.splice(-3, 1)[0];
          await adminWrite(n, { op: 'delete application', clientId: victim },
            () => api('DELETE', `applications/${victim}`), 204);
          apps.delete(victim);
          deleted.push(victim);
        }
      } catch (e) {
        if (!killed) failures.push(e.message);
      }
    }
  }

  const workers = [...Array.from({ length: 8 }, (_, n) => worker(n)), adminWorker(0), adminWorker(1)];
  const started = Date.now();
  while (Date.now() - started < 20000 &&
    (families.length < 40 || codes.length < 10 || apps.size < 10 || deleted.length < 2)) await sleep(50);
  await sleep(300);  // well inside the load
  killed = true;
  atm.proc.kill('SIGKILL');
  const { signal } = await atm.exited;
  assert.equal(signal, 'SIGKILL');
  await Promise.all(workers);
  assert.deepEqual(failures, [], 'no request failed before the kill');
  assert.ok(families.length >= 40, `only ${families.length} logins completed`);
  assert.ok(apps.size >= 10 && deleted.length >= 2, `only ${apps.size} applications, ${deleted.length} deletions`);

  assertSound(db);
  const admin = { apps, deleted, inflight: [...adminInflight.values()] };
  // An application whose deletion was in flight may be gone: it is only
  // checked for being whole.
  for (const w of admin.inflight) if (w.op === 'delete application') apps.delete(w.clientId);
  assertAdminWritesKept(db, admin);

  atm = await startAtm(options);
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
    await assertAdminWritesServed(atm.url, bearer, admin);
    console.log(`# durability: ${families.length} logins (${uncertain.length} in flight at the kill), ` +
      `${codes.length} codes, ${accessTokens.length} access tokens, ${apps.size} applications and ` +
      `${deleted.length} deletions (${admin.inflight.map((w) => w.op).join(', ') || 'no admin write'} ` +
      'in flight at the kill) checked after SIGKILL');
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
