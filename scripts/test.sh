#!/usr/bin/env bash
# Sets everything up (packages, test tools, build) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
ctest --test-dir build --output-on-failure --timeout 600 "$@"
