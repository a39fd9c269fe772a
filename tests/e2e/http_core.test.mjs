// The event-driven HTTP core (src/http/session.h, server.cpp) against the real
// binary: request framing that allows smuggling is refused; keep-alive,
// pipelining, chunked bodies, 100-continue and HEAD work; a 413 is readable
// by real clients; connection limits; 10,000 idle connections and
// slowhttptest do not slow other clients; the same over TLS.
// Raw sockets (node:net, node:tls) wherever a well-behaved client would not
// send the bytes under test. Everything listens and connects on 127.0.0.1.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';

import { DEMO, configToml, exchange, login, pkcePair, signIn, sleep, startAtm, tempDir } from './support/harness.mjs';

const MAX_BODY = 16384;  // server.max_body_bytes of the servers below
const CURL = '/usr/bin/curl';
const SLOWHTTPTEST = '/usr/bin/slowhttptest';
const servers = new Set();
const connections = new Set();
const children = new Set();
const dirs = new Set();

after(async () => {
  for (const c of connections) c.destroy();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all([...servers].map((s) => s.stop('SIGKILL', 2000)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Starts atm with `server` lines added to [server] and `extra` tables.
async function atmWith(server = '', extra = '') {
  const dir = tempDir('atm-http-core-');
  dirs.add(dir);
  const atm = await startAtm({ dir, config: configToml({ server: `max_body_bytes = ${MAX_BODY}\n${server}`, extra }) });
  servers.add(atm);
  return atm;
}

// Parses one answer at the start of `buf`: null while incomplete. Answers are
// framed by Content-Length; a HEAD answer and a 1xx have no body.
function parseAnswer(buf, head) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const text = buf.subarray(0, end).toString('latin1');
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
  if (!m) throw new Error(`not an HTTP answer: ${JSON.stringify(buf.toString('latin1').slice(0, 200))}`);
  const headers = {};
  for (const line of text.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const status = Number(m[1]);
  const length = head || status < 200 ? 0 : Number(headers['content-length'] ?? 0);
  if (buf.length < end + 4 + length) return null;
  const body = buf.subarray(end + 4, end + 4 + length).toString('utf8');
  let json = null;
  try { json = JSON.parse(body); } catch { /* not JSON */ }
  return { answer: { status, headers, body, json, raw: text }, size: end + 4 + length };
}

// One raw HTTP/1.1 connection, plain or TLS: write bytes, take the answers
// one by one, see whether and when the server closed it.
class Conn {
  static open(port, { secure = false, ca, timeoutMs = 5000 } = {}) {
    return new Promise((resolve, reject) => {
      const socket = secure
        ? tls.connect({ host: '127.0.0.1', port, ca })
        : net.connect(port, '127.0.0.1');
      const conn = new Conn(socket);
      const timer = setTimeout(() => { conn.destroy(); reject(new Error('connect timed out')); }, timeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => { clearTimeout(timer); resolve(conn); });
      socket.once('error', (e) => { clearTimeout(timer); conn.destroy(); reject(e); });
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.closed = false;
    this.wake = () => {};
    connections.add(this);
    socket.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.wake(); });
    socket.on('error', () => {});
    socket.on('close', () => { this.closed = true; connections.delete(this); this.wake(); });
  }

  write(data) { this.socket.write(data); }

  // The next complete answer, or null once the server closed without one.
  next({ head = false, timeoutMs = 5000 } = {}) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.wake = () => {}; reject(new Error('no answer in time')); }, timeoutMs);
      this.wake = () => {
        let parsed;
        try { parsed = parseAnswer(this.buf, head); } catch (e) { clearTimeout(timer); return reject(e); }
        if (!parsed && !this.closed) return;
        clearTimeout(timer);
        this.wake = () => {};
        if (parsed) this.buf = this.buf.subarray(parsed.size);
        resolve(parsed ? parsed.answer : null);
      };
      this.wake();
    });
  }

  // Whether the server closed the connection within `timeoutMs`.
  async whenClosed(timeoutMs = 3000) {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) await sleep(20);
    return this.closed;
  }

  destroy() { this.socket.destroy(); connections.delete(this); }
}

const get = (p, more = '') => `GET ${p} HTTP/1.1\r\nHost: x\r\n${more}\r\n`;
const post = (p, headers, body) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;

// Opens a connection, sends one request and returns its answer and the
// milliseconds from the connect to the complete answer.
async function freshRequest(port, raw, opts = {}) {
  const started = performance.now();
  const c = await Conn.open(port, opts);
  c.write(raw);
  const answer = await c.next({ timeoutMs: opts.timeoutMs ?? 5000 });
  c.destroy();
  return { answer, ms: performance.now() - started };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

// Opens `count` connections, `batch` at a time, each sending GET /health and
// reading its 200; they stay open.
async function openIdle(port, count, { batch = 500, ...opts } = {}) {
  const open = [];
  for (let i = 0; i < count; i += batch) {
    const made = await Promise.all(Array.from({ length: Math.min(batch, count - i) }, async () => {
      const c = await Conn.open(port, { timeoutMs: 10000, ...opts });
      c.write(get('/health'));
      const a = await c.next({ timeoutMs: 10000 });
      assert.equal(a?.status, 200);
      return c;
    }));
    open.push(...made);
  }
  return open;
}

// ---------------------------------------------------------------- framing
describe('request framing that allows smuggling is refused with 400 and a close', () => {
  let atm;
  const smuggled = (name) => get(`/health/smuggled-${name}`);
  const TE = 'Transfer-Encoding: chunked\r\n';
  const cl = (s, more) => `Content-Length: ${more + s.length}\r\n`;  // covers `more` bytes, then the smuggled one
  const lastChunk = (s) => `0\r\n\r\n${s}`;  // an empty chunked body, then the smuggled request
  const cases = {
    'two conflicting Content-Length headers': (s) => post('/auth', `Content-Length: 2\r\n${cl(s, 2)}`, `{}${s}`),
    'Content-Length then Transfer-Encoding: chunked': (s) => post('/auth', cl(s, 5) + TE, lastChunk(s)),
    'Transfer-Encoding: chunked then Content-Length': (s) => post('/auth', TE + cl(s, 5), lastChunk(s)),
    'Transfer-Encoding: gzip (chunked not last)': (s) => post('/auth', 'Transfer-Encoding: gzip\r\n', lastChunk(s)),
    'Transfer-Encoding: chunked, gzip': (s) => post('/auth', 'Transfer-Encoding: chunked, gzip\r\n', lastChunk(s)),
    'Transfer-Encoding: gzip with a Content-Length':
      (s) => post('/auth', `Transfer-Encoding: gzip\r\n${cl(s, 5)}`, lastChunk(s)),
    'an obs-fold header line starting with a space': (s) => get('/health', 'X-A: 1\r\n 2\r\n') + s,
    'an obs-fold header line starting with a tab': (s) => get('/health', 'X-A: 1\r\n\t2\r\n') + s,
    'a bare LF ending the request line': (s) => `GET /health HTTP/1.1\nHost: x\r\n\r\n${s}`,
    'a bare LF ending a header line': (s) => `GET /health HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n${s}`,
    'a bare LF ending the header block': (s) => `GET /health HTTP/1.1\r\nHost: x\r\n\n${s}`,
    'a non-hex chunk size "zz"': (s) => post('/auth', TE, `zz\r\n{}\r\n${lastChunk(s)}`),
    'a negative chunk size "-1"': (s) => post('/auth', TE, `-1\r\n{}\r\n${lastChunk(s)}`),
    'an overlong chunk size "ffffffffffffffffff"': (s) => post('/auth', TE, `ffffffffffffffffff\r\n{}\r\n${lastChunk(s)}`),
    'a body on a GET holding a second request': (s) => get('/health', cl(s, 0)) + s,
  };

  before(async () => { atm = await atmWith(); });

  let n = 0;
  for (const [name, build] of Object.entries(cases)) {
    const tag = `case${++n}`;
    test(`${name}: one 400 answer, then the close; the smuggled request never runs`, async () => {
      const c = await Conn.open(atm.port);
      c.write(build(smuggled(tag)));
      const a = await c.next();
      assert.equal(a?.status, 400, a?.raw);
      assert.equal(a.json?.error, 'invalid_request');
      assert.equal(a.headers.connection, 'close');
      assert.ok(await c.whenClosed(), 'the server closed the connection');
      assert.equal(await c.next(), null, 'a second answer on the wire');
      assert.equal(c.buf.length, 0, `bytes after the answer: ${c.buf.toString('latin1')}`);
      await sleep(50);  // the access log is written before the close; let its pipe drain
      assert.doesNotMatch(atm.stderr(), new RegExp(`smuggled-${tag}\\b`), 'the smuggled request reached a handler');
    });
  }

  test('after all that, the server still answers', async () => {
    assert.equal((await freshRequest(atm.port, get('/health'))).answer.status, 200);
  });
});

// ------------------------------------------------------ what keeps working
// Checks shared by the plain and the TLS server: keep-alive and pipelining.
// Every kept-alive answer says when the idle connection closes, so that
// clients (Node's agent, undici) stop reusing it before the server closes it.
async function checkKeepAlive(port, opts = {}, idleSeconds = 5) {
  const c = await Conn.open(port, opts);
  for (let i = 0; i < 5; i++) {
    c.write(get('/health'));
    const a = await c.next();
    assert.equal(a?.status, 200, `request ${i + 1} on the same connection`);
    assert.equal(a.json.status, 'ok');
    assert.notEqual(a.headers.connection, 'close');
    assert.equal(a.headers['keep-alive'], `timeout=${idleSeconds}`);
  }
  assert.equal(c.closed, false);
  c.destroy();
}

async function checkPipelining(port, opts = {}) {
  const c = await Conn.open(port, opts);
  c.write(get('/pipelined-1') + get('/health') + get('/pipelined-3'));  // one write
  const answers = [await c.next(), await c.next(), await c.next()];
  assert.deepEqual(answers.map((a) => a?.status), [404, 200, 404]);
  assert.match(answers[0].json.error_description, /\/pipelined-1$/);
  assert.equal(answers[1].json.status, 'ok');
  assert.match(answers[2].json.error_description, /\/pipelined-3$/);
  assert.equal(c.closed, false, 'the connection stays open after the three');
  c.destroy();
}

describe('keep-alive, pipelining, chunked bodies, 100-continue and HEAD work', () => {
  let atm;
  // Wrong credentials: the handler answers 401 invalid_grant (two failures stay under the throttle's free five).
  const wrongPassword = JSON.stringify({ loginId: DEMO.email, password: 'wrong-password', clientId: DEMO.clientId,
    code_challenge: pkcePair().challenge, code_challenge_method: 'S256' });

  before(async () => { atm = await atmWith(); });

  test('several requests are answered one after the other on one keep-alive connection', () => checkKeepAlive(atm.port));

  test('three pipelined requests in one write get three answers, in order', () => checkPipelining(atm.port));

  test('a chunked body to POST /auth gets the handler\'s own answer (401 JSON), not 411', async () => {
    const parts = [wrongPassword.slice(0, 7), wrongPassword.slice(7, 60), wrongPassword.slice(60)];
    const body = parts.map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`).join('') + '0\r\n\r\n';
    const c = await Conn.open(atm.port);
    c.write(post('/auth', 'Transfer-Encoding: chunked\r\n', body));
    const a = await c.next();
    assert.equal(a?.status, 401, a?.body);
    assert.equal(a.json.error, 'invalid_grant');
    c.write(get('/health'));  // and the connection is still usable
    assert.equal((await c.next())?.status, 200);
    c.destroy();
  });

  test('Expect: 100-continue gets "100 Continue" before the body is sent, then the answer', async () => {
    const c = await Conn.open(atm.port);
    c.write(post('/auth', `Expect: 100-continue\r\nContent-Length: ${Buffer.byteLength(wrongPassword)}\r\n`, ''));
    const interim = await c.next({ timeoutMs: 2000 });
    assert.equal(interim?.status, 100);
    assert.equal(interim.raw, 'HTTP/1.1 100 Continue');
    await sleep(100);
    assert.equal(c.buf.length, 0, 'nothing but the 100 before the body');
    c.write(wrongPassword);
    const a = await c.next();
    assert.equal(a?.status, 401);
    assert.equal(a.json.error, 'invalid_grant');
    c.destroy();
  });

  test('Expect: 100-continue with a Content-Length over max_body_bytes gets 413 at once, no 100', async () => {
    const started = performance.now();
    const c = await Conn.open(atm.port);
    c.write(post('/auth', `Expect: 100-continue\r\nContent-Length: ${MAX_BODY + 1}\r\n`, ''));
    const a = await c.next({ timeoutMs: 2000 });
    assert.equal(a?.status, 413, 'the first answer is the 413 (no 100 Continue)');
    assert.equal(a.json.error, 'invalid_request');
    assert.ok(performance.now() - started < 1000);
    assert.ok(await c.whenClosed(), 'closed once the client stops sending');
  });

  test('HEAD /health has the Content-Length of the GET and no body', async () => {
    const c = await Conn.open(atm.port);
    c.write(`HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n${get('/health')}`);
    const head = await c.next({ head: true });
    // Were there a body after the HEAD answer, the next answer would not parse.
    const full = await c.next();
    assert.equal(head?.status, 200);
    assert.equal(full?.status, 200);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(full.body)));
    assert.equal(full.headers['content-length'], head.headers['content-length']);
    assert.ok(Number(head.headers['content-length']) > 0);
    c.destroy();
  });

  test('a 204 (a CORS preflight) has no Content-Length (RFC 9110 §8.6), and the connection goes on', async () => {
    const c = await Conn.open(atm.port);
    c.write(`OPTIONS /token HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:8080\r\n` +
      `Access-Control-Request-Method: POST\r\n\r\n${get('/health')}`);
    const preflight = await c.next({ head: true });
    const next = await c.next();
    assert.equal(preflight?.status, 204);
    assert.equal(preflight.headers['content-length'], undefined);
    assert.equal(next?.status, 200);
    c.destroy();
  });
});

// --------------------------------------------------- 413 for real clients
describe('a body over max_body_bytes gets a 413 that real clients can read', () => {
  let atm;
  const big = JSON.stringify({ loginId: 'x'.repeat(200 * 1024), password: 'p', clientId: DEMO.clientId });

  before(async () => { atm = await atmWith(); });

  test('fetch POSTing 200 KB to /auth reads 413 with a JSON invalid_request', async () => {
    const res = await fetch(`${atm.url}/auth`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: big, signal: AbortSignal.timeout(10000),
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error, 'invalid_request');
  });

  test('curl POSTing 200 KB to /auth prints 413 and the JSON error', async (t) => {
    if (!existsSync(CURL)) return t.skip(`${CURL} is absent (Debian package curl)`);
    const file = path.join(atm.dir, 'big.json');
    writeFileSync(file, big);
    // Waiting for a 100 Continue (which never comes: the 413 does), and sending the body at once.
    for (const expect of [['-H', 'Expect: 100-continue'], ['-H', 'Expect:']]) {
      const out = await new Promise((resolve, reject) => execFile(CURL, ['-s', '-o', '-', '-w', '%{http_code}',
        '-H', 'content-type: application/json', ...expect, '--data-binary', `@${file}`, `${atm.url}/auth`],
      { timeout: 15000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
      assert.ok(out.endsWith('413'), `curl ${expect.join(' ')} printed ${out}`);
      assert.equal(JSON.parse(out.slice(0, -3)).error, 'invalid_request');
    }
  });

  test('fetch streaming a chunked body over the limit reads 413', async () => {
    const piece = new TextEncoder().encode('x'.repeat(4096));
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent++ < 50) controller.enqueue(piece);  // 200 KiB, no length known up front: chunked
        else controller.close();
      },
    });
    const res = await fetch(`${atm.url}/auth`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half',
      signal: AbortSignal.timeout(10000),
    });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error, 'invalid_request');
  });
});

// ------------------------------------------------------ connection limits
async function checkConnectionLimit(line, why) {
  const atm = await atmWith(`${line}\nkeep_alive_seconds = 30`);
  const five = [];
  for (let i = 0; i < 5; i++) five.push(await Conn.open(atm.port));
  for (const c of five) {  // each admitted: it answers, rather than a 503 and a close
    c.write(get('/health'));
    assert.equal((await c.next())?.status, 200);
  }
  assert.ok(five.every((c) => !c.closed), 'five idle connections are kept');

  const sixth = await Conn.open(atm.port);
  const refused = await sixth.next();
  assert.equal(refused?.status, 503);
  assert.equal(refused.json.error, 'temporarily_unavailable');
  assert.match(refused.json.error_description, why);
  assert.ok(await sixth.whenClosed(), 'the sixth connection is closed');

  for (const c of five) {  // the five were admitted: each is served
    c.write(get('/health'));
    assert.equal((await c.next())?.status, 200);
  }
  five.pop().destroy();
  let answer = null;  // the server notices the close asynchronously
  for (const until = Date.now() + 3000; answer?.status !== 200 && Date.now() < until; await sleep(50)) {
    answer = (await freshRequest(atm.port, get('/health'))).answer;
  }
  assert.equal(answer?.status, 200, 'after one of the five closed, a new connection is served');
  for (const c of five) c.destroy();
  await atm.stop();
}

describe('connection limits', () => {
  test('max_connections_per_client = 5: the sixth connection gets 503 temporarily_unavailable, until one closes',
    () => checkConnectionLimit('max_connections_per_client = 5', /server\.max_connections_per_client/));

  test('max_connections = 5: the sixth connection gets 503 temporarily_unavailable, until one closes',
    () => checkConnectionLimit('max_connections = 5', /server\.max_connections\)/));
});

// ------------------------------------------------- 10,000 idle connections
// What "not stalled" means here (issue 11: under 100 ms): the old
// thread-per-connection core took 4.7 s to answer with 40 idle connections and
// never answered with 200. Measured medians are 0.3 ms (/health), 6 ms (POST
// /auth) and 4 ms (/auth/token), so the bound has a wide margin; the benchmark
// measures the latency itself (bench/README.md). The sanitizer build runs
// scrypt and RSA several times slower and gets a wider bound.
const SANITIZED = Boolean(process.env.ATM_SANITIZED);
const STALL_MS = SANITIZED ? 2000 : 100;

describe('10,000 idle keep-alive connections', () => {
  test('do not stall a fresh client: /health and a code exchange are answered at once', { timeout: 90000 }, async (t) => {
    // Node raised its soft limit to the hard one at start; atm inherits it.
    const fds = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))[1]);
    if (fds < 10300) return t.skip(`the open-file limit is ${fds}: 10,000 connections need about 10,300`);
    const atm = await atmWith('keep_alive_seconds = 60');
    await signIn(atm.url);  // the first signing key exists before the measurement
    const rssBefore = rssMiB(atm.pid);
    const started = performance.now();
    const idle = await openIdle(atm.port, 10000);
    t.diagnostic(`10,000 connections opened in ${Math.round(performance.now() - started)} ms`);

    const health = [];
    for (let i = 0; i < 7; i++) {
      const { answer, ms } = await freshRequest(atm.port, get('/health'));
      assert.equal(answer?.status, 200);
      health.push(ms);
    }
    const auth = [];
    const token = [];
    for (let i = 0; i < 5; i++) {
      const pkce = pkcePair();
      let t0 = performance.now();
      const l = await login(atm.url, DEMO, DEMO, pkce);
      auth.push(performance.now() - t0);
      assert.equal(l.status, 200, l.text);
      t0 = performance.now();
      const x = await exchange(atm.url, DEMO, l.data.code, pkce.verifier);
      token.push(performance.now() - t0);
      assert.equal(x.status, 200, x.text);
      assert.ok(x.data.access_token);
    }
    const rss = rssMiB(atm.pid);
    const fmt = (xs) => xs.map((x) => x.toFixed(1)).join(' ');
    t.diagnostic(`atm RSS with 10,000 open connections: ${rss.toFixed(1)} MiB (${rssBefore.toFixed(1)} MiB before them)`);
    t.diagnostic(`fresh /health ms: ${fmt(health)}; POST /auth ms: ${fmt(auth)}; POST /auth/token ms: ${fmt(token)}`);
    assert.ok(median(health) < STALL_MS, `/health median ${median(health)} ms`);
    assert.ok(median(auth) < STALL_MS, `POST /auth median ${median(auth)} ms`);
    assert.ok(median(token) < STALL_MS, `POST /auth/token median ${median(token)} ms`);
    // ASan's quarantine and shadow memory make RSS meaningless there.
    if (!SANITIZED) assert.ok(rss - rssBefore < 64, `RSS grew ${rss - rssBefore} MiB with 10,000 connections`);

    assert.equal(idle.filter((c) => c.closed).length, 0, 'idle connections were closed');
    for (const c of idle.filter((_, i) => i % 100 === 0)) {  // a hundred of them, still served
      c.write(get('/health'));
      assert.equal((await c.next())?.status, 200);
    }
    for (const c of idle) c.destroy();
    await atm.stop();
  });
});

// ----------------------------------------------------------- slowhttptest
// Runs slowhttptest for ~15 s against a fresh atm and samples a fresh
// client's /health every 500 ms meanwhile. Returns the samples and the most
// connections slowhttptest reported as open at once.
async function underSlowhttptest(modeArgs, urlPath) {
  const atm = await atmWith();
  const child = spawn(SLOWHTTPTEST, [...modeArgs, '-c', '1000', '-r', '200', '-l', '15', '-i', '3', '-p', '3',
    '-u', `http://127.0.0.1:${atm.port}${urlPath}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => { child.on('exit', resolve); child.on('error', resolve); });
  const samples = [];
  await sleep(2000);  // let it open its connections
  for (const until = Date.now() + 13000; Date.now() < until;) {
    const t0 = performance.now();
    let status = null;
    try {
      status = (await freshRequest(atm.port, get('/health'), { timeoutMs: 1000 })).answer?.status;
    } catch { /* counted as a failed sample */ }
    samples.push({ status, ms: performance.now() - t0 });
    await sleep(500);
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
  const plain = output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  const connected = Math.max(0, ...[...plain.matchAll(/connected:\s+(\d+)/g)].map((m) => Number(m[1])));
  await atm.stop();
  return { samples, connected };
}

describe('slowhttptest with 1,000 connections does not stop /health', { skip: !existsSync(SLOWHTTPTEST) &&
  'slowhttptest is not installed (Debian package slowhttptest)' }, () => {
  const modes = {
    'slow headers (slowloris, -H)': [['-H'], '/health'],
    'slow body (-B, POST /auth)': [['-B', '-t', 'POST', '-s', '8192'], '/auth'],
    'slow read (-X)': [['-X', '-k', '3', '-n', '1', '-w', '1', '-y', '64', '-z', '16'], '/health'],
  };
  for (const [name, [args, urlPath]] of Object.entries(modes)) {
    test(`${name}: a fresh client's /health answers within 1 s throughout`, { timeout: 60000 }, async (t) => {
      const { samples, connected } = await underSlowhttptest(args, urlPath);
      const slow = samples.filter((s) => s.status !== 200 || s.ms > 1000);
      t.diagnostic(`${samples.length} samples, max ${Math.max(...samples.map((s) => s.ms)).toFixed(1)} ms, ` +
        `median ${median(samples.map((s) => s.ms)).toFixed(1)} ms; slowhttptest held up to ${connected} connections`);
      assert.ok(connected >= 500, `slowhttptest only reached ${connected} connections: the attack did not happen`);
      assert.ok(samples.length >= 15, `only ${samples.length} samples`);
      assert.deepEqual(slow, [], 'answers missing or slower than 1 s');
    });
  }
});

// -------------------------------------------------------------------- TLS
describe('the same over TLS', () => {
  let atm;
  let ca;

  before(async () => {  // a self-signed certificate for 127.0.0.1, made by the openssl command
    const dir = tempDir('atm-http-core-tls-');
    dirs.add(dir);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    ca = readFileSync(path.join(dir, 'cert.pem'));
    atm = await startAtm({ dir, config: configToml({ server: `max_body_bytes = ${MAX_BODY}\nkeep_alive_seconds = 60`,
      extra: `[server.tls]\ncert_file = "${dir}/cert.pem"\nkey_file = "${dir}/key.pem"\n` }) });
    servers.add(atm);
    assert.match(atm.url, /^https:/);
  });

  test('several requests are answered on one keep-alive TLS connection',
    () => checkKeepAlive(atm.port, { secure: true, ca }, 60));

  test('three pipelined requests in one TLS write get three answers, in order',
    () => checkPipelining(atm.port, { secure: true, ca }));

  test('a 200 KB body over HTTPS gets a 413 that https.request reads', async () => {
    const body = JSON.stringify({ loginId: 'x'.repeat(200 * 1024) });
    const res = await new Promise((resolve, reject) => {
      const req = https.request(`${atm.url}/auth`, {
        method: 'POST', ca, timeout: 10000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (r) => {
        let text = '';
        r.on('data', (d) => { text += d; });
        r.on('end', () => resolve({ status: r.statusCode, text }));
        r.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.text).error, 'invalid_request');
  });

  test('1,000 idle TLS connections do not stall a fresh TLS client\'s /health', { timeout: 60000 },
    async (t) => {
      const rssBefore = rssMiB(atm.pid);
      const idle = await openIdle(atm.port, 1000, { batch: 100, secure: true, ca });
      const ms = [];
      for (let i = 0; i < 7; i++) {
        const r = await freshRequest(atm.port, get('/health'), { secure: true, ca });
        assert.equal(r.answer?.status, 200);
        ms.push(r.ms);
      }
      t.diagnostic(`fresh TLS /health (handshake included) ms: ${ms.map((x) => x.toFixed(1)).join(' ')}; ` +
        `atm RSS ${rssMiB(atm.pid).toFixed(1)} MiB with them (${rssBefore.toFixed(1)} MiB before)`);
      assert.ok(median(ms) < STALL_MS, `median ${median(ms)} ms`);
      assert.equal(idle.filter((c) => c.closed).length, 0, 'idle TLS connections were closed');
      for (const c of idle.filter((_, i) => i % 50 === 0)) {
        c.write(get('/health'));
        assert.equal((await c.next())?.status, 200);
      }
      for (const c of idle) c.destroy();
    });
});
