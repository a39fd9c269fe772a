// atm test helper for Node 18+ (ESM, no dependencies). Copy this file into
// your test suite, or import it from a checkout of atm.
//
//   import { startAtm } from './atm.mjs';
//   const atm = await startAtm({ config: { applications: [{ name: 'My App', redirect_urls: ['http://localhost:3000/cb'],
//                                                          users: [{ email: 'ann@example.com' }] }] } });
//   ... atm.urls.discovery, atm.app.client_id, atm.user.password, await atm.mintToken({ user: 'ann@example.com' }) ...
//   await atm.stop();
//
// It starts the atm binary (option `bin`, else $ATM_BIN, else `atm` on PATH)
// on 127.0.0.1, port 0, with an in-memory database and the test-control API
// on (`--testing`), from a config it writes to a fresh temporary folder:
// either a JS object shaped like atm's TOML config, or TOML text. It waits for
// the line `atm listening on http://HOST:PORT`, and stop() sends SIGTERM, then
// SIGKILL after a bound, and removes the folder. Documented in atm's README.md,
// "Testing against atm" > "Drop-in helpers".
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const LISTENING = /^atm listening on (https?:\/\/\S+)$/;
const STDERR_TAIL = 16384;
const running = new Set();
let exitHookInstalled = false;

// An answer of atm that was not a 2xx: `status` and `body` (parsed JSON when it is JSON).
export class AtmError extends Error {
  constructor(method, url, status, body) {
    const detail = typeof body === 'object' && body ? `${body.error}: ${body.error_description ?? ''}` : String(body);
    super(`${method} ${url} answered ${status} (${detail})`);
    this.name = 'AtmError';
    this.status = status;
    this.body = body;
  }
}

const randomId = (n) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n)) if (b < 248 && out.length < n) out += alphabet[b % 62];
  }
  return out;
};

// The config used when none is given: one confidential application with one user.
export function defaultConfig() {
  return {
    applications: [{
      name: 'Test App',
      redirect_urls: ['http://localhost:3000/callback'],
      users: [{ email: 'user@example.com', first_name: 'Test', last_name: 'User' }],
    }],
  };
}

// Fills in what the helper must know to hand back credentials: a client id and
// (unless public) a secret for each application, a password for each user
// without one or a password_hash; cheap scrypt and 127.0.0.1 unless set.
export function normalizeConfig(config) {
  const c = structuredClone(config);
  c.server = { host: '127.0.0.1', ...c.server };
  c.passwords = { scrypt_log_n: 10, ...c.passwords };
  for (const app of c.applications ?? []) {
    app.client_id ??= randomId(20);
    if (!app.public) app.client_secret ??= randomId(32);
    for (const user of app.users ?? []) if (user.password_hash === undefined) user.password ??= randomId(16);
  }
  return c;
}

const isTable = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTableArray = (v) => Array.isArray(v) && v.length > 0 && v.every(isTable);
const tomlKey = (k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));

function tomlValue(v, where) {
  if (typeof v === 'string') return JSON.stringify(v);  // JSON's escapes are TOML basic-string escapes
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return String(v);
    return Number.isNaN(v) ? 'nan' : (v > 0 ? 'inf' : '-inf');
  }
  if (typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map((x, i) => tomlValue(x, `${where}[${i}]`)).join(', ')}]`;
  if (isTable(v)) {
    const parts = Object.entries(v).filter(([, x]) => x !== undefined && x !== null);
    return `{ ${parts.map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x, `${where}.${k}`)}`).join(', ')} }`;
  }
  throw new TypeError(`atm config: ${where}: cannot write a ${typeof v} as TOML`);
}

// A JS object as TOML: objects become tables, arrays of objects arrays of
// tables, everything else a value (undefined and null are left out).
export function toToml(obj) {
  const lines = [];
  const emit = (keys, table, arrayElement) => {
    if (keys.length) lines.push('', arrayElement ? `[[${keys.join('.')}]]` : `[${keys.join('.')}]`);
    const entries = Object.entries(table).filter(([, v]) => v !== undefined && v !== null);
    for (const [k, v] of entries) {
      if (!isTable(v) && !isTableArray(v)) lines.push(`${tomlKey(k)} = ${tomlValue(v, [...keys, k].join('.'))}`);
    }
    for (const [k, v] of entries) if (isTable(v)) emit([...keys, tomlKey(k)], v, false);
    for (const [k, v] of entries) if (isTableArray(v)) for (const e of v) emit([...keys, tomlKey(k)], e, true);
  };
  emit([], obj, false);
  return `${lines.join('\n').trimStart()}\n`;
}

function killAllOnExit() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test file that forgot stop() (or crashed) leaves no server behind.
  process.on('exit', () => {
    for (const s of running) {
      try { process.kill(s.pid, 'SIGKILL'); } catch { /* already gone */ }
      try { rmSync(s.dir, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  });
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// A PKCE pair (RFC 7636 S256).
export function pkce() {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: b64url(createHash('sha256').update(verifier).digest()), method: 'S256' };
}

// Starts atm. Options:
//   config    a JS object shaped like atm's TOML config (default: defaultConfig()),
//             or TOML text (then `applications` below is empty: the helper does not parse TOML)
//   bin       the atm binary (default $ATM_BIN, else `atm` on PATH)
//   testing   false: do not pass --testing (the control API answers 404)
//   args      more command-line arguments;  env: more environment variables
//   timeoutMs the bound for the listening line (default 10000);  stopTimeoutMs: SIGTERM -> SIGKILL (default 5000)
//   onLog     called with each chunk of atm's stderr (default: kept, the tail shown in errors)
export async function startAtm(options = {}) {
  const {
    config = defaultConfig(), bin = process.env.ATM_BIN || 'atm', testing = true, args = [], env = {},
    timeoutMs = 10000, stopTimeoutMs = 5000, onLog,
  } = options;
  const isText = typeof config === 'string';
  const normalized = isText ? null : normalizeConfig(config);
  const dir = mkdtempSync(path.join(tmpdir(), 'atm-test-'));
  const configPath = path.join(dir, 'config.toml');
  writeFileSync(configPath, isText ? config : toToml(normalized), { mode: 0o600 });

  const argv = ['serve', '--config', configPath, '--port', '0', '--db', ':memory:', ...(testing ? ['--testing'] : []),
    ...args];
  const proc = spawn(bin, argv, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    if (onLog) onLog(d);
    stderr = (stderr + d).slice(-STDERR_TAIL);
  });
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
    proc.on('error', (error) => resolve({ code: null, signal: null, error }));
  });
  const entry = { pid: proc.pid, dir };
  if (proc.pid) running.add(entry);
  killAllOnExit();
  const cleanup = () => {
    running.delete(entry);
    rmSync(dir, { recursive: true, force: true });
  };

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`atm did not print its listening line within ${timeoutMs} ms`)),
        timeoutMs);
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', (chunk) => {
        buffered += chunk;
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const m = LISTENING.exec(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        }
      });
      exited.then(({ code, signal, error }) => {
        clearTimeout(timer);
        const why = error?.code === 'ENOENT'
          ? `atm binary not found: ${bin} (pass {bin}, set ATM_BIN, or put atm on PATH)`
          : `atm exited (${error ?? code ?? signal}) before listening`;
        reject(new Error(why));
      });
    });
  } catch (e) {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid) proc.kill('SIGKILL');
    await exited;
    // atm's last words may still be in the pipe when the exit is reported.
    if (!proc.stderr.readableEnded) {
      await new Promise((resolve) => {
        const bound = setTimeout(resolve, 1000);
        proc.stderr.once('close', () => {
          clearTimeout(bound);
          resolve();
        });
      });
    }
    cleanup();
    e.message += stderr ? `\n${stderr}` : '';
    throw e;
  }
  proc.stdout.resume();  // keep draining (atm prints nothing more, but never let the pipe fill)
  // A running server does not keep Node alive: a test process that forgot
  // stop() still ends, and its exit hook kills the server.
  proc.unref();
  proc.stdout.unref?.();
  proc.stderr.unref?.();

  const base = url;
  let issuer = base;
  try {
    const res = await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(timeoutMs) });
    issuer = (await res.json()).issuer ?? base;
  } catch { /* the server answers later calls, or they fail with their own error */ }
  const server = {
    pid: proc.pid,
    process: proc,
    dir,
    configPath,
    url: base,
    issuer,  // the OpenID issuer, from discovery (server.public_url when the config sets it)
    atmIssuer: normalized?.tokens?.issuer ?? 'atm',  // `iss` of the ATM endpoints' tokens
    urls: {
      base,
      discovery: `${base}/.well-known/openid-configuration`,
      jwks: `${base}/.well-known/jwks.json`,
      atmJwks: `${base}/auth/.well-known/jwks.json`,
      authorize: `${base}/authorize`,
      token: `${base}/token`,
      userinfo: `${base}/userinfo`,
      revoke: `${base}/revoke`,
      introspect: `${base}/introspect`,
      logout: `${base}/logout`,
      login: `${base}/login`,        // the ATM login page
      auth: `${base}/auth`,          // the ATM sign-in API
      atmToken: `${base}/auth/token`,
      testing: `${base}/_testing`,
    },
    // Applications and users as written to the config (ids, secrets, passwords filled in).
    applications: normalized?.applications ?? [],
    get app() { return this.applications[0]; },
    get user() { return this.applications[0]?.users?.[0]; },
    stderr: () => stderr,
    exited,

    // Any request to atm: {status, headers, body (parsed when JSON)}; never throws on a status.
    // The bound is generous: a fresh server's first token waits for its signing key,
    // generated in the background at low priority (slow on a busy machine).
    async request(method, pathOrUrl, body, { headers = {}, timeoutMs: t = 30000 } = {}) {
      const target = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${base}${pathOrUrl}`;
      const init = { method, headers: { ...headers }, redirect: 'manual', signal: AbortSignal.timeout(t) };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        init.headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(target, init);
      const text = await res.text();
      const json = (res.headers.get('content-type') || '').startsWith('application/json');
      return { status: res.status, headers: res.headers, body: json && text ? JSON.parse(text) : text };
    },
    // A control-API call: the parsed body of a 2xx, else throws AtmError.
    async control(method, subPath, body) {
      const res = await this.request(method, `/_testing${subPath}`, body);
      if (res.status < 200 || res.status > 299) throw new AtmError(method, `/_testing${subPath}`, res.status, res.body);
      return res.body;
    },

    status() { return this.control('GET', ''); },
    // client_id defaults to the first application's for a `sub`, or a `user` given by email.
    mintToken(spec = {}) {
      const body = { ...spec };
      const byEmail = typeof body.user === 'string' && body.user.includes('@');
      if (body.client_id === undefined && body.aud === undefined && this.app && (byEmail || body.sub !== undefined)) {
        body.client_id = this.app.client_id;
      }
      return this.control('POST', '/tokens', body);
    },
    putApplication(clientId, app) { return this.control('PUT', `/applications/${encodeURIComponent(clientId)}`, app); },
    putUser(id, user) { return this.control('PUT', `/users/${encodeURIComponent(id)}`, user); },
    reset() { return this.control('POST', '/reset'); },
    clock() { return this.control('GET', '/clock'); },
    advanceClock(seconds) { return this.control('POST', '/clock', { advance: seconds }); },
    setClock(epochSeconds) { return this.control('POST', '/clock', { set: epochSeconds }); },
    resetClock() { return this.control('DELETE', '/clock'); },
    failNext(failure) { return this.control('POST', '/failures', failure); },
    async failures() { return (await this.control('GET', '/failures')).failures; },
    clearFailures() { return this.control('DELETE', '/failures'); },
    async records(kind) {
      return (await this.control('GET', `/records${kind ? `?kind=${encodeURIComponent(kind)}` : ''}`)).records;
    },
    clearRecords() { return this.control('DELETE', '/records'); },

    // Signs a user in through the ATM API as the login page does (POST /auth
    // with PKCE), then exchanges the code at POST /auth/token. Defaults: the
    // first application and its first user; a clientId or email that the config
    // names finds its secret or password. Throws AtmError on a refusal.
    async signIn({ app, user, clientId, clientSecret, email, password } = {}) {
      app ??= clientId === undefined ? this.app : this.applications.find((a) => a.client_id === clientId);
      user ??= email === undefined ? app?.users?.[0] : app?.users?.find((u) => u.email === email);
      clientId ??= app?.client_id;
      clientSecret ??= app?.client_secret;
      email ??= user?.email;
      password ??= user?.password;
      const p = pkce();
      const auth = await this.request('POST', '/auth', {
        loginId: email, password, clientId, code_challenge: p.challenge, code_challenge_method: 'S256',
      });
      if (auth.status !== 200) throw new AtmError('POST', '/auth', auth.status, auth.body);
      const exchange = { clientId, grant_type: 'authorization_code', code: auth.body.code, code_verifier: p.verifier };
      if (clientSecret) exchange.clientSecret = clientSecret;
      const token = await this.request('POST', '/auth/token', exchange);
      if (token.status !== 200) throw new AtmError('POST', '/auth/token', token.status, token.body);
      return token.body;
    },

    // SIGTERM, SIGKILL after `timeoutMs`; removes the temporary folder. Resolves
    // with {code, signal}. Safe to call twice.
    async stop(timeoutMs = stopTimeoutMs) {
      proc.ref();  // wait for the exit, also after the SIGKILL timer has fired
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      cleanup();
      return result;
    },
  };
  if (Symbol.asyncDispose) server[Symbol.asyncDispose] = () => server.stop();  // `await using atm = ...`
  return server;
}

// Decodes a JWT's header and payload without verifying it (for assertions).
export function decodeJwt(token) {
  const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));
  return { header, payload };
}
