// A bounded soak of the real binary: mixed traffic at full speed from
// SOAK_CONCURRENCY clients for SOAK_SECONDS (default 20; 60 for a manual
// run), then checks: no unexpected answer or connection error, RSS stable
// (end vs after warm-up), no growing latency (p50/p99 of the first vs last
// window). Prints one JSON summary line. Run by ctest as "soak", or by hand:
//   ATM_BIN=build/atm SOAK_SECONDS=60 node tests/soak/soak.mjs
import fs from 'node:fs';
import path from 'node:path';

import {
  DEMO, configToml, exchange, login, pkcePair, refresh, request, startAtm, tempDir,
} from '../e2e/support/harness.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS || 20);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY || 16);
const WARMUP = 0.25;  // the first quarter is warm-up
const RSS_GROWTH_MB = Number(process.env.SOAK_RSS_GROWTH_MB || 24);
const RSS_GROWTH_RATIO = 0.25;

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};

const dir = tempDir('atm-soak-');
const atm = await startAtm({
  dir,
  db: path.join(dir, 'atm.db'),
  config: configToml({
    server: 'access_log = false\nthreads = 32',
    // Unknown emails are part of the mix: the network rule must not turn
    // them into 429s, and the entry bound is exercised.
    extra: '[throttle]\nnetwork_free_attempts = 1000000\nmax_entries = 2000\n',
  }),
});

const samples = [];   // [startMs, latencyMs]
const unexpected = [];
const counts = {};
let stop = false;
const t0 = Date.now();

async function timed(name, expected, fn) {
  const start = Date.now();
  let r;
  try {
    r = await fn();
  } catch (e) {
    unexpected.push(`${name}: ${e.cause?.code || e.message}`);
    return null;
  }
  samples.push([start - t0, Date.now() - start]);
  counts[`${name} ${r.status}`] = (counts[`${name} ${r.status}`] || 0) + 1;
  if (r.status !== expected) unexpected.push(`${name}: ${r.status} ${r.text.slice(0, 200)}`);
  return r;
}

const { challenge } = pkcePair();
const loginPage = `/login?clientId=${DEMO.clientId}&code_challenge=${challenge}&code_challenge_method=S256`;

async function client(n) {
  for (let i = 0; !stop; i++) {
    await timed('health', 200, () => request(`${atm.url}/health`));
    await timed('jwks', 200, () => request(`${atm.url}/auth/.well-known/jwks.json`));
    await timed('login page', 200, () => request(`${atm.url}${loginPage}`));
    const pkce = pkcePair();
    const l = await timed('auth', 200, () => login(atm.url, DEMO, DEMO, pkce));
    if (!l || l.status !== 200) continue;
    const t = await timed('token', 200, () => exchange(atm.url, DEMO, l.data.code, pkce.verifier));
    if (!t || t.status !== 200) continue;
    const r = await timed('refresh', 200, () => refresh(atm.url, DEMO, t.data.refresh_token));
    await timed('replayed code', 400, () => exchange(atm.url, DEMO, l.data.code, pkce.verifier));
    if (r && r.status === 200) await timed('reused refresh', 400, () => refresh(atm.url, DEMO, t.data.refresh_token));
    await timed('unknown email', 401, () => login(atm.url, DEMO, { email: `nobody-${n}-${i}@example.com`, password: 'x' }, pkcePair()));
    await timed('bad json', 400, () => request(`${atm.url}/auth`, { method: 'POST', body: '{"a":', headers: { 'content-type': 'application/json' } }));
    await timed('not found', 404, () => request(`${atm.url}/nope`));
  }
}

const rss = [];
const sampler = setInterval(() => rss.push([Date.now() - t0, rssKb(atm.pid)]), 500);
const clients = Array.from({ length: CONCURRENCY }, (_, n) => client(n));
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
stop = true;
await Promise.all(clients);
clearInterval(sampler);
const { code } = await atm.stop();

const durationMs = SECONDS * 1000;
const warmupEnd = durationMs * WARMUP;
const windowMs = (durationMs - warmupEnd) / 3;
const inWindow = (from, to) => samples.filter(([s]) => s >= from && s < to).map(([, l]) => l);
const first = inWindow(warmupEnd, warmupEnd + windowMs);
const last = inWindow(durationMs - windowMs, durationMs + 1);
const rssAfterWarmup = rss.find(([t]) => t >= warmupEnd)?.[1] ?? 0;
const rssEnd = rss[rss.length - 1]?.[1] ?? 0;
const summary = {
  seconds: SECONDS,
  concurrency: CONCURRENCY,
  requests: samples.length,
  per_second: Math.round(samples.length / SECONDS),
  unexpected: unexpected.length,
  exit_code: code,
  rss_mb_after_warmup: +(rssAfterWarmup / 1024).toFixed(1),
  rss_mb_end: +(rssEnd / 1024).toFixed(1),
  rss_mb_max: +(Math.max(...rss.map(([, k]) => k)) / 1024).toFixed(1),
  rss_mb_by_tenth: Array.from({ length: 10 }, (_, i) => +(((rss.find(([t]) => t >= (i + 1) * durationMs / 10) ??
    rss[rss.length - 1])[1]) / 1024).toFixed(1)),
  first_window_ms: { p50: quantile(first, 0.5), p99: quantile(first, 0.99), n: first.length },
  last_window_ms: { p50: quantile(last, 0.5), p99: quantile(last, 0.99), n: last.length },
  counts,
};
console.log(JSON.stringify(summary));

const problems = [];
if (unexpected.length) problems.push(`${unexpected.length} unexpected answers, e.g. ${unexpected.slice(0, 5).join('; ')}`);
if (code !== 0) problems.push(`atm exited with ${code}`);
const growthKb = rssEnd - rssAfterWarmup;
if (growthKb > Math.max(RSS_GROWTH_MB * 1024, rssAfterWarmup * RSS_GROWTH_RATIO)) {
  problems.push(`RSS grew from ${summary.rss_mb_after_warmup} MB to ${summary.rss_mb_end} MB`);
}
for (const q of ['p50', 'p99']) {
  const a = summary.first_window_ms[q];
  const b = summary.last_window_ms[q];
  if (b > 3 * a + 25) problems.push(`latency ${q} grew from ${a} ms to ${b} ms`);
}
if (first.length < 100 || last.length < 100) problems.push('too few requests to judge');
if (problems.length) {
  console.error(`soak FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('soak passed');
