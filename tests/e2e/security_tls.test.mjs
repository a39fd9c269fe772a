// [server.tls]: atm serves HTTPS with a certificate generated here by the
// openssl command (a test CA and a server certificate for 127.0.0.1), and
// refuses TLS below 1.2.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import * as jose from 'jose';

import { DEMO, configToml, pkcePair, runAtm, startAtm, tempDir } from './support/harness.mjs';

let atm;
let ca;
let certs;

function makeCertificates(dir) {
  const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
    '-subj', '/CN=atm test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  fs.chmodSync(path.join(dir, 'server.key'), 0o600);
  return { cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key'), ca: fs.readFileSync(path.join(dir, 'ca.pem')) };
}

// An HTTPS request trusting only the test CA; JSON in, JSON out.
function httpsRequest(url, { method = 'GET', json } = {}) {
  const body = json === undefined ? undefined : JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method,
      ca,
      timeout: 15000,
      headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
    }, (res) => {
      const encrypted = res.socket.encrypted === true;
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, data: text ? JSON.parse(text) : null,
        encrypted }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function handshake(version) {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1', port: atm.port, ca, minVersion: version, maxVersion: version,
      ciphers: 'DEFAULT:@SECLEVEL=0',  // let the client offer old versions: the refusal must come from atm
    }, () => {
      const protocol = socket.getProtocol();
      socket.end();
      resolve({ ok: true, protocol });
    });
    socket.setTimeout(10000, () => socket.destroy(new Error('timeout')));
    socket.on('error', (e) => resolve({ ok: false, code: e.code }));
  });
}

before(async () => {
  const dir = tempDir('atm-tls-');
  certs = makeCertificates(dir);
  ca = certs.ca;
  atm = await startAtm({
    dir,
    config: configToml({ extra: `[server.tls]\ncert_file = "${certs.cert}"\nkey_file = "${certs.key}"\n` }),
  });
});
after(async () => { await atm?.stop(); });

test('the listening line says https', () => {
  assert.match(atm.stdout(), /^atm listening on https:\/\/127\.0\.0\.1:\d+\n$/);
  assert.match(atm.url, /^https:/);
});

test('/health answers over HTTPS, verified against the test CA', async () => {
  const r = await httpsRequest(`${atm.url}/health`);
  assert.equal(r.status, 200);
  assert.equal(r.data.status, 'ok');
  assert.equal(r.encrypted, true);
});

test('the whole token flow works over HTTPS and the token verifies against the JWKS', async () => {
  const pkce = pkcePair();
  const auth = await httpsRequest(`${atm.url}/auth`, {
    method: 'POST',
    json: { loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId,
      code_challenge: pkce.challenge, code_challenge_method: 'S256' },
  });
  assert.equal(auth.status, 200);
  const token = await httpsRequest(`${atm.url}/auth/token`, {
    method: 'POST',
    json: { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, grant_types: 'authorization_code',
      code: auth.data.code, code_verifier: pkce.verifier },
  });
  assert.equal(token.status, 200);
  const jwks = (await httpsRequest(`${atm.url}/auth/.well-known/jwks.json`)).data;
  const { payload } = await jose.jwtVerify(token.data.access_token, jose.createLocalJWKSet(jwks), {
    issuer: 'atm', audience: DEMO.clientId,
  });
  assert.equal(payload.scope.email, DEMO.email);
  const refreshed = await httpsRequest(`${atm.url}/auth/token`, {
    method: 'POST',
    json: { clientId: DEMO.clientId, refresh_token: token.data.refresh_token, grantType: 'refresh_token' },
  });
  assert.equal(refreshed.status, 200);
});

test('TLS 1.2 and 1.3 are accepted; TLS 1.0 and 1.1 are refused by the server', async () => {
  assert.deepEqual(await handshake('TLSv1.3'), { ok: true, protocol: 'TLSv1.3' });
  assert.deepEqual(await handshake('TLSv1.2'), { ok: true, protocol: 'TLSv1.2' });
  for (const old of ['TLSv1.1', 'TLSv1']) {
    const r = await handshake(old);
    assert.equal(r.ok, false, old);
    // Alert 70 from the server, not a client-side refusal to offer the version.
    assert.equal(r.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', old);
  }
});

test('plain HTTP to the HTTPS port gets no HTTP answer', async () => {
  const received = await new Promise((resolve) => {
    const socket = net.connect(atm.port, '127.0.0.1', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'));
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('error', () => {});
    socket.on('close', () => resolve(data));
    socket.setTimeout(10000, () => socket.destroy());
  });
  assert.doesNotMatch(received, /^HTTP\/1\.1 200/);
});

test('a certificate that cannot be loaded stops start-up with one line and exit status 2', async () => {
  const dir = tempDir('atm-tls-bad-');
  const config = path.join(dir, 'config.toml');
  fs.writeFileSync(config, `[server.tls]\ncert_file = "${path.join(dir, 'missing.pem')}"\nkey_file = "${certs.key}"\n`);
  const r = await runAtm(['--config', config, '--port', '0', '--db', ':memory:']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^atm: server\.tls: cannot load the certificate or key \(.*missing\.pem/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
