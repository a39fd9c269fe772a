#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster (pg_cluster.sh):
#   tests/support/with_postgres.sh [--tls] CMD [ARGS...]
# Starts a cluster in a new temp folder, exports ATM_TEST_PG_URL (= ATM_PG_URL)
# and the ATM_PG_* variables of pg_cluster.sh, runs CMD, destroys the cluster
# when CMD ends (or this script is interrupted or terminated) and exits with
# CMD's status. The cluster is in $ATM_PG_SOCKET_DIR; CMD may stop and start
# it there with pg_cluster.sh (ATM_PG_CLUSTER names the script).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tls=()
if [ "${1:-}" = --tls ]; then tls=(--tls); shift; fi
[ $# -gt 0 ] || { echo "usage: with_postgres.sh [--tls] CMD [ARGS...]" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/atm-pg.XXXXXX")
child=
cleanup() {
  [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true
  "$here/pg_cluster.sh" destroy "$dir" || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$here/pg_cluster.sh" start "$dir" "${tls[@]}" >/dev/null
set -a
# shellcheck source=/dev/null
. "$dir/env"
set +a
export ATM_TEST_PG_URL=$ATM_PG_URL ATM_PG_CLUSTER=$here/pg_cluster.sh

# CMD in the background, so that a TERM (ctest's timeout) reaches the trap
# at once and the cluster goes with CMD; its stdin stays ours.
"$@" <&0 &
child=$!
status=0
wait "$child" || status=$?
child=
exit "$status"
