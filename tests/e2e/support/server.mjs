// Starts the real atm binary for end-to-end tests: a temp config (cheap
// scrypt, the seed's demo application and user), `--port 0`, `--db :memory:`
// unless told otherwise, and a bounded wait for the listening line.
// Every server started here is killed by stopAll() (call it in after()).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ATM_BIN =
  process.env.ATM_BIN || fileURLToPath(new URL('../../../build/atm', import.meta.url));
// ATM_EMULATOR: a command that runs ATM_BIN, for a binary of another
// architecture where binfmt_misc is absent (scripts/cross_build.sh sets
// qemu-aarch64-static or qemu-arm-static). qemu-user exits with the guest's
// status and passes signals on to it.
export const ATM_EMULATOR = process.env.ATM_EMULATOR || '';
const command = (args) => (ATM_EMULATOR ? [ATM_EMULATOR, [ATM_BIN, ...args]] : [ATM_BIN, args]);
export const OUTPUT_DIR =
  process.env.ATM_TEST_OUTPUT || fileURLToPath(new URL('../../../build/test-output', import.meta.url));

// The demo application and user of config.toml (README "Quick start").
export const DEMO = Object.freeze({
  name: 'Demo SPA',
  clientId: 'OJJvmTmatjCOTuqBxur2',
  clientSecret: 'QhRhyGuSTP7S9cU6riqR3vPHETq9vErX',
  redirectUrl: 'http://localhost:8080/callback',
  email: 'end.user13@gmail.com',
  password: 'H123456789',
  firstName: 'End',
  lastName: 'User',
});

// HOST is a name, an IPv4 address or a bracketed IPv6 address (RFC 3986 §3.2.2).
const LISTENING = /^atm listening on (https?):\/\/([^\s:\[\]]+|\[[0-9A-Fa-f:.]+\]):(\d+)$/;
const running = new Set();
const tempDirs = new Set();

export function tempDir(prefix = 'atm-e2e-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

// The demo application and its user as TOML ([[applications]] block).
export function demoApplicationToml(redirectUrl = DEMO.redirectUrl) {
  return `[[applications]]
name          = "${DEMO.name}"
client_id     = "${DEMO.clientId}"
client_secret = "${DEMO.clientSecret}"
redirect_url  = "${redirectUrl}"

  [[applications.users]]
  email      = "${DEMO.email}"
  password   = "${DEMO.password}"
  first_name = "${DEMO.firstName}"
  last_name  = "${DEMO.lastName}"
`;
}

// The demo config as TOML. `extra` is TOML placed before the applications;
// `applications` replaces the demo application block.
export function demoToml({ redirectUrl = DEMO.redirectUrl, extra = '', applications } = {}) {
  return `[server]
host = "127.0.0.1"
port = 0

[passwords]
scrypt_log_n = 10

${extra}

${applications ?? demoApplicationToml(redirectUrl)}`;
}

export function writeConfig(text, dir = tempDir()) {
  const file = path.join(dir, 'config.toml');
  writeFileSync(file, text);
  return file;
}

// Spawns atm and resolves once it prints its listening line (within
// `timeoutMs`), or rejects with its stderr if it exits or stays silent.
export async function startAtm({
  config,               // TOML text (written to a temp file) or {path}
  db = ':memory:',      // null: no --db flag
  port = 0,             // 0: a free one, as the listening line reports
  args = [],
  cwd,
  timeoutMs = 10000,
} = {}) {
  const configPath = typeof config === 'object' && config?.path ? config.path : writeConfig(config ?? demoToml());
  const argv = ['--config', configPath, '--port', String(port), ...(db === null ? [] : ['--db', db]), ...args];
  const proc = spawn(...command(argv), { cwd: cwd ?? path.dirname(configPath), stdio: ['ignore', 'pipe', 'pipe'] });
  const server = {
    proc,
    configPath,
    stdoutLines: [],
    stderr: '',
    exited: new Promise((resolve) => {
      proc.on('exit', (code, signal) => resolve({ code, signal }));
      proc.on('error', (error) => resolve({ code: null, signal: null, error }));  // e.g. no ATM_BIN
    }),
  };
  running.add(server);
  server.exited.then(() => running.delete(server));
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { server.stderr += d; });
  proc.stdout.setEncoding('utf8');

  await new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`atm did not print its listening line within ${timeoutMs} ms\n${server.stderr}`));
    }, timeoutMs);
    proc.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        server.stdoutLines.push(line);
        const m = LISTENING.exec(line);
        if (m && !server.url) {
          server.url = `${m[1]}://${m[2]}:${m[3]}`;
          server.host = m[2];
          server.port = Number(m[3]);
          clearTimeout(timer);
          resolve();
        }
      }
    });
    server.exited.then(({ code, signal, error }) => {
      clearTimeout(timer);
      reject(new Error(`atm exited (${error ?? code ?? signal}) before listening\n${server.stderr}`));
    });
  });

  // Sends `signal` and resolves with the exit status (SIGKILL after the bound).
  server.stop = async (signal = 'SIGTERM', boundMs = 5000) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), boundMs);
    const result = await server.exited;
    clearTimeout(timer);
    return result;
  };
  return server;
}

// Runs atm to completion (for start-up failures): {code, signal, stdout, stderr}.
// `input` is written to its stdin.
export function runAtm(args, { cwd, input, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(...command(args), { cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) proc.stdin.end(input);
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`atm ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    proc.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// Kills every server still running and removes the temp folders.
export async function stopAll() {
  await Promise.all([...running].map((s) => s.stop('SIGKILL', 2000)));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

const b64url = (buf) => buf.toString('base64url');

// A PKCE pair for `method`: S256 (RFC 7636), or the ATM hex SHA256 / SHA512.
export function pkce(method = 'S256', verifier = b64url(randomBytes(32))) {
  const digest = (alg) => createHash(alg).update(verifier);
  const challenge = {
    S256: () => b64url(digest('sha256').digest()),
    SHA256: () => digest('sha256').digest('hex'),
    SHA512: () => digest('sha512').digest('hex'),
    plain: () => verifier,
  }[method]();
  return { verifier, challenge, method };
}

// POST a JSON body; resolves with {status, headers, body (parsed when JSON)}.
export async function postJson(url, body, { headers = {}, timeoutMs = 10000 } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return readResponse(res);
}

export async function readResponse(res) {
  const text = await res.text();
  let body = text;
  if ((res.headers.get('content-type') || '').startsWith('application/json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}

// /auth then /auth/token for the demo user: {code, tokens}.
export async function login(baseUrl, { method = 'S256', clientId = DEMO.clientId, clientSecret = DEMO.clientSecret,
  email = DEMO.email, password = DEMO.password } = {}) {
  const p = pkce(method);
  const auth = await postJson(`${baseUrl}/auth`, {
    loginId: email, password, clientId, code_challenge: p.challenge, code_challenge_method: method,
  });
  if (auth.status !== 200) throw new Error(`/auth answered ${auth.status}: ${JSON.stringify(auth.body)}`);
  const token = await postJson(`${baseUrl}/auth/token`, {
    clientId, clientSecret, grant_types: 'authorization_code', code: auth.body.code, code_verifier: p.verifier,
  });
  if (token.status !== 200) throw new Error(`/auth/token answered ${token.status}: ${JSON.stringify(token.body)}`);
  return { code: auth.body.code, tokens: token.body, redirectUrl: auth.body.redirectUrl };
}

export function decodeJwt(token) {
  const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));
  return { header, payload };
}
