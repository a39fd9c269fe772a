// Operating atm (README "Operating atm", issue 15): a real Prometheus server
// (Debian's package, on loopback, with its own config and data folder,
// stopped by PID) scrapes atm's metrics listener while the test drives
// sign-ins, code exchanges, a refresh token reuse and a code replay, and its
// query API must count exactly those; `promtool check metrics` accepts the
// exposition; /metrics on the main port wants its bearer token; readiness
// turns false while another process holds the database's write lock (so that
// writes truly fail) and true again after; and every kind of audit event is
// written exactly once per action, with no password, secret, code or token in
// the database file or the server's log.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ADMIN, adminApi, adminToken, launchBrowser, pkcePair, request, runCli, startServer, tempDir,
} from './support/admin_server.mjs';

const APP = { clientId: 'OpsTestClient0000001', secret: 'OpsTestSecret-0123456789abcdefgh' };
const USERS = {
  alice: { email: 'alice@example.com', password: 'alice-password-1' },
  bob: { email: 'bob@example.com', password: 'bob-password-22' },
  carol: { email: 'carol@example.com', password: 'carol-password-3' },
};
const METRICS_TOKEN = 'metrics-token-0123456789';
const WRONG_PASSWORD = 'not-the-password-9';

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` until it returns a truthy value, for at most `ms`.
async function eventually(fn, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(200);
  }
  throw new Error(`not within ${ms} ms: ${what} (last: ${JSON.stringify(last)})`);
}

async function freePort() {
  const server = net.createServer();
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address();
  await new Promise((res) => server.close(res));
  return port;
}

// Starts Prometheus on loopback with its own config and data folder; stop()
// ends it by its PID (SIGTERM, then SIGKILL).
async function startPrometheus(dir, target) {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 900ms',
    'scrape_configs:',
    '  - job_name: atm',
    `    static_configs: [{targets: ["${target}"]}]`,
    '',
  ].join('\n'));
  const proc = spawn('prometheus', [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => proc.once('exit', (code) => res(code)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      process.kill(proc.pid, 'SIGTERM');
      await withTimeout(exited, 10000, 'prometheus to stop').catch(() => process.kill(proc.pid, 'SIGKILL'));
    }
  };
  try {
    await eventually(async () => {
      if (proc.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      return fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    }, 30000, 'prometheus to be ready');
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url, stop,
    // The value of a PromQL expression that yields one sample, as a number (null when none).
    async value(expr) {
      const r = await request(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = await r.json();
      assert.equal(body.status, 'success', JSON.stringify(body));
      const result = body.data.result;
      if (result.length === 0) return null;
      assert.equal(result.length, 1, `${expr}: ${JSON.stringify(result)}`);
      return Number(result[0].value[1]);
    },
  };
}

async function post(url, path, body) {
  const r = await request(`${url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

// POST /auth: a code, or the error.
function signIn(url, user, password = user.password, challenge = pkcePair().challenge) {
  return post(url, '/auth', {
    loginId: user.email, password, clientId: APP.clientId, code_challenge: challenge, code_challenge_method: 'S256',
  });
}

function exchange(url, code, verifier) {
  return post(url, '/auth/token', {
    clientId: APP.clientId, clientSecret: APP.secret, grant_types: 'authorization_code', code, code_verifier: verifier,
  });
}

function refresh(url, refreshToken) {
  return post(url, '/auth/token', {
    clientId: APP.clientId, clientSecret: APP.secret, grantType: 'refresh_token', refresh_token: refreshToken,
  });
}

// A sign-in and its exchange; returns the codes and tokens (secrets the trail must not hold).
async function fullLogin(url, user) {
  const { verifier, challenge } = pkcePair();
  const auth = await signIn(url, user, user.password, challenge);
  assert.equal(auth.status, 200, JSON.stringify(auth.body));
  const tokens = await exchange(url, auth.body.code, verifier);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  return { code: auth.body.code, verifier, ...tokens.body };
}

const appToml = `
[metrics]
listen = "127.0.0.1:0"
token = "${METRICS_TOKEN}"

[throttle]
free_attempts = 2
base_delay = 60

[[applications]]
name = "Ops test"
client_id = "${APP.clientId}"
client_secret = "${APP.secret}"
redirect_url = "http://localhost:8080/callback"
${Object.values(USERS).map((u) => `
  [[applications.users]]
  email = "${u.email}"
  password = "${u.password}"
`).join('')}
`;

describe('operations: metrics, health and the audit trail', () => {
  let temp, atm, metricsUrl;
  const secrets = new Set([APP.secret, ADMIN.password, METRICS_TOKEN, ...Object.values(USERS).map((u) => u.password)]);

  before(async () => {
    temp = tempDir('atm-ops-');
    atm = await startServer({ db: join(temp.dir, 'atm.db'), extra: appToml, dir: temp.dir });
    const port = await eventually(() => atm.stderr().match(/metrics on \S+ \(port (\d+)\)/)?.[1], 5000,
      'the metrics listener line');
    metricsUrl = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await atm?.stop();
    temp?.cleanup();
  });

  test('/health/live and /health/ready answer JSON; /health still answers', async () => {
    for (const [path, status] of [['/health', 'ok'], ['/health/live', 'live']]) {
      const r = await request(`${atm.url}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type'), /application\/json/);
      assert.equal((await r.json()).status, status, path);
    }
    // The first signing key is made in the background: until it is loaded,
    // the server is live but not ready, and says why.
    const ready = await eventually(async () => {
      const r = await request(`${atm.url}/health/ready`);
      assert.match(r.headers.get('content-type'), /application\/json/);
      const body = await r.json();
      if (r.status === 503) {
        assert.deepEqual(body.failed, ['signing_key'], JSON.stringify(body));
        assert.equal(body.status, 'not_ready');
        return null;
      }
      assert.equal(r.status, 200);
      return body;
    }, 15000, 'readiness once the signing key is loaded');
    assert.equal(ready.status, 'ready');
    assert.deepEqual(ready.checks, { database: 'ok', signing_key: 'ok', migrations: 'ok' });
    // The metrics listener serves health too, and nothing else.
    assert.equal((await request(`${metricsUrl}/health/ready`)).status, 200);
    assert.equal((await request(`${metricsUrl}/auth`)).status, 404);
  });

  test('/metrics on the main port wants the bearer token; promtool accepts the exposition', async () => {
    const none = await request(`${atm.url}/metrics`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate'), /^Bearer/);
    assert.equal((await none.json()).error, 'invalid_token');
    const wrong = await request(`${atm.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    assert.equal(wrong.status, 401);
    const other = await request(`${atm.url}/metrics`, { headers: { authorization: `Basic ${METRICS_TOKEN}` } });
    assert.equal(other.status, 401);
    // RFC 7235 §2.1: the scheme is case-insensitive.
    const lower = await request(`${atm.url}/metrics`, { headers: { authorization: `bearer ${METRICS_TOKEN}` } });
    assert.equal(lower.status, 200);
    await lower.text();
    const ok = await request(`${atm.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const text = await ok.text();
    for (const name of ['atm_http_requests_total', 'atm_http_request_duration_seconds_bucket', 'atm_logins_total',
      'atm_tokens_issued_total', 'atm_refresh_token_reuse_total', 'atm_authorization_codes_rejected_total',
      'atm_signing_key_age_seconds', 'atm_password_hashes_running', 'atm_password_hashes_waiting',
      'atm_http_connections_open', 'atm_http_connections_idle', 'atm_sqlite_write_duration_seconds_bucket',
      'process_resident_memory_bytes', 'process_cpu_seconds_total', 'process_open_fds',
      'process_start_time_seconds']) {
      assert.match(text, new RegExp(`^${name}[{ ]`, 'm'), name);
    }
    // Unknown paths count as route="other", never under their own path.
    await request(`${atm.url}/no/such/path-${'x'.repeat(20)}`);
    const after = await (await request(`${metricsUrl}/metrics`)).text();
    assert.match(after, /^atm_http_requests_total\{route="other",status="404"\} \d+$/m);
    assert.doesNotMatch(after, /no\/such\/path/);
    for (const body of [text, after]) {
      const check = await new Promise((res) => {
        const p = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d) => { out += d; });
        p.stderr.on('data', (d) => { out += d; });
        p.on('exit', (code) => res({ code, out }));
        p.stdin.end(body);
      });
      assert.equal(check.code, 0, check.out);
      assert.equal(check.out.trim(), '', check.out);
    }
  });

  test('a real Prometheus scrapes the counts of what the test drove', async () => {
    const prometheus = await startPrometheus(temp.dir, metricsUrl.replace('http://', ''));
    try {
      await eventually(async () => (await prometheus.value('up{job="atm"}')) === 1, 20000, 'a first scrape');
      const base = {
        success: (await prometheus.value('atm_logins_total{outcome="success"}')) ?? 0,
        bad: (await prometheus.value('atm_logins_total{outcome="bad_credentials"}')) ?? 0,
        code: (await prometheus.value('atm_tokens_issued_total{grant_type="authorization_code",alg="RS256"}')) ?? 0,
        refresh: (await prometheus.value('atm_tokens_issued_total{grant_type="refresh_token",alg="RS256"}')) ?? 0,
        reuse: (await prometheus.value('atm_refresh_token_reuse_total')) ?? 0,
        replayed: (await prometheus.value('atm_authorization_codes_rejected_total{reason="replayed"}')) ?? 0,
        tokenRoute: (await prometheus.value('sum(atm_http_requests_total{route="/auth/token"})')) ?? 0,
      };
      // 3 sign-ins with exchanges, 2 wrong passwords, 1 refresh then its reuse, 1 code replay.
      const logins = [];
      for (const user of [USERS.alice, USERS.bob, USERS.alice]) logins.push(await fullLogin(atm.url, user));
      for (let i = 0; i < 2; i++) assert.equal((await signIn(atm.url, USERS.carol, WRONG_PASSWORD)).status, 401);
      assert.equal((await refresh(atm.url, logins[0].refresh_token)).status, 200);
      assert.equal((await refresh(atm.url, logins[0].refresh_token)).status, 400);
      assert.equal((await exchange(atm.url, logins[1].code, logins[1].verifier)).status, 400);
      const want = {
        'atm_logins_total{outcome="success"}': base.success + 3,
        'atm_logins_total{outcome="bad_credentials"}': base.bad + 2,
        'atm_tokens_issued_total{grant_type="authorization_code",alg="RS256"}': base.code + 3,
        'atm_tokens_issued_total{grant_type="refresh_token",alg="RS256"}': base.refresh + 1,
        'atm_refresh_token_reuse_total': base.reuse + 1,
        'atm_authorization_codes_rejected_total{reason="replayed"}': base.replayed + 1,
        'sum(atm_http_requests_total{route="/auth/token"})': base.tokenRoute + 6,
      };
      await eventually(async () => {
        for (const [expr, value] of Object.entries(want)) {
          if ((await prometheus.value(expr)) !== value) return false;
        }
        return true;
      }, 20000, 'Prometheus to have scraped the expected counts');
      // The latency histogram counts every answered exchange too.
      const count = await prometheus.value('atm_http_request_duration_seconds_count{route="/auth/token"}');
      assert.equal(count, base.tokenRoute + 6);
      for (const l of logins) for (const s of [l.code, l.access_token, l.refresh_token, l.id_token]) secrets.add(s);
    } finally {
      await prometheus.stop();
    }
  });

  test('readiness turns false while another process holds the write lock, then true again', async () => {
    const db = join(temp.dir, 'atm.db');
    const api = adminApi(atm.url, await adminToken(atm.url));
    // sqlite3 holds an exclusive (write) lock until told to roll back.
    const holder = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise((res) => holder.once('exit', res));
    let out = '';
    holder.stdout.on('data', (d) => { out += d; });
    try {
      holder.stdin.write("PRAGMA busy_timeout=5000;\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n");
      await eventually(() => out.includes('locked'), 10000, 'sqlite3 to hold the lock');
      const notReady = await eventually(async () => {
        const r = await request(`${atm.url}/health/ready`);
        return r.status === 503 ? r.json() : null;
      }, 5000, 'readiness to turn false');
      assert.equal(notReady.status, 'not_ready');
      assert.deepEqual(notReady.failed, ['database']);
      assert.match(notReady.checks.database, /does not take writes/);
      assert.equal(notReady.checks.signing_key, 'ok');
      // Writes truly fail meanwhile (after the 5 s busy timeout): a clear 503, no 500.
      const write = await api('POST', 'applications', { name: 'during lock', redirect_url: 'http://localhost:1/cb' });
      assert.equal(write.status, 503, JSON.stringify(write.body));
      assert.equal(write.body.error, 'temporarily_unavailable');
    } finally {
      holder.stdin.end('ROLLBACK;\n.quit\n');
      await withTimeout(exited, 10000, 'sqlite3 to exit').catch(() => holder.kill('SIGKILL'));
    }
    const ready = await eventually(async () => {
      const r = await request(`${atm.url}/health/ready`);
      return r.status === 200 ? r.json() : null;
    }, 5000, 'readiness to turn true again');
    assert.equal(ready.status, 'ready');
  });

  test('every audit event kind is written exactly once per action, with no secret', async () => {
    const token = await adminToken(atm.url);
    secrets.add(token);
    const api = adminApi(atm.url, token);
    const count = async (filter) => {
      const q = new URLSearchParams({ limit: '1', ...filter });
      const r = await api('GET', `audit?${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.total;
    };
    // Runs `action` and checks that it wrote exactly one event matching `filter`.
    const once = async (filter, action) => {
      const before = await count(filter);
      const result = await action();
      assert.equal(await count(filter), before + 1, `one ${JSON.stringify(filter)} event`);
      return result;
    };
    const latest = async (filter) => (await api('GET', `audit?${new URLSearchParams({ limit: '1', ...filter })}`)).body.items[0];

    // Admin sign-ins, successful and failed.
    const t2 = await once({ kind: 'admin.signin', outcome: 'success' }, () => adminToken(atm.url));
    secrets.add(t2);
    await once({ kind: 'admin.signin', outcome: 'bad_credentials' }, () => post(atm.url, '/admin/api/tokens',
      { username: ADMIN.username, password: WRONG_PASSWORD }));

    // Admin changes: who, what, before and after.
    const created = await once({ kind: 'application.create' }, () => api('POST', 'applications',
      { name: 'Audited app', redirect_url: 'http://localhost:7777/callback' }));
    assert.equal(created.status, 201);
    const id = created.body.client_id;
    secrets.add(created.body.client_secret);
    const ev = await latest({ kind: 'application.create' });
    assert.equal(ev.actor, `admin:${ADMIN.username}`);
    assert.equal(ev.client_id, id);
    assert.equal(ev.address, '127.0.0.1');
    assert.equal(ev.detail.after.name, 'Audited app');
    assert.equal(ev.detail.before, null);
    await once({ kind: 'application.update', client_id: id },
      () => api('PATCH', `applications/${id}`, { name: 'Audited app 2' }));
    const upd = await latest({ kind: 'application.update', client_id: id });
    assert.deepEqual(upd.detail, { before: { name: 'Audited app' }, after: { name: 'Audited app 2' } });
    const rotated = await once({ kind: 'application.secret', client_id: id }, () => api('POST', `applications/${id}/secret`));
    secrets.add(rotated.body.client_secret);
    const userPassword = 'dora-password-44';
    secrets.add(userPassword);
    const user = await once({ kind: 'user.create', client_id: id }, () => api('POST', `applications/${id}/users`,
      { email: 'dora@example.com', password: userPassword, first_name: 'Dora' }));
    assert.equal(user.status, 201, JSON.stringify(user.body));
    await once({ kind: 'user.update', subject: user.body.id },
      () => api('PATCH', `applications/${id}/users/${user.body.id}`, { last_name: 'Explorer' }));
    const newPassword = 'dora-password-55';
    secrets.add(newPassword);
    await once({ kind: 'user.password', subject: user.body.id },
      () => api('POST', `applications/${id}/users/${user.body.id}/password`, { password: newPassword }));
    await once({ kind: 'user.delete', subject: user.body.id },
      () => api('DELETE', `applications/${id}/users/${user.body.id}`));
    await once({ kind: 'application.delete', client_id: id }, () => api('DELETE', `applications/${id}`));

    // Sign-ins at /auth: success, wrong password, disabled account, throttled.
    const ok = await once({ kind: 'signin', outcome: 'success' }, () => signIn(atm.url, USERS.bob));
    secrets.add(ok.body.code);
    const signin = await latest({ kind: 'signin', outcome: 'success' });
    assert.equal(signin.actor, USERS.bob.email);
    assert.equal(signin.client_id, APP.clientId);
    assert.equal(signin.address, '127.0.0.1');
    // carol has 2 failures already: free_attempts = 2, so the next attempt is throttled.
    await once({ kind: 'signin', outcome: 'throttled' }, async () => {
      assert.equal((await signIn(atm.url, USERS.carol, WRONG_PASSWORD)).status, 429);
    });
    await once({ kind: 'signin', outcome: 'bad_credentials' }, async () => {
      assert.equal((await signIn(atm.url, USERS.bob, WRONG_PASSWORD)).status, 401);
    });
    const users = await api('GET', `applications/${APP.clientId}/users?email=alice`);
    const alice = users.body.items[0];
    await api('PATCH', `applications/${APP.clientId}/users/${alice.id}`, { disabled: true });
    await once({ kind: 'signin', outcome: 'disabled' }, async () => {
      assert.equal((await signIn(atm.url, USERS.alice)).status, 403);
    });
    await api('PATCH', `applications/${APP.clientId}/users/${alice.id}`, { disabled: false });

    // Refresh token reuse, and the login it revoked.
    const login = await fullLogin(atm.url, USERS.bob);
    for (const s of [login.code, login.access_token, login.refresh_token, login.id_token]) secrets.add(s);
    const next = await refresh(atm.url, login.refresh_token);
    assert.equal(next.status, 200);
    for (const s of [next.body.access_token, next.body.refresh_token, next.body.id_token]) secrets.add(s);
    await once({ kind: 'refresh.reuse' }, async () => {
      assert.equal((await refresh(atm.url, login.refresh_token)).status, 400);
    });
    const reuse = await latest({ kind: 'refresh.reuse' });
    assert.equal(reuse.outcome, 'revoked');
    assert.equal(reuse.client_id, APP.clientId);
    assert.ok(reuse.subject.length > 0, 'the revoked grant');
    assert.equal((await refresh(atm.url, next.body.refresh_token)).status, 400, 'the whole login is revoked');

    // Key rotation and admin accounts from the CLI, on the same database.
    const cli = ['--config', atm.configPath, '--db', atm.db];
    await once({ kind: 'key.rotate', actor: 'cli' }, async () => {
      assert.equal((await runCli(['keys', 'rotate', ...cli])).code, 0);
    });
    const opsPassword = 'ops-admin-password-7';
    secrets.add(opsPassword);
    await once({ kind: 'admin.create', actor: 'cli' }, async () => {
      const r = await runCli(['admin', 'create', 'ops', ...cli], { input: `${opsPassword}\n${opsPassword}\n` });
      assert.equal(r.code, 0, r.stderr);
    });
    const opsPassword2 = 'ops-admin-password-8';
    secrets.add(opsPassword2);
    await once({ kind: 'admin.password', actor: 'cli' }, async () => {
      const r = await runCli(['admin', 'passwd', 'ops', ...cli], { input: `${opsPassword2}\n` });
      assert.equal(r.code, 0, r.stderr);
    });
    await once({ kind: 'admin.delete', actor: 'cli' }, async () => {
      assert.equal((await runCli(['admin', 'delete', 'ops', ...cli])).code, 0);
    });

    // atm audit reads the same trail.
    const printed = await runCli(['audit', '--since', '1h', '--kind', 'refresh.reuse', '--json', ...cli]);
    assert.equal(printed.code, 0, printed.stderr);
    const printedEvents = JSON.parse(printed.stdout);
    assert.ok(printedEvents.length >= 1);
    assert.ok(printedEvents.every((e) => e.kind === 'refresh.reuse'));
    const text = await runCli(['audit', '--kind', 'signin', ...cli]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /signin\s+throttled\s+carol@example\.com/);
    // A bad filter is a clear 400 (and a usage error for the CLI), never a 500.
    const bad = await api('GET', 'audit?since=yesterday');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid_request');
    assert.equal((await runCli(['audit', '--since', 'yesterday', ...cli])).code, 2);

    // No secret in the database files or the log.
    const files = readdirSync(temp.dir).filter((f) => f.startsWith('atm.db'));
    const stored = files.map((f) => readFileSync(join(temp.dir, f)).toString('latin1')).join('\n');
    const log = atm.stderr();
    assert.ok(secrets.size > 20, `${secrets.size} secrets checked`);
    for (const s of secrets) {
      assert.ok(!stored.includes(s), `a secret in the database: ${s.slice(0, 6)}…`);
      assert.ok(!log.includes(s), `a secret in the log: ${s.slice(0, 6)}…`);
    }
  });

  test('the console shows the audit trail', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(10000);
      const problems = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${atm.url}/admin`);
      const form = page.locator('#signin-form');
      await form.getByLabel('Username').fill(ADMIN.username);
      await form.getByLabel('Password').fill(ADMIN.password);
      await form.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#view-apps').waitFor();
      await page.getByRole('link', { name: 'Audit trail' }).click();
      await page.locator('#view-audit').waitFor();
      await page.locator('#audit-table tbody tr').first().waitFor();
      assert.equal(await page.getByRole('link', { name: 'Audit trail' }).getAttribute('aria-current'), 'page');
      await page.locator('#audit-kind').selectOption('refresh.reuse');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.waitForFunction(() => [...document.querySelectorAll('#audit-table tbody tr')]
        .every((tr) => tr.dataset.kind === 'refresh.reuse'));
      const kinds = await page.locator('#audit-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.kind));
      assert.ok(kinds.length >= 1);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
});
