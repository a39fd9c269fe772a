// Shared by the security, durability and soak tests: starts the real atm
// binary (ATM_BIN) on an ephemeral port with a temporary config, and speaks
// the ATM flow over HTTP. Every wait is bounded; every server is killed.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ATM_BIN = process.env.ATM_BIN || path.resolve('build/atm');

export const DEMO = {
  clientId: 'secClientAAAAAAAAAAA',
  clientSecret: 'secSecretAAAAAAAAAAAAAAAAAAAAAAA',
  redirectUrl: 'http://localhost:9999/callback',
  email: 'alice@example.com',
  password: 'alice-password-1',
};
export const OTHER = {
  clientId: 'secClientBBBBBBBBBBB',
  clientSecret: 'secSecretBBBBBBBBBBBBBBBBBBBBBBB',
  redirectUrl: 'http://localhost:9998/other',
  email: 'bob@example.com',
  password: 'bob-password-12',
};

// A config with the two applications above and cheap scrypt; `server` and
// `passwords` are lines for those tables, `extra` is TOML appended at the end
// (whole tables such as "[throttle]\n...").
export function configToml({ server = '', passwords = 'scrypt_log_n = 10', extra = '' } = {}) {
  return `[server]
host = "127.0.0.1"
${server}
[passwords]
${passwords}

${extra}

[[applications]]
name = "Security A"
client_id = "${DEMO.clientId}"
client_secret = "${DEMO.clientSecret}"
redirect_url = "${DEMO.redirectUrl}"
  [[applications.users]]
  email = "${DEMO.email}"
  password = "${DEMO.password}"
  first_name = "Alice"
  last_name = "A"

[[applications]]
name = "Security B"
client_id = "${OTHER.clientId}"
client_secret = "${OTHER.clientSecret}"
redirect_url = "${OTHER.redirectUrl}"
  [[applications.users]]
  email = "${OTHER.email}"
  password = "${OTHER.password}"
`;
}

export function tempDir(prefix = 'atm-sec-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Starts atm and resolves once it printed its listening line. Options:
//   config: TOML text (default configToml()), db: path (default :memory:),
//   env: extra environment, args: extra arguments, dir: folder for the config,
//   wrap: a command prefix (e.g. ['prlimit', '--fsize=...']).
export async function startAtm(opts = {}) {
  const dir = opts.dir || tempDir();
  const configPath = path.join(dir, 'config.toml');
  fs.writeFileSync(configPath, opts.config ?? configToml(), { mode: 0o600 });
  const args = ['--config', configPath, '--port', '0', '--db', opts.db || ':memory:', ...(opts.args || [])];
  const command = opts.wrap ? [...opts.wrap, ATM_BIN, ...args] : [ATM_BIN, ...args];
  const proc = spawn(command[0], command.slice(1), {
    env: { ...process.env, ...(opts.env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => { stdout += d; });
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');  // no handle reaches the caller: nobody else could stop it
      reject(new Error(`atm did not start within 30 s\n${stderr}`));
    }, 30000);
    const check = () => {
      const m = stdout.match(/atm listening on (https?:\/\/\S+)\n/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout.on('data', check);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`atm exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  const server = {
    url,
    port: Number(new URL(url).port),
    proc,
    pid: proc.pid,
    dir,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop(signal = 'SIGTERM', timeoutMs = 15000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  return server;
}

// Runs atm expecting it to refuse to start; resolves {code, stdout, stderr}.
export function runAtm(args, { env = {}, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(ATM_BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`atm ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function pkcePair() {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

// fetch with a time bound; the body is parsed as JSON when it is JSON.
export async function request(url, { method = 'GET', json, body, headers = {}, timeoutMs = 15000 } = {}) {
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['content-type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let data = null;
  if ((res.headers.get('content-type') || '').startsWith('application/json')) data = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, data };
}

export function login(base, app, user, pkce, extra = {}) {
  return request(`${base}/auth`, {
    method: 'POST',
    json: {
      loginId: user.email,
      password: user.password,
      clientId: app.clientId,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...extra,
    },
  });
}

export function exchange(base, app, code, verifier) {
  return request(`${base}/auth/token`, {
    method: 'POST',
    json: {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      grant_types: 'authorization_code',
      code,
      code_verifier: verifier,
    },
  });
}

export function refresh(base, app, refreshToken) {
  return request(`${base}/auth/token`, {
    method: 'POST',
    json: { clientId: app.clientId, refresh_token: refreshToken, grantType: 'refresh_token' },
  });
}

// Login + code exchange; returns the token response body.
export async function signIn(base, app = DEMO, user = DEMO) {
  const pkce = pkcePair();
  const r = await login(base, app, user, pkce);
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
  const t = await exchange(base, app, r.data.code, pkce.verifier);
  if (t.status !== 200) throw new Error(`exchange failed: ${t.status} ${t.text}`);
  return t.data;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
