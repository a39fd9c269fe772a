#!/usr/bin/env bash
# Builds atm and its benchmark, runs every scenario, and writes the table, the
# JSON and the chart (bench/README.md explains the numbers).
#   bench/run.sh                 one full run (about three minutes)
#   bench/run.sh --repeat 3      three runs; the summary gives best and spread
#   bench/run.sh --smoke         a short run (about 30 s) that checks the tool works
# Options: --no-build, --build-dir DIR (build), --out-dir DIR (bench/results),
# and anything after "--" goes to `atm_bench run` (e.g. -- --seconds 10).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$root/build
out=$root/bench/results
repeat=1
smoke=0
do_build=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --no-build) do_build=0 ;;
    --repeat) repeat=$2; shift ;;
    --build-dir) build=$2; shift ;;
    --out-dir) out=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench/run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if [ $do_build = 1 ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target atm atm_bench
fi
bench=$build/bench/atm_bench
[ -x "$bench" ] && [ -x "$build/atm" ] || { echo "bench/run.sh: build atm and atm_bench first" >&2; exit 2; }

mkdir -p "$out"
rm -f "$out"/run-*.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mode=()
[ $smoke = 1 ] && mode=(--smoke)
for i in $(seq 1 "$repeat"); do
  echo "== run $i of $repeat ($(uptime | sed 's/.*load average/load average/'))" >&2
  "$bench" run --atm "$build/atm" --config bench/bench.toml --work-dir "$work/run-$i" \
    --out "$out/run-$i.json" "${mode[@]}" "${extra[@]}" >/dev/null
done
"$bench" summarize --out "$out/summary.json" --table "$out/table.txt" --chart-data "$out/chart.dat" \
  "$out"/run-*.json
if command -v gnuplot >/dev/null; then
  # A partial run (-- --only ...) leaves a panel without points: no chart,
  # but the table and the JSON stand.
  gnuplot -e "data='$out/chart.dat'; out='$out/chart.svg'" bench/chart.gp ||
    echo "bench/run.sh: gnuplot failed; a partial run has no chart" >&2
else
  echo "bench/run.sh: gnuplot not found, no chart (apt-get install gnuplot-nox)" >&2
fi

if [ $smoke = 1 ]; then
  # CI: the tool ran, every file is valid JSON, every rate is nonzero and no
  # request failed. Not a performance threshold.
  /usr/bin/python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
runs = sorted(out.glob("run-*.json"))
assert runs, "no run JSON written"
for path in runs:
    run = json.loads(path.read_text())
    for name in ("exchange_rs256", "exchange_es256", "exchange_eddsa", "refresh_rs256",
                 "client_credentials", "jwks", "login", "health", "health_idle"):
        s = run["scenarios"][name]
        assert s["rate"] > 0 and s["ok"] > 0, f"{path.name}: {name} has no successful request"
        assert s["errors"] == 0, f"{path.name}: {name} had {s['errors']} errors: {s.get('first_error')}"
        assert 0 < s["p50_ms"] <= s["p99_ms"] <= s["p999_ms"], f"{path.name}: {name} latencies out of order"
    for name in ("exchange_rs256", "jwks", "exchange_connections"):
        assert all(p["rate"] > 0 for p in run["sweep"][name]), f"{path.name}: sweep {name} has a zero rate"
    for p in run["sweep"]["exchange_connections"]:
        assert p["errors"] == 0, f"{path.name}: exchange at {p['connections']} connections had {p['errors']} errors: {p.get('first_error')}"
    idle = run["idle"]
    assert idle["opened"] == idle["connections"] and idle["errors"] == 0, \
        f"{path.name}: {idle['opened']} of {idle['connections']} idle connections opened: {idle.get('first_error')}"
    assert idle["closed_by_server"] == 0, f"{path.name}: the server closed {idle['closed_by_server']} idle connections"
    assert idle["rss_before_kb"] > 0 and idle["cpu_percent"] >= 0, f"{path.name}: no idle RSS or CPU"
    for alg in ("RS256", "ES256", "EdDSA", "scrypt"):
        assert run["limits"][alg]["per_second"] > 0, f"{path.name}: no {alg} limit"
    assert run["start"]["median_ms"] > 0, "no start-up time"
    for k in ("idle_rss_kb", "peak_rss_kb", "login_peak_rss_kb"):
        assert run["memory"][k] > 0, f"{path.name}: no {k}"
    assert run["binary"]["stripped_bytes"] > 0, "no stripped size"
    rig = run["testing"]
    start = rig["start"]
    assert start["ready"]["count"] > 0 and start["ready"]["p50_ms"] > 0, f"{path.name}: no rig start time"
    assert start["unclean_exits"] == 0 and start["unanswered"] == 0, \
        f"{path.name}: rig starts: {start['unanswered']} unanswered, {start['unclean_exits']} unclean exits: {start.get('first_unclean')}"
    for name in ("clock_get", "clock_advance", "clock_reset", "put_user", "put_application", "mint_sub", "mint_user",
                 "mint_sub_es256", "mint_user_es256"):
        c = rig["calls"][name]
        assert c["errors"] == 0, f"{path.name}: rig call {name} had {c['errors']} errors: {c.get('first_error')}"
        assert c["count"] > 0 and 0 < c["p50_ms"] <= c["p99_ms"], f"{path.name}: rig call {name} has no latencies"
    assert rig["reset"]["errors"] == 0 and rig["reset"]["after_changes"]["count"] > 0, f"{path.name}: rig resets failed"
    for key in ("parallel", "parallel_keyed", "parallel_es256"):
        p = rig[key]
        assert p["failures"] == 0 and p["ready_count"] == p["instances"] == p["clean_exits"] == p["answered"], \
            f"{path.name}: rig {key}: {p['ready_count']} of {p['instances']} ready, {p['clean_exits']} clean exits: {p.get('first_failure')}"
summary = json.loads((out / "summary.json").read_text())
assert summary["metrics"]["exchange_ratio"]["best"] > 0
assert (out / "chart.svg").stat().st_size > 1000, "no chart"
print("bench smoke: OK")
PY
fi
