#!/usr/bin/env bash
# Cross-builds the static atm for ARM gateways on a Debian 12 amd64 machine and
# tests it under qemu-user (README "ARM gateways"):
#   scripts/cross_build.sh [aarch64|armhf|all]    (default: all)
# For each architecture: installs Debian's cross compiler, qemu-user-static and
# the target's multiarch -dev packages (dpkg --add-architecture); builds the
# target's static libpq (scripts/build_libpq.sh <arch>: build-deps/libpq-<arch>);
# builds a static, stripped build-<arch>/atm and the unit tests with
# cmake/toolchain-<arch>.cmake; checks that the binary is a static ARM
# executable linked from /usr/lib/<triple> only; then runs ctest there: the
# unit tests and tests/e2e/gateway_smoke.test.mjs, both under qemu.
# JOBS sets the build's parallelism (default: the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
case "$what" in
  aarch64) arches=(aarch64) ;;
  armhf) arches=(armhf) ;;
  all) arches=(aarch64 armhf) ;;
  *) echo "usage: scripts/cross_build.sh [aarch64|armhf|all]" >&2; exit 2 ;;
esac
jobs=${JOBS:-$(nproc)}

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive

# Debian's name for the architecture, the GNU triple, qemu, what `file` says.
debian_arch() { case "$1" in aarch64) echo arm64 ;; armhf) echo armhf ;; esac; }
triple() { case "$1" in aarch64) echo aarch64-linux-gnu ;; armhf) echo arm-linux-gnueabihf ;; esac; }
qemu() { case "$1" in aarch64) echo qemu-aarch64-static ;; armhf) echo qemu-arm-static ;; esac; }
file_pattern() {
  case "$1" in
    aarch64) echo 'ELF 64-bit LSB executable, ARM aarch64, .*statically linked' ;;
    armhf) echo 'ELF 32-bit LSB executable, ARM, EABI5 .*statically linked' ;;
  esac
}

# --- Packages --------------------------------------------------------------
# Arch-independent or host-only: the cross compiler, qemu, the build tools,
# and the header-only libraries (Boost, nlohmann/json, toml++, Catch2).
# Per target: the static libraries (.a) and libc6-dev, whose glibc is the
# patched one (cmake/toolchain-debian-cross.cmake). Multi-Arch "same" packages
# must have one version on every architecture, so the amd64 twins go into the
# same apt transaction: apt then upgrades them together (OpenSSL among them).
# dpkg-dev and make: scripts/build_libpq.sh (apt-get source, the libpq build).
host_pkgs=(cmake pkg-config file qemu-user-static libboost1.81-dev nlohmann-json3-dev libtomlplusplus-dev catch2
           dpkg-dev make)
twins=(libssl-dev libsqlite3-dev libsqlitecpp-dev libc6-dev)
pkgs=("${host_pkgs[@]}" "${twins[@]}")
new_arch=0
for arch in "${arches[@]}"; do
  darch=$(debian_arch "$arch")
  pkgs+=("g++-$(triple "$arch")")
  for p in "${twins[@]}"; do pkgs+=("$p:$darch"); done
  if ! dpkg --print-foreign-architectures | grep -qx "$darch"; then
    sudo_ dpkg --add-architecture "$darch"
    new_arch=1
  fi
done
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ $new_arch = 1 ]; then
  echo "== apt: ${missing[*]:-(new architecture)}"
  sudo_ apt-get update -q
  # Everything at once, the amd64 twins included (see above).
  sudo_ apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi
if [ ! -d tests/e2e/node_modules ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- Build, check, test ------------------------------------------------------
for arch in "${arches[@]}"; do
  t=$(triple "$arch")
  dir=build-$arch
  # libpq for the target, from Debian's postgresql-15 source (skipped when built).
  echo "== $arch: libpq (build-deps/libpq-$arch/) at ${SECONDS} s"
  JOBS=$jobs bash scripts/build_libpq.sh "$arch"
  echo "== $arch: build ($dir/) at ${SECONDS} s"
  cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-$arch.cmake -DCMAKE_BUILD_TYPE=Release \
    -DATM_BENCH=OFF -DATM_LIBPQ_DIR="$PWD/build-deps/libpq-$arch" >/dev/null
  cmake --build "$dir" -j"$jobs" --target atm atm_unit_tests
  "$t-strip" --strip-all "$dir/atm"

  echo "== $arch: checks at ${SECONDS} s"
  desc=$(file -b "$dir/atm")
  echo "file: $desc"
  if ! grep -Eq "$(file_pattern "$arch")" <<<"$desc"; then
    echo "FAIL: $dir/atm is not a static $arch executable" >&2
    exit 1
  fi
  # The link map (CMakeLists.txt writes atm.map in a cross build) names every
  # object and archive the link loaded: glibc (crt1.o, libc.a), OpenSSL and
  # SQLite must come from the multiarch folder /usr/lib/<triple>; nothing from
  # an amd64 folder, nor from the cross package's /usr/<triple>/lib.
  map=$dir/atm.map
  loads=$(sed -n 's/^LOAD \(\/.*\)$/\1/p' "$map" | xargs realpath -m)
  for lib in crt1.o libc.a libcrypto.a libssl.a libsqlite3.a libSQLiteCpp.a; do
    if ! grep -qx "/usr/lib/$t/$lib" <<<"$loads"; then
      echo "FAIL: the link did not load /usr/lib/$t/$lib (see $map)" >&2
      exit 1
    fi
  done
  if grep -E "x86_64|^/usr/$t/" <<<"$loads" >&2; then
    echo "FAIL: the link loaded the files above, from an amd64 folder or /usr/$t (see $map)" >&2
    exit 1
  fi
  if ! grep -qx "$PWD/build-deps/libpq-$arch/lib/libpq.a" <<<"$loads"; then
    echo "FAIL: the link did not load build-deps/libpq-$arch/lib/libpq.a (see $map)" >&2
    exit 1
  fi
  echo "link: crt1.o, libc.a, libssl.a, libcrypto.a, libsqlite3.a, libSQLiteCpp.a from /usr/lib/$t;" \
    "libpq.a from build-deps/libpq-$arch"
  echo "size: $(stat -c %s "$dir/atm") bytes stripped"

  echo "== $arch: tests under $(qemu "$arch") at ${SECONDS} s"
  ctest --test-dir "$dir" --output-on-failure
  echo "== $arch: done at ${SECONDS} s"
done
