#!/usr/bin/env bash
# Sets everything up (Debian packages, build) and starts atm on config.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/atm --config config.toml "$@"
