// Throwaway PostgreSQL 15 clusters for e2e tests, through
// tests/support/pg_cluster.sh (Debian's postgresql-15, 127.0.0.1 and a Unix
// socket, role and database `atm`, fsync off):
//
//   import { after, before, test } from 'node:test';
//   import { startPostgres, destroyAllPostgres } from './support/postgres.mjs';
//   let pg;
//   before(async () => { pg = await startPostgres({ tls: true }); });
//   after(destroyAllPostgres);   // runs when a test failed too
//   test('...', async () => { /* atm with pg.url; await pg.stop(); await pg.start(); */ });
//
// Several tests can share one cluster with a schema each: schemaUrl(pg, name)
// creates the schema and answers a URL whose connections use it (search_path),
// so atm sees an empty database of its own.
//
// after() hooks run whatever the tests' outcome; destroyAllPostgres() destroys
// every cluster this process started and not yet destroyed. As a last resort
// (a file without the after() hook, an uncaught error) the same runs when the
// process exits normally; a process killed by a signal leaves its cluster in
// a temp folder named atm-pg-*.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PG_CLUSTER = fileURLToPath(new URL('../../support/pg_cluster.sh', import.meta.url));
export const PG_BIN = process.env.PG_BIN || '/usr/lib/postgresql/15/bin';
// Why the PostgreSQL tests cannot run here, or false: node:test's `skip` option.
export const PG_MISSING = existsSync(path.join(PG_BIN, 'initdb')) ? false : `no ${PG_BIN}/initdb (apt-get install postgresql-15)`;

const live = new Set();

function pgCluster(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(PG_CLUSTER, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`pg_cluster.sh ${args.join(' ')} failed (${error.code ?? error.signal}): ${stderr}`));
      else resolve(stdout);
    });
  });
}

// DIR/env lines KEY=VALUE or KEY='VALUE' -> {KEY: VALUE}.
function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=('?)(.*)\2$/.exec(line);
    if (m) env[m[1]] = m[3];
  }
  return env;
}

// Starts a new cluster and resolves once it accepts connections:
// {url, ca, port, socketDir, password, dir, env, stop(), start(), destroy()}.
// `url` is postgres://atm:PASSWORD@127.0.0.1:PORT/atm; with `tls` it adds
// sslmode=verify-full and sslrootcert=`ca`, and the server accepts TCP with
// TLS only (certificate for localhost and 127.0.0.1). stop() is a fast
// shutdown that keeps the data; start() brings it back on the same port.
export async function startPostgres({ tls = false, timeoutMs = 120000 } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'atm-pg-'));
  const pg = {
    dir,
    destroyed: false,
    async start() {
      const env = parseEnv(await pgCluster(['start', dir, ...(tls ? ['--tls'] : [])], timeoutMs));
      Object.assign(pg, {
        env, url: env.ATM_PG_URL, ca: env.ATM_PG_CA ?? null, port: Number(env.ATM_PG_PORT),
        socketDir: env.ATM_PG_SOCKET_DIR, password: env.ATM_PG_PASSWORD,
      });
      return pg;
    },
    stop: () => pgCluster(['stop', dir], timeoutMs),
    async destroy() {
      if (pg.destroyed) return;
      pg.destroyed = true;
      live.delete(pg);
      await pgCluster(['destroy', dir], timeoutMs);
    },
  };
  live.add(pg);
  try {
    return await pg.start();
  } catch (error) {
    await pg.destroy().catch(() => {});
    throw error;
  }
}

// Runs `sql` with psql as the role atm over the cluster's URL (TLS when it
// has it); resolves with the output, unaligned and without headers.
export function psql(pg, sql, { url = pg.url, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql];
    const env = { ...process.env, PGCONNECT_TIMEOUT: '10' };
    execFile(path.join(PG_BIN, 'psql'), args, { env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`psql ${JSON.stringify(sql)} failed (${error.code ?? error.signal}): ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

// Creates the schema `name` (letters, digits, _) in the cluster's database
// and resolves with pg.url plus options=-csearch_path=NAME: what atm makes
// and reads through that URL lives in that schema alone.
export async function schemaUrl(pg, name) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`schemaUrl: not a plain schema name: ${name}`);
  await psql(pg, `CREATE SCHEMA ${name}`);
  return `${pg.url}${pg.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-csearch_path=${name}`)}`;
}

// Destroys every cluster startPostgres() made and no one destroyed yet.
export async function destroyAllPostgres() {
  await Promise.all([...live].map((pg) => pg.destroy()));
}

process.on('exit', () => {
  for (const pg of live) {
    try {
      execFileSync(PG_CLUSTER, ['destroy', pg.dir], { stdio: 'ignore', timeout: 60000 });
    } catch {
      rmSync(pg.dir, { recursive: true, force: true });
    }
  }
});
