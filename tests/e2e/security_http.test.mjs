// HTTP hardening of the real binary, with raw sockets where a well-behaved
// client cannot misbehave enough: size limits (413, 414, 400), request
// deadlines against slowloris, JSON depth, strict content types, security
// headers on pages and no-store on token and login answers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { DEMO, configToml, login, pkcePair, request, sleep, startAtm } from './support/harness.mjs';

const READ_TIMEOUT = 2;  // server.read_timeout_seconds below
const KEEP_ALIVE = 2;    // server.keep_alive_seconds below
const MAX_HEADER = 16384;  // server.max_header_bytes below
// A request's head must be complete READ_TIMEOUT after its first byte.
const DEADLINE_MS = READ_TIMEOUT * 1000;

let atm;
before(async () => {
  atm = await startAtm({
    config: configToml({
      server: `max_body_bytes = 4096\nmax_header_bytes = ${MAX_HEADER}\nread_timeout_seconds = ${READ_TIMEOUT}\n` +
        `keep_alive_seconds = ${KEEP_ALIVE}\nthreads = 4`,
    }),
  });
});
after(async () => { await atm?.stop(); });

// Opens a raw connection; `chunks` are written one by one `intervalMs` apart
// until the server closes the connection. Resolves with what the server sent,
// whether it closed, and after how long.
// With `until`, resolves as soon as what was received matches it.
function rawExchange(chunks, { intervalMs = 0, maxMs = 20000, until = null } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(atm.port, '127.0.0.1');
    let received = '';
    let closed = false;
    let i = 0;
    let timer = null;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(limit);
      socket.destroy();
      resolve({ received, closed, elapsedMs: Date.now() - started, unsent: chunks.length - i });
    };
    const limit = setTimeout(finish, maxMs);
    const writeNext = () => {
      if (closed || i >= chunks.length) return;
      socket.write(chunks[i++], () => {});
      timer = setTimeout(writeNext, intervalMs);
    };
    socket.on('connect', writeNext);
    socket.on('data', (d) => {
      received += d;
      if (until && until.test(received)) finish();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      finish();
    });
  });
}

const COMPLETE_ANSWER = /\r\n\r\n[^]*\}$/;  // headers and a JSON body
const statusOf = (raw) => Number((raw.match(/^HTTP\/1\.1 (\d{3})/) || [])[1]);
const jsonOf = (raw) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));

async function assertHealthy() {
  const r = await request(`${atm.url}/health`, { timeoutMs: 10000 });
  assert.equal(r.status, 200);
}

test('a body larger than server.max_body_bytes gets 413 with a JSON error', async () => {
  const r = await request(`${atm.url}/auth`, { method: 'POST', json: { loginId: 'x'.repeat(5000) } });
  assert.equal(r.status, 413);
  assert.equal(r.data.error, 'invalid_request');
  assert.match(r.data.error_description, /too large/);
});

test('a declared Content-Length over the limit gets 413 at once, without the body being read', async () => {
  const r = await rawExchange(['POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 10000000000\r\n\r\n{"a":'], { until: COMPLETE_ANSWER });
  assert.equal(statusOf(r.received), 413);
  assert.equal(jsonOf(r.received).error, 'invalid_request');
  assert.ok(r.elapsedMs < 1500, `answered after ${r.elapsedMs} ms`);
  assert.match(r.received, /\r\nConnection: close\r\n/);
});

test('a chunked body is read and bounded by max_body_bytes; a POST without any length gets 411', async () => {
  const chunked = await rawExchange(['POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'], { until: COMPLETE_ANSWER });
  assert.equal(statusOf(chunked.received), 400);  // the handler's answer: fields are missing
  assert.match(jsonOf(chunked.received).error_description, /required/);
  const chunk = 'a'.repeat(1000);
  const tooLong = await rawExchange(['POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\n\r\n' + `3e8\r\n${chunk}\r\n`.repeat(5) + '0\r\n\r\n'], { until: COMPLETE_ANSWER });
  assert.equal(statusOf(tooLong.received), 413);
  const smuggle = await rawExchange(['POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'], { until: COMPLETE_ANSWER });
  assert.equal(statusOf(smuggle.received), 400);
  const noLength = await rawExchange(['POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n{}'],
    { until: COMPLETE_ANSWER });
  assert.equal(statusOf(noLength.received), 411);
  assert.ok(noLength.elapsedMs < 1500, `answered after ${noLength.elapsedMs} ms`);
  await assertHealthy();
});

test('a body on a GET is refused, never run as a second request (smuggling)', async () => {
  const smuggled = 'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n';
  const r = await rawExchange([`GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`],
    { maxMs: 8000 });
  assert.equal(statusOf(r.received), 400);
  assert.match(r.received, /must not have a body/);
  assert.equal((r.received.match(/HTTP\/1\.1 \d{3}/g) || []).length, 1, `more than one answer:\n${r.received}`);
});

test('a request URI longer than 8 KiB gets 414 with a JSON error', async () => {
  const r = await request(`${atm.url}/login?clientId=${'a'.repeat(9000)}`);
  assert.equal(r.status, 414);
  assert.equal(r.data.error, 'invalid_request');
  assert.match(r.data.error_description, /URI is too long/);
});

test('headers over server.max_header_bytes get 431 with a JSON error', async () => {
  const fits = await rawExchange([`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(9000)}\r\n\r\n`],
    { until: COMPLETE_ANSWER });
  assert.equal(statusOf(fits.received), 200);
  const r = await rawExchange([`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(MAX_HEADER)}\r\n\r\n`],
    { until: COMPLETE_ANSWER });
  assert.equal(statusOf(r.received), 431);
  assert.equal(jsonOf(r.received).error, 'invalid_request');
  assert.match(jsonOf(r.received).error_description, /headers are too large/);
});

test('endless headers are cut off after the request byte budget, and the server stays up', async () => {
  const line = `X-Filler: ${'f'.repeat(1000)}\r\n`;
  const chunks = ['GET /health HTTP/1.1\r\nHost: x\r\n', ...Array(400).fill(line)];  // ~400 KiB
  const r = await rawExchange(chunks, { intervalMs: 1 });
  assert.ok(r.closed, 'the server closed the connection');
  assert.ok(r.unsent > 300, `cut after ${400 - r.unsent} KiB, not at the 16 KiB limit`);
  assert.equal(statusOf(r.received), 431);
  await assertHealthy();
});

test('slowloris: headers dribbled byte by byte are cut off at the request deadline', async () => {
  const chunks = ['GET /health HTTP/1.1\r\nHost: x\r\n', ...Array(100).fill('X-Slow: 1\r\n')];
  const r = await rawExchange(chunks, { intervalMs: 300 });
  assert.ok(r.closed, `still open after ${r.elapsedMs} ms`);
  assert.equal(r.received, '', 'no answer to a request that never completed');
  assert.ok(r.elapsedMs >= DEADLINE_MS - 500, `cut too early: ${r.elapsedMs} ms`);
  assert.ok(r.elapsedMs <= DEADLINE_MS + 2500, `cut too late: ${r.elapsedMs} ms (deadline ${DEADLINE_MS})`);
});

test('slowloris: a body dribbled byte by byte is cut off at the request deadline', async () => {
  const body = JSON.stringify({ loginId: DEMO.email, password: 'x'.repeat(200) });
  const head = `POST /auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const r = await rawExchange([head, ...body.split('')], { intervalMs: 300 });
  assert.ok(r.closed);
  assert.equal(r.received, '');
  assert.ok(r.elapsedMs <= DEADLINE_MS + 2500, `cut too late: ${r.elapsedMs} ms`);
});

test('a connection that sends nothing is closed after the idle allowance', async () => {
  const r = await rawExchange([], { maxMs: 15000 });
  assert.ok(r.closed);
  assert.ok(r.elapsedMs <= KEEP_ALIVE * 1000 + 2000, `closed after ${r.elapsedMs} ms`);
});

test('slowloris on more connections than worker threads does not delay other clients', async () => {
  // server.threads = 4: sixteen dribbling connections hold no worker.
  const dribble = ['GET /health HTTP/1.1\r\nHost: x\r\n', ...Array(200).fill('X-Slow: 1\r\n')];
  const attackers = Array.from({ length: 16 }, () => rawExchange(dribble, { intervalMs: 250, maxMs: 30000 }));
  await sleep(300);
  const started = Date.now();
  await assertHealthy();
  const waited = Date.now() - started;
  assert.ok(waited <= 500, `/health waited ${waited} ms`);
  const results = await Promise.all(attackers);
  for (const r of results) assert.ok(r.closed && r.elapsedMs < 30000);
});

test('a JSON body nested deeper than 16 levels is refused with 400', async () => {
  for (const depth of [17, 1000]) {
    const body = `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    const r = await request(`${atm.url}/auth`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400, `depth ${depth}`);
    assert.match(r.data.error_description, /nested too deeply/);
  }
  await assertHealthy();
});

test('bodies that are not JSON or form-encoded get 415', async () => {
  for (const path of ['/auth', '/auth/token']) {
    for (const type of ['text/plain', 'application/xml', null]) {
      const headers = type ? { 'content-type': type } : {};
      const r = await request(`${atm.url}${path}`, { method: 'POST', body: '{"clientId":"x"}', headers });
      assert.equal(r.status, 415, `${path} ${type}`);
      assert.equal(r.data.error, 'invalid_request');
    }
    // multipart is refused before httplib's own multipart parser sees the body.
    const body = '--x\r\nContent-Disposition: form-data; name="clientId"\r\n\r\nx\r\n--x--\r\n';
    const r = await rawExchange([`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${body}`], { until: COMPLETE_ANSWER });
    assert.equal(statusOf(r.received), 415, `${path} multipart`);
  }
  const ok = await request(`${atm.url}/auth`, {
    method: 'POST', body: '{}', headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  assert.equal(ok.status, 400, 'a charset parameter is fine: this is a plain validation error');
});

test('pages carry a strict CSP without inline script, no framing, nosniff and no referrer', async () => {
  const { challenge } = pkcePair();
  const pages = [
    `/login?clientId=${DEMO.clientId}&code_challenge=${challenge}&code_challenge_method=S256`,
    '/login?clientId=unknown',
  ];
  for (const page of pages) {
    const r = await request(`${atm.url}${page}`);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    // Nothing inline for the CSP to have to allow.
    assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/i);
    assert.doesNotMatch(r.text, /\son[a-z]+\s*=/i);
    assert.doesNotMatch(r.text, /<style/i);
  }
});

test('token and login answers, and errors, are never cached', async () => {
  const pkce = pkcePair();
  const answers = [];
  const loginOk = await login(atm.url, DEMO, DEMO, pkce);
  answers.push(['login', loginOk]);
  answers.push(['login error', await login(atm.url, DEMO, { email: DEMO.email, password: 'nope-nope' }, pkce)]);
  answers.push(['token', await request(`${atm.url}/auth/token`, {
    method: 'POST',
    json: {
      clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, grant_types: 'authorization_code',
      code: loginOk.data.code, code_verifier: pkce.verifier,
    },
  })]);
  answers.push(['token error', await request(`${atm.url}/auth/token`, { method: 'POST', json: { grant_type: 'x' } })]);
  for (const [name, r] of answers) {
    assert.equal(r.headers.get('cache-control'), 'no-store', name);
    assert.equal(r.headers.get('pragma'), 'no-cache', name);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', name);
  }
  assert.equal(answers[2][1].status, 200);
});

test('with the default keep-alive, Node clients reuse connections instead of opening one per request', async () => {
  // undici reuses a connection only when the server's Keep-Alive timeout
  // leaves it more than its one-second margin (a 2 s timeout did not).
  const server = await startAtm();
  try {
    for (let i = 0; i < 20; i++) assert.equal((await request(`${server.url}/health`)).status, 200);
    const sockets = execFileSync('ss', ['-Htan', `( sport = :${server.port} or dport = :${server.port} )`],
      { encoding: 'utf8' }).trim().split('\n').filter((l) => !l.startsWith('LISTEN'));
    assert.ok(sockets.length <= 6, `20 requests left ${sockets.length} sockets:\n${sockets.join('\n')}`);
  } finally {
    await server.stop();
  }
});

test('SIGTERM does not wait for idle keep-alive connections', async () => {
  const server = await startAtm();
  for (let i = 0; i < 3; i++) assert.equal((await request(`${server.url}/health`)).status, 200);
  const started = Date.now();
  const { code } = await server.stop();
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 1500, `stopping took ${Date.now() - started} ms`);
});

// Sends `requests` one after the other on one keep-alive connection, each
// once the previous answer is complete (by its Content-Length). Resolves with
// the answers and the server side's count of TCP segments that carried data
// on that connection (`ss -ti`), read before the connection closes.
function keepAliveAnswers(requests) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(atm.port, '127.0.0.1');
    const answers = [];
    let buffer = '';
    let started = 0;
    const complete = () => {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const length = Number((buffer.match(/\r\ncontent-length: (\d+)/i) || [0, 0])[1]);
      const isHead = requests[answers.length].startsWith('HEAD');
      return Buffer.byteLength(buffer) >= end + 4 + (isHead ? 0 : length);
    };
    const next = () => {
      if (answers.length === requests.length) {
        const info = execFileSync('ss', ['-tinH', 'state', 'established',
          `( sport = :${atm.port} and dport = :${socket.localPort} )`], { encoding: 'utf8' });
        socket.destroy();
        resolve({ answers, dataSegments: Number((info.match(/data_segs_out:(\d+)/) || [0, NaN])[1]) });
        return;
      }
      buffer = '';
      started = Date.now();
      socket.write(requests[answers.length]);
    };
    socket.setTimeout(5000, () => reject(new Error(`no complete answer after ${answers.length}`)));
    socket.on('connect', next);
    socket.on('data', (d) => {
      buffer += d;
      if (complete()) {
        answers.push({ raw: buffer, ms: Date.now() - started });
        next();
      }
    });
    socket.on('error', reject);
  });
}

test('an answer leaves in one TCP segment, headers and body together', async () => {
  // httplib writes the header block and the body with two send calls; with
  // TCP_NODELAY each was a segment of its own, waking the client twice.
  const get = 'GET /auth/.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n';
  const { answers, dataSegments } = await keepAliveAnswers(Array(20).fill(get));
  for (const a of answers) assert.match(a.raw, COMPLETE_ANSWER);
  assert.equal(dataSegments, 20, `20 answers took ${dataSegments} data segments`);
  // A HEAD answer has no body to wait for: its headers leave at once.
  const { answers: [head] } = await keepAliveAnswers(['HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n']);
  assert.equal(statusOf(head.raw), 200);
  assert.ok(head.ms < 150, `the HEAD answer took ${head.ms} ms`);
});
