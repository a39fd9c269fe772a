#!/usr/bin/env bash
# The CI steps beyond the README's test command (run after scripts/setup.sh
# --test, which installs clang and the libFuzzer runtime):
#   1. the whole test suite (unit + e2e, ATM_BIN = the sanitized binary) built
#      with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/;
#   2. every libFuzzer target for FUZZ_SECONDS (default 30) each (fuzz/run.sh).
# About 15 minutes on 2 cores. Usage:
#   scripts/ci_extra.sh             both
#   scripts/ci_extra.sh sanitize    only 1
#   scripts/ci_extra.sh fuzz        only 2
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
jobs=$(nproc)

if [ "$what" = all ] || [ "$what" = sanitize ]; then
  echo "== ASan + UBSan build (build-asan/)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATM_SANITIZE=ON -DATM_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  # Leaks, buffer errors and undefined behaviour all fail the run. The soak
  # judges RSS, which ASan's quarantine inflates, and the benchmarks' smoke
  # runs time a slowed binary: they run in the plain build (so the sanitized
  # build leaves the load generator out).
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
  export ATM_SANITIZED=1  # the sanitized binary is not static (tests/e2e/startup.test.mjs)
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  ctest --test-dir build-asan --output-on-failure --timeout 900 -E '^soak$'
fi

if [ "$what" = all ] || [ "$what" = fuzz ]; then
  echo "== libFuzzer targets (build-fuzz/), ${FUZZ_SECONDS:-30} s each"
  FUZZ_SECONDS=${FUZZ_SECONDS:-30} fuzz/run.sh
fi
