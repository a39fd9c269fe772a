#!/usr/bin/env bash
# Installs everything atm needs to build and test on Debian 12, builds the
# static libpq (scripts/build_libpq.sh), then builds atm.
# Idempotent: a second run only rebuilds what changed.
#   scripts/setup.sh            build dependencies + release build
#   scripts/setup.sh --test     also the test tools (Chromium, npm clients, authlib, pytest,
#                               clang for the fuzzers)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive

pkgs=(build-essential cmake pkg-config libboost1.81-dev nlohmann-json3-dev
      libsqlitecpp-dev libtomlplusplus-dev catch2 libssl-dev libsqlite3-dev)
# libpq: the static build's comes from Debian's postgresql-15 source
# (scripts/build_libpq.sh: apt-get source needs dpkg-dev); the non-static
# builds (ASan, fuzzers) link Debian's libpq-dev.
pkgs+=(dpkg-dev libpq-dev)
if [ $want_test = 1 ]; then
  pkgs+=(chromium python3-authlib python3-requests python3-pytest nodejs npm sqlite3 file gnuplot-nox)
  # Security tests: openssl (test certificates), chattr/prlimit (storage
  # failures), ss (connection reuse), clang + libFuzzer runtime (fuzz/run.sh,
  # scripts/ci_extra.sh).
  pkgs+=(openssl e2fsprogs util-linux iproute2 clang-14 libclang-rt-14-dev)
  # HTTP core tests: slow clients (slowloris, slow body, slow read).
  pkgs+=(slowhttptest)
  # The format check (scripts/check_format.sh, in CI).
  pkgs+=(clang-format-14)
  # The operations test (tests/e2e/operations.test.mjs): a real Prometheus
  # scrapes atm, and promtool (in the same Debian package) checks its exposition.
  pkgs+=(prometheus)
  # The PostgreSQL store's tests: throwaway clusters of Debian's server
  # (tests/support/pg_cluster.sh).
  pkgs+=(postgresql-15)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere (e.g. nodesource): do not fight an existing node.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))

if [ ${#missing[@]} -gt 0 ]; then
  sudo_ apt-get update -q
  sudo_ apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ $want_test = 1 ] && [ ! -d tests/e2e/node_modules ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

bash scripts/build_libpq.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
