// Helpers for the admin e2e tests: start the real atm binary (port 0, cheap
// scrypt, an admin from the environment), run CLI commands, PKCE pairs, and
// a local redirect target that records the codes it receives. Every wait is
// bounded, and every process started here is killed by its owner's stop().
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from './chromium.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const ATM_BIN = process.env.ATM_BIN ?? resolve(here, '../../../build/atm');
export const OUTPUT_DIR = process.env.ATM_TEST_OUTPUT ?? resolve(here, '../../../build/test-output');
export const ADMIN = { username: 'admin', password: 'admin-password-1' };
const ADMIN_ENV = 'ATM_E2E_ADMIN_PASSWORD';

// A folder for one test file's files; removed by cleanup().
export function tempDir(prefix = 'atm-admin-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function outputDir(name) {
  const dir = join(OUTPUT_DIR, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Writes a config: cheap scrypt, port 0, and (unless admin is false) the
// first admin from an environment variable. `extra` is appended TOML.
export function writeConfig(dir, { admin = true, extra = '' } = {}) {
  const path = join(dir, 'config.toml');
  let text = '[server]\nhost = "127.0.0.1"\nport = 0\n\n[passwords]\nscrypt_log_n = 10\n\n';
  if (admin) text += `[admin]\nusername = "${ADMIN.username}"\npassword_env = "${ADMIN_ENV}"\n\n`;
  writeFileSync(path, text + extra);
  return path;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Starts `atm serve` and resolves once it prints its listening line.
// Options: db (default ":memory:"), admin (seed the admin), extra (TOML).
export async function startServer({ db = ':memory:', admin = true, extra = '', dir } = {}) {
  const temp = dir ? null : tempDir();
  const folder = dir ?? temp.dir;
  const configPath = writeConfig(folder, { admin, extra });
  const proc = spawn(ATM_BIN, ['serve', '--config', configPath, '--db', db], {
    env: { ...process.env, [ADMIN_ENV]: ADMIN.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((res) => proc.once('exit', (code) => res(code)));
  const url = await withTimeout(new Promise((res, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/atm listening on (http\S+)/);
      if (m) res(m[1]);
    });
    exited.then((code) => reject(new Error(`atm exited with ${code} before listening:\n${stderr}`)));
  }), 15000, 'atm to print its listening line').catch((e) => { proc.kill('SIGKILL'); throw e; });
  return {
    url, configPath, db, dir: folder,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await withTimeout(exited, 10000, 'atm to stop').catch(() => proc.kill('SIGKILL'));
      }
      temp?.cleanup();
    },
  };
}

// Runs `atm ARGS...` with `input` on stdin; resolves {code, stdout, stderr}.
export function runCli(args, { input = '', timeoutMs = 20000 } = {}) {
  return new Promise((res, reject) => {
    const proc = spawn(ATM_BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`atm ${args.join(' ')} timed out`)); },
      timeoutMs);
    proc.on('exit', (code) => { clearTimeout(timer); res({ code, stdout, stderr }); });
    proc.stdin.on('error', () => {});  // the command may exit without reading stdin
    proc.stdin.end(input);
  });
}

// fetch with a bound on the wait.
export function request(url, options = {}) {
  return fetch(url, { ...options, signal: AbortSignal.timeout(10000) });
}

// An admin API bearer token from POST /admin/api/tokens.
export async function adminToken(url) {
  const r = await request(`${url}/admin/api/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
  });
  if (r.status !== 201) throw new Error(`admin token: ${r.status} ${await r.text()}`);
  return (await r.json()).access_token;
}

// A client of the admin API with a bearer token.
export function adminApi(url, token) {
  return async (method, path, body) => {
    const headers = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await request(`${url}/admin/api/${path}`,
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
  };
}

// RFC 7636 S256: a verifier and its challenge.
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

// The seed's flow over HTTP: POST /auth, then POST /auth/token.
export async function seedFlow(url, { clientId, clientSecret, email, password }) {
  const { verifier, challenge } = pkcePair();
  const auth = await request(`${url}/auth`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ loginId: email, password, clientId, code_challenge: challenge, code_challenge_method: 'S256' }),
  });
  const authBody = await auth.json();
  if (auth.status !== 200) return { step: 'auth', status: auth.status, body: authBody };
  const token = await request(`${url}/auth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId, clientSecret, grant_types: 'authorization_code', code: authBody.code, code_verifier: verifier }),
  });
  return { step: 'token', status: token.status, body: await token.json(), redirectUrl: authBody.redirectUrl };
}

// The claims of a JWT, unverified (the foundation's tests verify signatures).
export function jwtClaims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

// A local redirect target: answers 200 and records each request's query.
export async function startCallbackServer() {
  const hits = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    hits.push(Object.fromEntries(u.searchParams));
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Callback</title><h1>Signed in</h1><p id="code">' +
      (u.searchParams.get('code') ?? '').replace(/[^A-Za-z0-9]/g, '') + '</p>');
  });
  await new Promise((res) => server.listen(0, '127.0.0.1', res));
  return {
    url: `http://127.0.0.1:${server.address().port}/callback`,
    hits,
    stop: () => new Promise((res) => { server.closeAllConnections?.(); server.close(() => res()); }),
  };
}

// Headless Chromium from Debian (never a downloaded browser).
export async function launchBrowser() {
  return launchChromium();
}
