#!/usr/bin/env bash
# The scale-out benchmark (bench/README.md, "Scale-out on PostgreSQL"): code
# exchanges, refresh rotations, logins and JWKS GETs per second with atm on
# SQLite, on one PostgreSQL node and on two PostgreSQL nodes sharing one
# database, and the exchange and rotation against the connection pool's size.
# The PostgreSQL cluster is a throwaway one, durable (fsync and
# synchronous_commit on) with pg_stat_statements.
#   bench/scale_out.sh            a full run (about ten minutes)
#   bench/scale_out.sh --smoke    a short run that checks the tool works (ctest: bench_scale_out_smoke)
# Options: --build-dir DIR (build: DIR/atm and DIR/bench/atm_bench), --atm PATH,
# --bench PATH, --out-dir DIR (bench/results), --seconds S (10 per scenario).
# Writes OUT/scale_out.json and OUT/scale_out.md (bench/scale_out_report.py).
# Everything listens on 127.0.0.1; every process it starts is stopped by its
# PID and the cluster destroyed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$root/build
atm="" bench=""
out=$root/bench/results
seconds=10
smoke=0
stats_wait=11  # bench/pg_stats.sh: until every backend has published its counters
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --build-dir) build=$2; shift ;;
    --atm) atm=$2; shift ;;
    --bench) bench=$2; shift ;;
    --out-dir) out=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    *) echo "bench/scale_out.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
atm=${atm:-$build/atm}
bench=${bench:-$build/bench/atm_bench}
[ -x "$atm" ] && [ -x "$bench" ] || { echo "bench/scale_out.sh: no $atm or $bench (build them first)" >&2; exit 2; }
connections=16
pool_sizes=(1 2 4 10 20)
if [ $smoke = 1 ]; then
  seconds=0.5
  stats_wait=0.5  # the late counters are then wrong, but the smoke run checks the tool, not the numbers
  pool_sizes=(1 10)
fi
# A login costs about 0.1 s of CPU at scrypt 2^15: at least 2 s, so that a
# short run still answers some.
login_seconds=$(awk -v s="$seconds" 'BEGIN { print (s < 2 ? 2 : s) }')
# Codes minted per exchange run: more than two cores can redeem in the window
# (an RS256 exchange costs about 0.75 ms of CPU); a run that spends them all
# early is measured up to its last answer.
codes=$(awk -v s="$seconds" 'BEGIN { printf "%d", s * 3000 + 500 }')

say() { echo "scale_out: $*" >&2; }
die() { say "$*"; exit 1; }

work=$(mktemp -d /tmp/atm-scale-out.XXXXXX)
chmod 711 "$work"  # the cluster's folder inside must be reachable by its owner (postgres, when root)
cluster=$work/pg
nodes=()  # PIDs of the atm nodes running
stop_nodes() {
  local pid
  for pid in "${nodes[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${nodes[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  nodes=()
}
cleanup() {
  stop_nodes
  tests/support/pg_cluster.sh destroy "$cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting a durable PostgreSQL cluster with pg_stat_statements"
tests/support/pg_cluster.sh start "$cluster" --durable --statements >/dev/null
pg_url=$(sed -n "s/^ATM_PG_URL='\(.*\)'$/\1/p" "$cluster/env")
postmaster=$(head -1 "$cluster/data/postmaster.pid")

# Configs: bench.toml as run.sh uses it, plus one [storage] table.
config() {  # NAME STORAGE-LINES
  { cat bench/bench.toml; printf '\n[storage]\n%s\n' "$2"; } >"$work/$1.toml"
}
config sqlite ''
config sqlite_full 'synchronous = "full"'
for n in "${pool_sizes[@]}"; do config "pool_$n" "pool_size = $n"; done

node_port=
start_node() {  # CONFIG DB LOG
  "$atm" serve --config "$1" --db "$2" --port 0 >"$3.out" 2>"$3" &
  local pid=$!
  nodes+=("$pid")
  for _ in $(seq 300); do
    node_port=$(sed -n 's#^atm listening on http://127\.0\.0\.1:\([0-9]*\)$#\1#p' "$3.out")
    [ -n "$node_port" ] && break
    kill -0 "$pid" 2>/dev/null || die "atm exited at start (see $3)"
    sleep 0.05
  done
  [ -n "$node_port" ] || die "atm did not start within 15 s (see $3)"
  # The first signing key (RSA, generated in the background): stored in the
  # database before the next node starts, which then loads it.
  curl -sf --max-time 15 -o /dev/null "http://127.0.0.1:$node_port/auth/.well-known/jwks.json" ||
    die "no JWKS from atm on port $node_port (see $3)"
}

fresh_database() {
  tests/support/pg_cluster.sh psql "$cluster" -q -c "DROP DATABASE IF EXISTS atm WITH (FORCE)" \
    -c "CREATE DATABASE atm OWNER atm" >/dev/null
}

# One setup: its nodes started on a fresh database, each scenario measured,
# the nodes stopped. SETUP is the folder name under $work/runs.
run_setup() {  # SETUP BACKEND(sqlite|pg) CONFIG NODES SCENARIO...
  local setup=$1 backend=$2 config=$3 count=$4
  shift 4
  local dir=$work/runs/$setup ports=() pids=() db i scenario
  mkdir -p "$dir"
  [ "$backend" = pg ] && fresh_database
  for i in $(seq "$count"); do
    db=$pg_url
    [ "$backend" = sqlite ] && db=$dir/atm.db
    start_node "$work/$config.toml" "$db" "$dir/atm-$i.log"
    ports+=("$node_port")
    pids+=("${nodes[-1]}")
  done
  for scenario in "$@"; do
    say "$setup: $scenario ($(cut -d' ' -f1-3 /proc/loadavg))"
    local window=$seconds
    [ "$scenario" = login ] && window=$login_seconds
    local args=(load --port "$(IFS=,; echo "${ports[*]}")" --scenario "$scenario" --connections "$connections"
      --seconds "$window" --codes "$codes" --pids "$(IFS=,; echo "${pids[*]}")")
    if [ "$backend" = pg ]; then
      args+=(--postmaster "$postmaster"
        --before "bench/pg_stats.sh start $cluster $dir/$scenario.pg_start.json $stats_wait"
        --after "bench/pg_stats.sh end $cluster $dir/$scenario.pg_end.json $stats_wait")
    fi
    cut -d' ' -f1-3 /proc/loadavg >"$dir/$scenario.loadavg"
    "$bench" "${args[@]}" >"$dir/$scenario.json" 2>>"$dir/atm_bench.log" ||
      die "$setup: $scenario failed (see $dir/atm_bench.log)"
  done
  stop_nodes
}

started=$(date -u +%FT%TZ)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
run_setup sqlite sqlite sqlite 1 jwks exchange refresh login
run_setup sqlite_full sqlite sqlite_full 1 exchange refresh login
run_setup pg_1 pg pool_10 1 jwks exchange refresh login
run_setup pg_2 pg pool_10 2 jwks exchange refresh login
for n in "${pool_sizes[@]}"; do
  run_setup "pool_$n" pg "pool_$n" 1 exchange refresh
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$out"
cat >"$work/runs/meta.json" <<EOF
{"started": "$started", "loadavg_start": "$load_start", "loadavg_end": "$load_end",
 "command": "bench/scale_out.sh$([ $smoke = 1 ] && echo ' --smoke') --seconds $seconds",
 "commit": "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)",
 "atm": "$atm", "cpus": $(nproc), "model": "$(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -1)",
 "postgres": "$(/usr/lib/postgresql/15/bin/postgres --version)", "connections": $connections, "seconds": $seconds,
 "pool_sizes": [$(IFS=,; echo "${pool_sizes[*]}")], "smoke": $([ $smoke = 1 ] && echo true || echo false)}
EOF
check=()
[ $smoke = 1 ] && check=(--check)
/usr/bin/python3 bench/scale_out_report.py "${check[@]}" "$work/runs" "$out/scale_out.json" "$out/scale_out.md"
say "wrote $out/scale_out.json and $out/scale_out.md"
