// Several atm nodes on one PostgreSQL behave as one server (README "Several
// nodes on PostgreSQL"): each property runs two or three real atm processes
// on one throwaway cluster started here with TLS (sslmode=verify-full and
// the cluster's CA), every property in a fresh schema of its own, so each
// sees an empty database. Codes and refresh tokens are spent once across
// nodes, one signing key is made and a rotated key is published by every node
// before any signs with it,
// sign-in throttling counts across nodes, admin changes are seen at once, a
// browser signed in through one node is signed in on all (and signed out), a
// node killed with SIGKILL loses nothing it acknowledged, and a PostgreSQL
// restart gives 503s, never 500s or hangs, and the nodes recover by
// themselves, also from pooled connections that sat idle through it. The
// measured times are logged.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import { ADMIN, adminApi, adminToken } from './support/admin_server.mjs';
import {
  DEMO, OTHER, configToml, exchange, login, pkcePair, refresh, request, runAtm, signIn, startAtm, tempDir,
} from './support/harness.mjs';
import { PG_MISSING, destroyAllPostgres, psql, schemaUrl, startPostgres } from './support/postgres.mjs';
import { decodeJwt } from './support/server.mjs';

const ADMIN_ENV = 'ATM_SCALE_OUT_ADMIN_PASSWORD';
const ENV = { [ADMIN_ENV]: ADMIN.password };
// README: a rotated key is published by every node within 5 s (the
// maintenance loop's period) and signs from 10 s after the rotation, on every
// node within 15 s; the polls allow 2 s more for a loaded machine.
const KEY_PUBLISH_BOUND_MS = 7000;
const KEY_SIGN_BOUND_MS = 17000;
// A request while PostgreSQL is away waits at most for a connection attempt
// (connect_timeout 5 s) before its 503.
const REQUEST_BOUND_MS = 7000;
const RECOVERY_BOUND_MS = 15000;

const started = [];  // every node, for the last-resort kill in after()
const dirs = [];

// The harness's two applications, the admin (password from ENV) and `extra` TOML.
function nodeConfig(extra = '') {
  return configToml({ extra: `[admin]\nusername = "${ADMIN.username}"\npassword_env = "${ADMIN_ENV}"\n\n${extra}` });
}

// Starts `count` atm nodes on `dbUrl` at the same moment, named A, B, C.
async function startNodes(count, dbUrl, extra = '') {
  const config = nodeConfig(extra);
  const starts = Array.from({ length: count }, async (_, i) => {
    const dir = tempDir('atm-scale-');
    dirs.push(dir);
    const node = await startAtm({ config, db: dbUrl, dir, env: ENV });
    started.push(node);
    return Object.assign(node, { name: 'ABC'[i], configPath: path.join(dir, 'config.toml') });
  });
  const results = await Promise.allSettled(starts);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const nodes = results.map((r) => r.value);
  await Promise.all(nodes.map(waitReady));
  return nodes;
}

// A node listens before its signing key is loaded (made in the background on
// an empty database, or loaded from the node that made it): waits, as a load
// balancer would, for /health/ready.
function waitReady(node) {
  return waitFor(`${node.name} answers 200 at /health/ready`,
    async () => (await request(`${node.url}/health/ready`)).status === 200, { timeoutMs: 10000 });
}

async function stopNodes(nodes = []) {
  await Promise.all(nodes.map((n) => n.stop('SIGTERM', 5000)));
}

// Polls `check` every `intervalMs` until it is truthy; resolves with the
// milliseconds it took, or rejects naming `what` after `timeoutMs`.
async function waitFor(what, check, { timeoutMs, intervalMs = 100 }) {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await delay(intervalMs);
  }
}

function assertOAuthError(res, status, error, what) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
  assert.equal(res.data?.error, error, `${what}: ${res.text}`);
}

// Of answers to the same single-use credential sent to several nodes at
// once: exactly one 200, every other one 400 invalid_grant. Returns the 200.
function assertOneWinner(answers, what) {
  const winners = answers.filter((r) => r.status === 200);
  assert.equal(winners.length, 1, `${what}: ${answers.map((r) => `${r.status} ${r.text}`).join(' | ')}`);
  for (const r of answers.filter((x) => x !== winners[0])) assertOAuthError(r, 400, 'invalid_grant', what);
  return winners[0];
}

async function publishedKids(node) {
  const r = await request(`${node.url}/auth/.well-known/jwks.json`);
  assert.equal(r.status, 200, `${node.name} JWKS: ${r.text}`);
  return r.data.keys.map((k) => k.kid);
}

// The kid in the header of a token `node` signs now.
async function signingKid(node) {
  return decodeJwt((await signIn(node.url)).access_token).header.kid;
}

// `atm keys SUB --json` on the database; its parsed output.
async function keysCli(sub, node, dbUrl) {
  const r = await runAtm(['keys', sub, '--json', '--config', node.configPath, '--db', dbUrl], { env: ENV });
  assert.equal(r.code, 0, `atm keys ${sub}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// A self-signed CA that did not sign the cluster's certificate.
function otherCa(dir) {
  const ca = path.join(dir, 'other-ca.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'other-ca.key'), '-out', ca, '-days', '1', '-subj', '/CN=another test CA'],
  { stdio: 'ignore', timeout: 30000 });
  return ca;
}

describe('atm nodes on one PostgreSQL', { skip: PG_MISSING }, () => {
  let pg;
  before(async () => { pg = await startPostgres({ tls: true }); });
  after(async () => {
    await Promise.all(started.map((n) => n.stop('SIGKILL', 2000)));
    await destroyAllPostgres();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  describe('TLS to PostgreSQL', () => {
    let nodes;
    let url;
    before(async () => {
      url = await schemaUrl(pg, 'scale_tls');
      nodes = await startNodes(2, url);
    });
    after(() => stopNodes(nodes));

    test('the nodes (ready) connect with sslmode=verify-full and the cluster\'s CA, every connection encrypted', async () => {
      assert.match(url, /[?&]sslmode=verify-full(&|$)/);
      assert.ok(url.includes(`sslrootcert=${pg.ca}`), url);
      const [encrypted, plain] = (await psql(pg, `SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl)
        FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = 'atm'`)).split('|').map(Number);
      assert.ok(encrypted >= nodes.length, `atm connections with TLS: ${encrypted}`);
      assert.equal(plain, 0, 'atm connections without TLS');
    });

    test('a node given another CA refuses to start, naming the certificate', async () => {
      const dir = tempDir('atm-scale-ca-');
      dirs.push(dir);
      const wrong = url.replace(`sslrootcert=${pg.ca}`, `sslrootcert=${otherCa(dir)}`);
      assert.notEqual(wrong, url);
      const r = await runAtm(['--config', nodes[0].configPath, '--port', '0', '--db', wrong], { env: ENV });
      assert.equal(typeof r.code, 'number', `atm died of a signal: ${r.stderr}`);
      assert.notEqual(r.code, 0, `atm started with a CA that did not sign the server's certificate: ${r.stdout}`);
      assert.match(r.stderr, /certificate/i, r.stderr);
      assert.match(r.stderr, /SSL|TLS/, r.stderr);
      assert.ok(!r.stderr.includes(pg.password), 'the error shows the database password');
    });
  });

  describe('authorization codes', () => {
    let nodes;
    before(async () => { nodes = await startNodes(2, await schemaUrl(pg, 'scale_codes')); });
    after(() => stopNodes(nodes));

    test('a code issued on node A is redeemed on node B', async () => {
      const [a, b] = nodes;
      const p = pkcePair();
      const auth = await login(a.url, DEMO, DEMO, p);
      assert.equal(auth.status, 200, auth.text);
      const token = await exchange(b.url, DEMO, auth.data.code, p.verifier);
      assert.equal(token.status, 200, token.text);
      assert.equal(typeof token.data.access_token, 'string');
    });

    test('the same code redeemed on A and B at the same moment gives tokens once', async () => {
      for (let round = 1; round <= 10; round++) {
        const p = pkcePair();
        const auth = await login(nodes[round % 2].url, DEMO, DEMO, p);
        assert.equal(auth.status, 200, auth.text);
        const answers = await Promise.all(nodes.map((n) => exchange(n.url, DEMO, auth.data.code, p.verifier)));
        assertOneWinner(answers, `round ${round}`);
      }
    });
  });

  describe('refresh tokens', () => {
    let nodes;
    before(async () => { nodes = await startNodes(2, await schemaUrl(pg, 'scale_refresh')); });
    after(() => stopNodes(nodes));

    test('one refresh token on two nodes at once rotates once, and the reuse revokes the login', async () => {
      for (let round = 1; round <= 5; round++) {
        const tokens = await signIn(nodes[round % 2].url);
        const answers = await Promise.all(nodes.map((n) => refresh(n.url, DEMO, tokens.refresh_token)));
        const winner = assertOneWinner(answers, `round ${round}`);
        for (const n of nodes) {
          assertOAuthError(await refresh(n.url, DEMO, winner.data.refresh_token), 400, 'invalid_grant',
            `round ${round}: the winner's new refresh token on ${n.name}, after the reuse`);
        }
      }
    });
  });

  describe('signing keys', () => {
    let nodes;
    let url;
    before(async () => {
      url = await schemaUrl(pg, 'scale_keys');
      nodes = await startNodes(3, url);
    });
    after(() => stopNodes(nodes));

    test('three nodes starting at once on an empty database make exactly one signing key', async () => {
      const kids = await Promise.all(nodes.map(publishedKids));
      for (const [i, n] of nodes.entries()) assert.equal(kids[i].length, 1, `${n.name} publishes ${kids[i]}`);
      assert.equal(new Set(kids.flat()).size, 1, `the nodes publish different keys: ${kids.flat()}`);
      assert.equal((await keysCli('list', nodes[0], url)).length, 1, 'keys in the database');
      for (const n of nodes) assert.equal(await signingKid(n), kids[0][0], `the kid of a token signed by ${n.name}`);
    });

    test('a key rotated with atm keys rotate is published by every node before any signs with it', async () => {
      const [oldKid] = await publishedKids(nodes[0]);
      const rotatedAt = Date.now();
      const { kid: newKid } = await keysCli('rotate', nodes[1], url);
      assert.notEqual(newKid, oldKid);
      // Until every node publishes the new key, no node signs with it.
      const published = await waitFor(`every node publishes ${newKid}`, async () => {
        const states = await Promise.all(nodes.map(async (n) => ({
          name: n.name, publishes: (await publishedKids(n)).includes(newKid), signs: (await signingKid(n)) === newKid,
        })));
        const early = states.find((x) => x.signs);
        if (states.some((x) => !x.publishes)) {
          assert.equal(early, undefined, `${early?.name} signs with ${newKid} before every node publishes it: ${
            JSON.stringify(states)}`);
          return false;
        }
        return true;
      }, { timeoutMs: KEY_PUBLISH_BOUND_MS });
      const publishedAt = Date.now() - rotatedAt;
      const signing = await Promise.all(nodes.map((n) => waitFor(`${n.name} signs with ${newKid}`,
        async () => (await signingKid(n)) === newKid, { timeoutMs: KEY_SIGN_BOUND_MS - publishedAt })));
      console.log(`key rotation: every node published the new key ${publishedAt} ms after the rotation ` +
        `(polled for ${published} ms); signing with it: ${
          nodes.map((n, i) => `${n.name} ${publishedAt + signing[i]} ms`).join(', ')}`);
      for (const n of nodes) {
        assert.deepEqual(new Set(await publishedKids(n)), new Set([oldKid, newKid]),
          `${n.name} publishes the new key and, for the tokens it signed, the retired one`);
      }
    });
  });

  describe('sign-in throttling', () => {
    let nodes;
    before(async () => {
      const throttle = '[throttle]\nfree_attempts = 3\nbase_delay = 60\nmax_delay = 60\n';
      nodes = await startNodes(3, await schemaUrl(pg, 'scale_throttle'), throttle);
    });
    after(() => stopNodes(nodes));

    test('a success on one node resets the count on every node; wrong passwords spread over the nodes add up ' +
      'to the limit, then every node refuses the right one', async () => {
      const [a, b, c] = nodes;
      const wrong = (node, i) => login(node.url, DEMO, { ...DEMO, password: `wrong-password-${i}` }, pkcePair());
      assertOAuthError(await wrong(a, 1), 401, 'invalid_grant', 'a wrong password on A');
      assertOAuthError(await wrong(b, 2), 401, 'invalid_grant', 'a wrong password on B');
      const right = await login(c.url, DEMO, DEMO, pkcePair());
      assert.equal(right.status, 200, `the right password on C, after 2 of the 3 free failures: ${right.text}`);

      for (const [i, n] of nodes.entries()) {
        assertOAuthError(await wrong(n, 3 + i), 401, 'invalid_grant',
          `wrong password ${i + 1} of the 3 free ones since the success, on ${n.name}`);
      }
      for (const n of nodes) {
        const r = await login(n.url, DEMO, DEMO, pkcePair());
        assertOAuthError(r, 429, 'temporarily_unavailable', `the right password after 3 failures, on ${n.name}`);
        assert.ok(Number(r.headers.get('retry-after')) > 0, `${n.name}: Retry-After ${r.headers.get('retry-after')}`);
      }
      for (const n of nodes) {
        const r = await login(n.url, OTHER, OTHER, pkcePair());
        assert.equal(r.status, 200, `another account on ${n.name} is not held up: ${r.text}`);
      }
    });
  });

  describe('admin changes', () => {
    let nodes;
    before(async () => { nodes = await startNodes(2, await schemaUrl(pg, 'scale_admin')); });
    after(() => stopNodes(nodes));

    test('an application and user made on A sign in on B at once; disabled or deleted on B, refused on A at once',
      async () => {
        const [a, b] = nodes;
        const token = await adminToken(a.url);
        const [apiA, apiB] = [adminApi(a.url, token), adminApi(b.url, token)];
        const created = await apiA('POST', 'applications', { name: 'Scale out', redirect_url: 'http://localhost:3000/cb' });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const app = { clientId: created.body.client_id, clientSecret: created.body.client_secret };
        const user = { email: 'scale@example.com', password: 'scale-password-1' };
        const made = await apiA('POST', `applications/${app.clientId}/users`, { ...user, first_name: 'Scale' });
        assert.equal(made.status, 201, JSON.stringify(made.body));

        const tokens = await signIn(b.url, app, user);
        assert.equal(decodeJwt(tokens.access_token).payload.aud, app.clientId);

        const userPath = `applications/${app.clientId}/users/${made.body.id}`;
        assert.equal((await apiB('PATCH', userPath, { disabled: true })).status, 200, 'disable the user on B');
        const disabled = await login(a.url, app, user, pkcePair());
        assert.equal(disabled.status, 403, `the disabled user signs in on A: ${disabled.text}`);

        assert.equal((await apiB('DELETE', `applications/${app.clientId}`)).status, 204, 'delete the application on B');
        assertOAuthError(await login(a.url, app, user, pkcePair()), 401, 'invalid_client', 'the deleted application on A');
      });
  });

  describe('browser sign-in sessions', () => {
    let nodes;
    before(async () => { nodes = await startNodes(2, await schemaUrl(pg, 'scale_sessions')); });
    after(() => stopNodes(nodes));

    // /authorize with prompt=none and the browser's cookie: the code it
    // redirects with, or the error.
    async function silentAuthorize(node, cookie) {
      const p = pkcePair();
      const query = new URLSearchParams({
        client_id: DEMO.clientId, redirect_uri: DEMO.redirectUrl, response_type: 'code', scope: 'openid',
        code_challenge: p.challenge, code_challenge_method: 'S256', state: 'st', prompt: 'none',
      });
      const r = await request(`${node.url}/authorize?${query}`, { headers: { cookie } });
      assert.equal(r.status, 302, `${node.name} /authorize: ${r.status} ${r.text}`);
      const landed = new URL(r.headers.get('location'));
      assert.equal(`${landed.origin}${landed.pathname}`, DEMO.redirectUrl);
      return { code: landed.searchParams.get('code'), error: landed.searchParams.get('error'), verifier: p.verifier };
    }

    test('signed in through A, the browser is signed in on B; signing out through B ends it on A', async () => {
      const [a, b] = nodes;
      // The login page's sign-in (session=1, from atm's own origin) on A.
      const p = pkcePair();
      const signedIn = await request(`${a.url}/auth`, {
        method: 'POST',
        headers: { origin: a.url },
        json: {
          loginId: DEMO.email, password: DEMO.password, clientId: DEMO.clientId, code_challenge: p.challenge,
          code_challenge_method: 'S256', scope: 'openid', session: '1',
        },
      });
      assert.equal(signedIn.status, 200, signedIn.text);
      const setCookie = signedIn.headers.get('set-cookie') ?? '';
      const cookie = /^(atm_session=[^;]+)/.exec(setCookie)?.[1];
      assert.ok(cookie, `no session cookie from A: ${setCookie}`);
      const tokens = await exchange(a.url, DEMO, signedIn.data.code, p.verifier);
      assert.equal(tokens.status, 200, tokens.text);
      assert.ok(tokens.data.id_token, tokens.text);
      const sub = decodeJwt(tokens.data.access_token).payload.sub;

      // B answers from the session A started: a code, no form.
      const silent = await silentAuthorize(b, cookie);
      assert.ok(silent.code, `B did not answer from the session: ${silent.error}`);
      const onB = await request(`${b.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code: silent.code, redirect_uri: DEMO.redirectUrl,
          code_verifier: silent.verifier, client_id: DEMO.clientId, client_secret: DEMO.clientSecret,
        }).toString(),
      });
      assert.equal(onB.status, 200, onB.text);
      assert.equal(decodeJwt(onB.data.access_token).payload.sub, sub);

      // Signing out through B (RP-initiated logout) ends the session on A too.
      const out = await request(`${b.url}/logout?id_token_hint=${tokens.data.id_token}`, { headers: { cookie } });
      assert.equal(out.status, 200, out.text);
      assert.equal((await silentAuthorize(a, cookie)).error, 'login_required');
      assert.equal((await silentAuthorize(b, cookie)).error, 'login_required');
    });
  });

  describe('a node killed with SIGKILL under load', () => {
    let nodes;
    before(async () => { nodes = await startNodes(2, await schemaUrl(pg, 'scale_kill')); });
    after(() => stopNodes(nodes));

    test('every refresh acknowledged before the kill stays good, and the other node keeps serving', async () => {
      const [a, b] = nodes;
      const KILL_AFTER = 100;       // acknowledged refreshes before B is killed
      const AFTER_KILL_EACH = 5;    // refreshes per chain on A afterwards
      const deadline = Date.now() + 30000;
      // Refresh chains: each presents its latest acknowledged refresh token,
      // to A and B in turn until B is killed, then to A alone.
      const chains = await Promise.all(Array.from({ length: 6 }, async () => ({ token: (await signIn(a.url)).refresh_token })));
      const counts = { beforeKill: 0, afterKill: 0 };
      const errors = [];
      let killed = false;

      async function run(chain, turn) {
        while (!(killed && chain.afterKill >= AFTER_KILL_EACH)) {
          if (Date.now() > deadline) {
            errors.push('the load did not finish within 30 s');
            return;
          }
          const node = killed ? a : nodes[turn++ % 2];
          const sentAfterKill = killed;
          let r;
          try {
            r = await refresh(node.url, DEMO, chain.token);
          } catch (e) {
            if (node === b && killed) chain.inDoubt = true;  // in flight to B when it died
            else errors.push(`${node.name}: ${e.cause?.code ?? e.message}`);
            return;
          }
          if (r.status !== 200) {
            errors.push(`${node.name}, sent ${sentAfterKill ? 'after' : 'before'} the kill: ${r.status} ${r.text}`);
            return;
          }
          chain.token = r.data.refresh_token;
          if (sentAfterKill) {
            counts.afterKill++;
            chain.afterKill = (chain.afterKill ?? 0) + 1;
          } else if (++counts.beforeKill === KILL_AFTER) {
            killed = true;
            b.proc.kill('SIGKILL');
          }
        }
      }
      await Promise.all(chains.map((c, i) => run(c, i)));
      assert.deepEqual(await b.exited, { code: null, signal: 'SIGKILL' });
      assert.deepEqual(errors, []);

      // A chain whose last request was in flight to B when it died: B either
      // committed the rotation (its old token is now reuse) or not; never else.
      const inDoubt = chains.filter((c) => c.inDoubt);
      const outcomes = [];
      for (const c of inDoubt) {
        const r = await refresh(a.url, DEMO, c.token);
        assert.ok(r.status === 200 || (r.status === 400 && r.data.error === 'invalid_grant'), `${r.status} ${r.text}`);
        outcomes.push(r.status === 200 ? 'not committed' : 'committed');
      }
      for (const c of chains.filter((x) => !x.inDoubt)) {
        assert.equal((await refresh(a.url, DEMO, c.token)).status, 200, 'the last acknowledged refresh token');
      }
      assert.equal((await request(`${a.url}/health/ready`)).status, 200, 'A is ready');
      console.log(`SIGKILL under load: ${counts.beforeKill} refreshes acknowledged before the kill, ` +
        `${inDoubt.length} in flight to B at the kill (${outcomes.join(', ') || 'none'}), ` +
        `${counts.afterKill} acknowledged by A after it, 0 errors`);
      assert.ok(counts.afterKill >= (chains.length - inDoubt.length) * AFTER_KILL_EACH);
    });
  });

  // Last: it stops the cluster the others share.
  describe('PostgreSQL restarted', () => {
    let nodes;
    before(async () => { nodes = await startNodes(2, await schemaUrl(pg, 'scale_restart')); });
    after(() => stopNodes(nodes));

    test('503 temporarily_unavailable while it is away, never a 500 or a hang, and the nodes recover by themselves',
      async () => {
        // Sign-ins (which need the database) and readiness probes on both
        // nodes, each request timed, until told to stop.
        const answers = [];  // {node, kind, sent, done, status, body} or {..., error}
        let loading = true;
        async function load(node, kind) {
          while (loading) {
            const sent = Date.now();
            try {
              const r = kind === 'sign-in'
                ? await login(node.url, DEMO, DEMO, pkcePair())
                : await request(`${node.url}/health/ready`);
              answers.push({ node: node.name, kind, sent, done: Date.now(), status: r.status, body: r.data, text: r.text });
            } catch (e) {
              answers.push({ node: node.name, kind, sent, done: Date.now(), error: e.cause?.code ?? e.message });
            }
            await delay(50);  // a steady stream, not a busy loop
          }
        }
        const seen = (node, kind, status, since) =>
          answers.some((x) => x.node === node.name && x.kind === kind && x.status === status && x.sent >= since);
        const seenEverywhere = (status, since) =>
          nodes.every((n) => seen(n, 'sign-in', status, since) && seen(n, 'ready', status, since));
        const workers = nodes.flatMap((n) => [load(n, 'sign-in'), load(n, 'ready')]);
        try {
          const t0 = Date.now();
          await waitFor('both nodes sign in and are ready', () => seenEverywhere(200, t0), { timeoutMs: 10000 });
          const stopAt = Date.now();
          await pg.stop();
          const stopped = Date.now();
          await waitFor('503 for sign-ins and readiness on both nodes', () => seenEverywhere(503, stopped),
            { timeoutMs: 10000 });
          const startAt = Date.now();
          await pg.start();
          const restarted = Date.now();
          await waitFor('sign-ins and readiness back on both nodes', () => seenEverywhere(200, restarted),
            { timeoutMs: RECOVERY_BOUND_MS });
          loading = false;
          await Promise.all(workers);

          const bad = answers.filter((x) => x.error || ![200, 503].includes(x.status));
          assert.deepEqual(bad, [], 'every request is answered 200 or 503');
          const slowest = Math.max(...answers.map((x) => x.done - x.sent));
          assert.ok(slowest <= REQUEST_BOUND_MS, `the slowest request took ${slowest} ms`);
          for (const x of answers.filter((y) => y.status === 503)) {
            if (x.kind === 'sign-in') assert.equal(x.body?.error, 'temporarily_unavailable', `${x.node}: ${x.text}`);
            else assert.equal(x.body?.status, 'not_ready', `${x.node}: ${x.text}`);
          }
          for (const n of nodes) {
            assert.equal(n.proc.exitCode, null, `${n.name} exited`);
            assert.equal(n.proc.signalCode, null, `${n.name} died of a signal`);
            const tokens = await signIn(n.url);
            assert.equal((await refresh(n.url, DEMO, tokens.refresh_token)).status, 200, `${n.name} refreshes`);
          }

          const times = nodes.map((n) => {
            const mine = answers.filter((x) => x.node === n.name && x.kind === 'sign-in');
            const lastOk = Math.max(...mine.filter((x) => x.status === 200 && x.done <= stopped).map((x) => x.done));
            const firstBack = Math.min(...mine.filter((x) => x.status === 200 && x.sent >= restarted).map((x) => x.done));
            return `${n.name}: sign-ins down ${firstBack - lastOk} ms, back ${firstBack - restarted} ms after the restart`;
          });
          const count503 = answers.filter((x) => x.status === 503).length;
          console.log(`PostgreSQL restart: stop took ${stopped - stopAt} ms, start ${restarted - startAt} ms; ` +
            `${times.join('; ')}; ${answers.length} requests, ${count503} answered 503, slowest ${slowest} ms`);
        } finally {
          loading = false;
          await Promise.all(workers);
        }
      });

    test('nodes idle while PostgreSQL restarts answer their very next sign-ins', async () => {
      // Several connections in each node's pool, idle when the server ends them.
      await Promise.all(nodes.flatMap((n) => Array.from({ length: 4 }, () => signIn(n.url))));
      await pg.stop();
      await pg.start();
      for (const n of nodes) {
        const statuses = [];
        for (let i = 0; i < 5; i++) statuses.push((await login(n.url, DEMO, DEMO, pkcePair())).status);
        assert.deepEqual(statuses, [200, 200, 200, 200, 200], `${n.name}: sign-ins once PostgreSQL is back`);
      }
    });
  });
});
