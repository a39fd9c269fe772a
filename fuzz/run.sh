#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) in build-fuzz/ and runs
# each one for a bounded time on a copy of its committed seed corpus.
#   fuzz/run.sh                    every target, FUZZ_SECONDS (default 30) each
#   FUZZ_SECONDS=600 fuzz/run.sh jwt config     chosen targets, longer
# New interesting inputs go to build-fuzz/corpus/<target>/ (fuzz/corpus/ stays
# as committed); a crash leaves its input in build-fuzz/artifacts/<target>/
# and makes the script fail. Reproduce one with:
#   build-fuzz/fuzz/fuzz_<target> build-fuzz/artifacts/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
all_targets=(json_body form_body config jwt pkce validation)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
cxx=${FUZZ_CXX:-clang++-14}

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
      -DATM_FUZZ=ON -DATM_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzzers

declare -A dicts=([json_body]=json [config]=toml [jwt]=jwt)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t
  artifacts=build-fuzz/artifacts/$t
  mkdir -p "$work" "$artifacts"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
        -print_final_stats=1 -artifact_prefix="$artifacts/")
  [ -n "${dicts[$t]:-}" ] && args+=(-dict="fuzz/dict/${dicts[$t]}.dict")
  echo "== fuzz_$t: ${seconds}s"
  if ! build-fuzz/fuzz/fuzz_"$t" "${args[@]}" "$work" "fuzz/corpus/$t" 2>"build-fuzz/fuzz_$t.log"; then
    tail -n 40 "build-fuzz/fuzz_$t.log"
    failed+=("$t")
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "build-fuzz/fuzz_$t.log" | sed 's/^/   /' || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in build-fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash"
