#!/usr/bin/env bash
# The PostgreSQL statistics bench/scale_out.sh reads around a measured window
# (atm_bench load --before / --after), from a cluster that
# tests/support/pg_cluster.sh started with --statements:
#   pg_stats.sh start DIR OUT [WAIT]   resets pg_stat_statements, writes a snapshot to OUT
#   pg_stats.sh end DIR OUT [WAIT]     writes a snapshot to OUT, with the statements since start
# A snapshot is JSON:
#   exact, at once: the next transaction ID (xid_next: one is assigned to
#     each transaction that writes), the WAL position in bytes (wal_lsn_bytes),
#     and with end the statements run in the database atm since start
#     (pg_stat_statements: query, calls, rows);
#   published late: the database atm's commits and rollbacks
#     (pg_stat_database, read-only transactions included) and the cluster's
#     WAL records, writes and fsyncs (pg_stat_wal). A busy backend publishes
#     its counters at most once a second, an idle one up to 10 s after its
#     last publication (PostgreSQL 15: PGSTAT_MIN_INTERVAL and
#     PGSTAT_IDLE_INTERVAL), so both wait WAIT seconds first (11): the
#     setup's counters are in before the window, the window's by its end.
set -euo pipefail
[ $# -ge 3 ] && [ $# -le 4 ] && { [ "$1" = start ] || [ "$1" = end ]; } || {
  echo "usage: pg_stats.sh start|end DIR OUT [WAIT]" >&2
  exit 2
}
phase=$1 dir=$2 out=$3 wait=${4:-11}
psql() { "$(dirname "$0")/../tests/support/pg_cluster.sh" psql "$dir" -q -At "$@"; }

sleep "$wait"
[ "$phase" = start ] && psql -c "SELECT pg_stat_statements_reset()" >/dev/null
statements="'[]'::json"
[ "$phase" = end ] && statements="(SELECT coalesce(json_agg(json_build_object('query', s.query, 'calls', s.calls,
    'rows', s.rows) ORDER BY s.calls DESC), '[]') FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname = 'atm')"
psql -c "SELECT json_build_object(
    'xid_next', pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
    'wal_lsn_bytes', pg_current_wal_lsn() - '0/0'::pg_lsn,
    'xact_commit', d.xact_commit, 'xact_rollback', d.xact_rollback,
    'wal_records', w.wal_records, 'wal_write', w.wal_write, 'wal_sync', w.wal_sync,
    'statements', $statements)
  FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = 'atm'" >"$out"
