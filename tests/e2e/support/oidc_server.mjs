// Starting and stopping the real atm binary for the OpenID e2e tests, and
// signing a user in the way the login page does (for tests without a browser).
//
// Every server binds 127.0.0.1 on port 0; configs get cheap scrypt; every wait
// is bounded; servers are killed when the test process exits, whatever happens.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

export const ATM_BIN = process.env.ATM_BIN;
if (!ATM_BIN) throw new Error('ATM_BIN must name the atm binary (ctest sets it)');

// The applications every OpenID test uses. Redirect URIs point at port 9,
// which nothing serves: the browser tests intercept them, the API ones only
// read them.
export const WEB_APP = {
  client_id: 'web-app',
  client_secret: 'web-app-secret-0123456789',
  redirect_uri: 'http://127.0.0.1:9/callback',
};
export const SPA = { client_id: 'spa', redirect_uri: 'http://127.0.0.1:9/spa-callback' };
export const RESOURCE_SERVER = { client_id: 'resource-server', client_secret: 'resource-server-secret-0123' };
export const USER = { email: 'ada@example.com', password: 'correct-horse-9', given_name: 'Ada', family_name: 'Lovelace' };

export function oidcConfig(extra = '') {
  const user = `
  [[applications.users]]
  email = "${USER.email}"
  password = "${USER.password}"
  first_name = "${USER.given_name}"
  last_name = "${USER.family_name}"
`;
  return `${extra}
[passwords]
scrypt_log_n = 10

[[applications]]
name = "Web App"
client_id = "${WEB_APP.client_id}"
client_secret = "${WEB_APP.client_secret}"
redirect_url = "${WEB_APP.redirect_uri}"
${user}
[[applications]]
name = "Single-page App"
client_id = "${SPA.client_id}"
public = true
redirect_url = "${SPA.redirect_uri}"
${user}
[[applications]]
name = "Resource Server"
client_id = "${RESOURCE_SERVER.client_id}"
client_secret = "${RESOURCE_SERVER.client_secret}"
redirect_url = "http://127.0.0.1:9/unused"
`;
}

const live = new Set();
process.on('exit', () => { for (const p of live) p.kill('SIGKILL'); });

// Starts atm with `config` (TOML text) and `db` (":memory:" or a file path).
// Resolves to { url, dir, configPath, db, stop(), logs() } once the listening
// line is printed.
export async function startServer({ config = oidcConfig(), db = ':memory:', timeoutMs = 20000 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'atm-oidc-'));
  const configPath = path.join(dir, 'config.toml');
  writeFileSync(configPath, config);
  const dbPath = db === 'file' ? path.join(dir, 'atm.db') : db;
  const proc = spawn(ATM_BIN, ['serve', '--config', configPath, '--port', '0', '--db', dbPath],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`atm did not start in ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/atm listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`atm exited with ${code}:\n${stderr}`)); });
  });
  proc.removeAllListeners('exit');
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, dir, configPath, db: dbPath, stop, logs: () => stderr };
}

// Runs `atm <args>` to completion (for the CLI subcommands).
export function runAtm(args, { timeoutMs = 30000 } = {}) {
  const r = spawnSync(ATM_BIN, args, { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Polls `check` (async, truthy when done) every 250 ms for at most timeoutMs.
export async function waitFor(check, { timeoutMs = 15000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function pkcePair() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

// Signs in the way web/login.js does, over plain HTTP: follows /authorize to
// the login page's URL, posts the credentials and that URL's parameters to
// /auth, and returns the URL the browser would land on (redirect?code&state).
export async function signInViaApi(authorizationUrl, { email = USER.email, password = USER.password } = {}) {
  const first = await fetch(authorizationUrl, { redirect: 'manual' });
  if (first.status !== 302) throw new Error(`/authorize answered ${first.status}: ${await first.text()}`);
  const login = new URL(first.headers.get('location'), authorizationUrl);
  if (!login.pathname.endsWith('/login')) return login.toString();  // an error redirect to the client
  const q = login.searchParams;
  const body = {
    loginId: email, password,
    clientId: q.get('clientId'),
    code_challenge: q.get('code_challenge'),
    code_challenge_method: q.get('code_challenge_method'),
  };
  for (const name of ['redirect_uri', 'scope', 'nonce']) if (q.has(name)) body[name] = q.get(name);
  const res = await fetch(new URL('/auth', login), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`/auth answered ${res.status}: ${JSON.stringify(data)}`);
  const target = new URL(data.redirectUrl);
  target.searchParams.set('code', data.code);
  if (q.has('state')) target.searchParams.set('state', q.get('state'));
  return target.toString();
}
