#!/usr/bin/env python3
"""Turns bench/scale_out.sh's measurements into scale_out.json and a markdown table.

usage: scale_out_report.py [--check] RUNS_DIR OUT.json OUT.md
       scale_out_report.py SCALE_OUT.json OUT.md      (the table again, from the JSON)

RUNS_DIR holds meta.json and, per setup (a folder), per scenario: the output of
`atm_bench load` (SCENARIO.json), the load average when it started
(SCENARIO.loadavg) and, on PostgreSQL, the statistics before and after the
window (SCENARIO.pg_start.json, SCENARIO.pg_end.json, from bench/pg_stats.sh).
CPU "per request" divides the CPU time in the window by the requests answered
in it; the database's counts divide by the requests sent in it (answered, failed
or still in flight when it closed: pg_stats.sh reads them after these finished,
and none was in flight when it opened). --check
(the smoke run) fails unless every scenario answered and none failed, and every
PostgreSQL run that writes ran statements and commits.
"""
import json
import pathlib
import sys

SETUPS = {
    "sqlite": "SQLite, 1 node",
    "sqlite_full": "SQLite synchronous=full, 1 node",
    "pg_1": "PostgreSQL, 1 node",
    "pg_2": "PostgreSQL, 2 nodes",
}
SCENARIOS = ["exchange", "refresh", "login", "jwks"]
WRITES = {"exchange", "refresh", "login"}
TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK"}


def database(start, end, sent):
    """Statements, transactions and WAL per request from two pg_stats.sh snapshots."""
    per = lambda key: (end[key] - start[key]) / sent
    statements = end["statements"]
    calls = sum(s["calls"] for s in statements)
    queries = sum(s["calls"] for s in statements if s["query"].strip().upper() not in TRANSACTION_CONTROL)
    return {
        "requests_sent": sent,
        "statements_per_request": calls / sent,
        "queries_per_request": queries / sent,  # without BEGIN, COMMIT and ROLLBACK
        "write_transactions_per_request": per("xid_next"),
        "commits_per_request": per("xact_commit"),  # read-only transactions included
        "rollbacks_per_request": per("xact_rollback"),
        "wal_bytes_per_request": per("wal_lsn_bytes"),
        "wal_records_per_request": per("wal_records"),
        "wal_writes_per_request": per("wal_write"),
        "wal_fsyncs_per_request": per("wal_sync"),
        "statements": [
            {
                "query": " ".join(s["query"].split()),
                "calls_per_request": s["calls"] / sent,
                "rows_per_request": s["rows"] / sent,
            }
            for s in statements
        ],
    }


def scenario(folder, name):
    load = json.loads((folder / f"{name}.json").read_text())
    ok = load["ok"]
    out = {k: load[k] for k in ("connections", "rate", "p50_ms", "p99_ms", "p999_ms", "ok", "errors", "late", "seconds")}
    if "first_error" in load:
        out["first_error"] = load["first_error"]
    out["loadavg_at_start"] = (folder / f"{name}.loadavg").read_text().strip()
    cpu = load.get("cpu", {})
    for who in ("atm", "postgres", "load_generator"):
        if who in cpu and "ms_per_request" in cpu[who]:
            out[f"{who}_cpu_ms_per_request"] = cpu[who]["ms_per_request"]
    if "atm" in cpu:
        out["atm_cpu_seconds_per_pid"] = cpu["atm"]["per_pid"]
    start, end = folder / f"{name}.pg_start.json", folder / f"{name}.pg_end.json"
    sent = ok + load["errors"] + load["late"]
    if start.exists() and sent > 0:
        out["database"] = database(json.loads(start.read_text()), json.loads(end.read_text()), sent)
    return out


def collect(runs):
    meta = json.loads((runs / "meta.json").read_text())
    setups = {}
    for folder in sorted(p for p in runs.iterdir() if p.is_dir()):
        setups[folder.name] = {
            s: scenario(folder, s) for s in SCENARIOS if (folder / f"{s}.json").exists()
        }
    return {"meta": meta, "setups": setups}


def pool_size(setup):
    return int(setup.split("_")[-1])


def label(setup):
    return SETUPS.get(setup) or f"PostgreSQL, 1 node, pool_size={setup.split('_')[-1]}"


def fmt(value, digits=0):
    if value is None:
        return "–"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def cell(run, key, digits=0, db=False):
    if run is None:
        return "–"
    source = run.get("database", {}) if db else run
    return fmt(source.get(key), digits)


def table(result):
    meta, setups = result["meta"], result["setups"]
    lines = [
        f"`{meta['command']}` at {meta['commit']}, {meta['started']}: {meta['cpus']} cores ({meta['model']}), "
        f"{meta['postgres']}, durable cluster (fsync, synchronous_commit, full_page_writes on); "
        f"{meta['connections']} connections, {meta['seconds']} s per scenario; load average (1/5/15 min) "
        f"{meta['loadavg_start']} at the start, {meta['loadavg_end']} at the end.",
        "",
        "Requests per second (p99 ms):",
        "",
        "| scenario | " + " | ".join(label(s) for s in SETUPS if s in setups) + " |",
        "| --- |" + " ---: |" * sum(s in setups for s in SETUPS),
    ]
    for name in SCENARIOS:
        cells = []
        for s in (s for s in SETUPS if s in setups):
            run = setups[s].get(name)
            cells.append("–" if run is None else f"{fmt(run['rate'], 1 if run['rate'] < 100 else 0)} ({fmt(run['p99_ms'], 1)})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Per request: CPU (ms) of atm (all nodes), of PostgreSQL (postmaster and backends) and of the load "
        "generator; statements (pg_stat_statements, BEGIN and COMMIT included), write transactions (transaction "
        "IDs assigned), commits (pg_stat_database, read-only ones included), WAL bytes (WAL position) and WAL "
        "fsyncs (pg_stat_wal):",
        "",
        "| setup | scenario | rate/s | errors | atm CPU | postgres CPU | client CPU | statements | write xacts "
        "| commits | WAL bytes | WAL fsyncs | load avg |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    order = [s for s in SETUPS if s in setups] + sorted((s for s in setups if s not in SETUPS), key=pool_size)
    for s in order:
        for name in SCENARIOS:
            run = setups[s].get(name)
            if run is None:
                continue
            lines.append(
                f"| {label(s)} | {name} | {fmt(run['rate'], 1 if run['rate'] < 100 else 0)} "
                f"| {run['errors']} | {cell(run, 'atm_cpu_ms_per_request', 3)} "
                f"| {cell(run, 'postgres_cpu_ms_per_request', 3)} | {cell(run, 'load_generator_cpu_ms_per_request', 3)} "
                f"| {cell(run, 'statements_per_request', 2, True)} "
                f"| {cell(run, 'write_transactions_per_request', 2, True)} | {cell(run, 'commits_per_request', 2, True)} "
                f"| {cell(run, 'wal_bytes_per_request', 0, True)} | {cell(run, 'wal_fsyncs_per_request', 2, True)} "
                f"| {run['loadavg_at_start']} |"
            )
    pools = sorted((pool_size(s), setups[s]) for s in setups if s.startswith("pool_"))
    if pools:
        lines += [
            "",
            "The connection pool (`storage.pool_size`), one node, requests per second (p99 ms):",
            "",
            "| pool_size | exchange | refresh |",
            "| ---: | ---: | ---: |",
        ]
        for size, runs in pools:
            cells = [
                "–" if name not in runs else f"{fmt(runs[name]['rate'])} ({fmt(runs[name]['p99_ms'], 1)})"
                for name in ("exchange", "refresh")
            ]
            lines.append(f"| {size} | " + " | ".join(cells) + " |")
    for name in ("exchange", "refresh", "login"):
        run = setups.get("pg_1", {}).get(name)
        if not run or "database" not in run:
            continue
        lines += ["", f"Statements per {name} (PostgreSQL, 1 node; calls and rows per request):", "", "| calls | rows | statement |", "| ---: | ---: | --- |"]
        for st in run["database"]["statements"]:
            if st["calls_per_request"] >= 0.01:
                query = st["query"] if len(st["query"]) <= 110 else st["query"][:107] + "..."
                query = query.replace("|", "\\|")
                lines.append(f"| {st['calls_per_request']:.2f} | {st['rows_per_request']:.2f} | `{query}` |")
    return "\n".join(lines) + "\n"


def check(result):
    problems = []
    for s, runs in result["setups"].items():
        for name, run in runs.items():
            if run["ok"] <= 0 or run["errors"] != 0:
                problems.append(f"{s} {name}: {run['ok']} answered, {run['errors']} failed: {run.get('first_error')}")
            if "atm_cpu_ms_per_request" not in run:
                problems.append(f"{s} {name}: no atm CPU time")
            if not s.startswith("sqlite") and "postgres_cpu_ms_per_request" not in run:
                problems.append(f"{s} {name}: no PostgreSQL CPU time")
            db = run.get("database")
            if not s.startswith("sqlite") and name in WRITES and (
                db is None or db["statements_per_request"] <= 0 or db["write_transactions_per_request"] <= 0
            ):
                problems.append(f"{s} {name}: no statements or write transactions counted")
    return problems


def main(argv):
    strict = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) == 2 and pathlib.Path(args[0]).is_file():
        pathlib.Path(args[1]).write_text(table(json.loads(pathlib.Path(args[0]).read_text())))
        return
    if len(args) != 3:
        sys.exit(__doc__)
    runs, out_json, out_md = map(pathlib.Path, args)
    result = collect(runs)
    out_json.write_text(json.dumps(result, indent=2) + "\n")
    out_md.write_text(table(result))
    if strict:
        problems = check(result)
        if problems:
            sys.exit("scale-out smoke failed:\n  " + "\n  ".join(problems))
        print("bench scale-out smoke: OK")


if __name__ == "__main__":
    main(sys.argv[1:])
