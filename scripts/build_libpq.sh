#!/usr/bin/env bash
# Builds the static libpq that the static atm links (CMakeLists.txt, ATM_LIBPQ_DIR)
# from Debian's postgresql-15 source package:
#   scripts/build_libpq.sh            -> build-deps/libpq/{include,lib}
#   scripts/build_libpq.sh aarch64    -> build-deps/libpq-aarch64/ (cross, scripts/cross_build.sh)
#   scripts/build_libpq.sh armhf      -> build-deps/libpq-armhf/
# Why: Debian's libpq.a is built with GSSAPI and LDAP (Kerberos, SASL, GnuTLS
# through libldap), which have no static builds. This one has OpenSSL (TLS,
# sslmode=verify-full) and nothing else: no GSSAPI, LDAP, ICU, readline, zlib,
# lz4, zstd, PAM, systemd, LLVM, NLS. Only libpq.a and the two libraries it
# needs (libpgcommon_shlib.a, libpgport_shlib.a) are compiled.
#
# The version is the candidate of postgresql-15 (`apt-cache policy`), or
# PG_VERSION=15.18-0+deb12u1. If apt cannot fetch that version's source, the
# newest older one that it can fetch is built, with a warning. Idempotent: the
# build is skipped when build-deps/libpq*/BUILD_INFO records the same wanted
# version and options. Enables deb-src (a copy of the deb stanzas in
# /etc/apt/sources.list.d/atm-deb-src.sources) when no deb-src is configured.
# Sources go to build-deps/src/ (ignored by git). Needs dpkg-dev, make, gcc
# (or the cross gcc) and libssl-dev (of the target's architecture);
# scripts/setup.sh and scripts/cross_build.sh install them. JOBS sets the
# parallelism (default: the number of cores). 60-90 s on 2 cores (most of it
# download, unpacking and configure).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
arch=${1:-native}
case "$arch" in
  native) prefix=build-deps/libpq; triple= ;;
  aarch64) prefix=build-deps/libpq-aarch64; triple=aarch64-linux-gnu ;;
  armhf) prefix=build-deps/libpq-armhf; triple=arm-linux-gnueabihf ;;
  *) echo "usage: scripts/build_libpq.sh [aarch64|armhf]" >&2; exit 2 ;;
esac
jobs=${JOBS:-$(nproc)}
say() { echo "build_libpq: $*"; }
die() { echo "build_libpq: $*" >&2; exit 1; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The configuration. Changing it rebuilds (it is part of BUILD_INFO).
# --sysconfdir: pg_service.conf where Debian's libpq looks for it.
# -ffunction-sections -fdata-sections: atm links with --gc-sections, which
# then drops the parts of libpq that atm does not call.
configure_args=(--with-ssl=openssl --without-gssapi --without-ldap --without-icu --without-readline
                --without-zlib --without-lz4 --without-zstd --without-pam --without-systemd --without-llvm
                --without-libxml --without-libxslt --without-selinux --without-perl --without-python
                --without-tcl --disable-nls --disable-rpath --sysconfdir=/etc/postgresql-common)
cflags="-Os -ffunction-sections -fdata-sections"
cross_env=()
if [ -n "$triple" ]; then
  # As cmake/toolchain-debian-cross.cmake: the target's multiarch folder
  # (libssl-dev:<arch>) and its patched glibc first.
  multiarch=/usr/lib/$triple
  cross_env=(CC="$triple-gcc" AR="$triple-ar" RANLIB="$triple-ranlib" STRIP="$triple-strip"
             PKG_CONFIG=pkg-config PKG_CONFIG_LIBDIR="$multiarch/pkgconfig" LDFLAGS="-B$multiarch/ -L$multiarch")
  configure_args=(--build="$(dpkg-architecture -q DEB_BUILD_GNU_TYPE)" --host="$triple" "${configure_args[@]}")
fi
cc=${triple:+$triple-}gcc

# --- Tools -----------------------------------------------------------------
for tool in dpkg-source dpkg-architecture apt-get make "$cc"; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh or scripts/cross_build.sh installs it)"
done
echo '#include <openssl/ssl.h>' | "$cc" -E -x c - >/dev/null 2>&1 ||
  die "no OpenSSL headers for $cc (apt-get install libssl-dev${triple:+:$(dpkg-architecture -t "$triple" -q DEB_HOST_ARCH 2>/dev/null)})"

# --- The version -------------------------------------------------------------
candidate() { apt-cache policy postgresql-15 2>/dev/null | sed -n 's/^ *Candidate: //p'; }
wanted=${PG_VERSION:-$(candidate)}
updated=0
if [ -z "$wanted" ] || [ "$wanted" = "(none)" ]; then
  sudo_ apt-get update -q >/dev/null
  updated=1
  wanted=$(candidate)
fi
[ -n "$wanted" ] && [ "$wanted" != "(none)" ] || die "apt knows no postgresql-15 (is this Debian 12?)"
info="postgresql-15 wanted $wanted; configure ${configure_args[*]}; CFLAGS $cflags"
if [ -f "$prefix/lib/libpq.a" ] && [ -f "$prefix/BUILD_INFO" ] && [ "$(sed -n 2p "$prefix/BUILD_INFO")" = "$info" ]; then
  built=$(head -1 "$prefix/BUILD_INFO")
  say "$prefix: $built (up to date)"
  # A fallback build (the wanted source could not be fetched) says so every time.
  case "$built" in
    "postgresql-15 $wanted "*) ;;
    *) echo "build_libpq: WARNING: built from an older source than postgresql-15 $wanted;" \
         "remove $prefix to try the wanted one again" >&2 ;;
  esac
  exit 0
fi
start=$SECONDS

# --- deb-src -----------------------------------------------------------------
has_deb_src() {
  grep -Eqs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources ||
    grep -Eqs '^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
}
if ! has_deb_src; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    say "enabling deb-src: /etc/apt/sources.list.d/atm-deb-src.sources"
    sed -n '/^Types: deb$/,/^$/p' /etc/apt/sources.list.d/debian.sources | sed 's/^Types: deb$/Types: deb-src/' |
      sudo_ tee /etc/apt/sources.list.d/atm-deb-src.sources >/dev/null
  elif grep -qs '^deb ' /etc/apt/sources.list; then
    say "enabling deb-src: /etc/apt/sources.list.d/atm-deb-src.list"
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | sudo_ tee /etc/apt/sources.list.d/atm-deb-src.list >/dev/null
  else
    die "no Debian deb source in /etc/apt to copy as deb-src"
  fi
  sudo_ apt-get update -q >/dev/null
  updated=1
fi
source_versions() { apt-cache showsrc postgresql-15 2>/dev/null | sed -n 's/^Version: //p'; }
if [ -z "$(source_versions)" ]; then
  sudo_ apt-get update -q >/dev/null
  updated=1
fi
# After an update the candidate may be newer.
if [ $updated = 1 ] && [ -z "${PG_VERSION:-}" ]; then
  wanted=$(candidate)
  info="postgresql-15 wanted $wanted; configure ${configure_args[*]}; CFLAGS $cflags"
fi

# --- The source --------------------------------------------------------------
# The wanted version first, then older ones, newest first: the security
# archive may carry a binary whose source a mirror lacks.
mapfile -t tries < <(echo "$wanted"; source_versions | while read -r v; do
  dpkg --compare-versions "$v" lt "$wanted" && echo "$v"; done | sort -rVu)
mkdir -p build-deps/src
version=
for v in "${tries[@]}"; do
  upstream=${v%%-*}
  src=build-deps/src/postgresql-15-$upstream
  if [ -f "$src/debian/changelog" ] && [ "$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)" = "$v" ]; then
    version=$v
    break
  fi
  say "apt-get source postgresql-15=$v"
  rm -rf "$src"
  # The download runs as the caller: no _apt sandbox warning for root.
  if (cd build-deps/src && apt-get source -q -o APT::Sandbox::User="$(id -un)" "postgresql-15=$v" >source.log 2>&1); then
    version=$v
    break
  fi
  sed 's/^/  /' build-deps/src/source.log | grep -E '^  (E|W):' >&2 || true
done
[ -n "$version" ] || die "apt-get source postgresql-15 failed for ${tries[*]} (build-deps/src/source.log)"
if [ "$version" != "$wanted" ]; then
  echo "build_libpq: WARNING: the source of postgresql-15 $wanted could not be fetched; building $version," \
    "the newest whose source apt could fetch (PG_VERSION=... to choose)" >&2
fi
say "source: $src ($((SECONDS - start)) s)"

# --- Configure and build (out of the source tree: native and cross share it) --
build=build-deps/src/build-$arch-$version
rm -rf "$build"
mkdir -p "$build"
say "configure ($build/configure.log)"
(cd "$build" && env "${cross_env[@]}" "$root/$src/configure" "${configure_args[@]}" CFLAGS="$cflags" \
  >configure.log 2>&1) || { tail -20 "$build/configure.log" >&2; die "configure failed ($build/configure.log)"; }
say "make: libpgport_shlib.a libpgcommon_shlib.a libpq.a ($build/make.log; $((SECONDS - start)) s)"
# SHLIB_PREREQS= : libpq's own prerequisite would build every variant of
# src/port and src/common (frontend, backend, shlib); libpq needs the shlib ones.
{
  make -C "$build/src/backend" generated-headers &&
    make -j"$jobs" -C "$build/src/port" libpgport_shlib.a &&
    make -j"$jobs" -C "$build/src/common" libpgcommon_shlib.a &&
    make -j"$jobs" -C "$build/src/interfaces/libpq" all-static-lib SHLIB_PREREQS=
} >"$build/make.log" 2>&1 || { tail -20 "$build/make.log" >&2; die "make failed ($build/make.log)"; }

if [ -n "$triple" ]; then
  machine=$("$triple-readelf" -h "$build/src/interfaces/libpq/fe-connect.o" | sed -n 's/^ *Machine: *//p')
  say "built for: $machine"
  case "$arch:$machine" in aarch64:AArch64 | armhf:ARM) ;; *) die "libpq.a is for $machine, not $arch" ;; esac
fi

# --- Install (a complete prefix, or the old one untouched) --------------------
tmp=$prefix.tmp
rm -rf "$tmp"
mkdir -p "$tmp/include" "$tmp/lib"
cp "$build/src/interfaces/libpq/libpq.a" "$build/src/common/libpgcommon_shlib.a" \
  "$build/src/port/libpgport_shlib.a" "$tmp/lib/"
# libpq-fe.h includes postgres_ext.h, which includes pg_config_ext.h (configure's).
cp "$src/src/interfaces/libpq/libpq-fe.h" "$src/src/interfaces/libpq/libpq-events.h" \
  "$src/src/include/postgres_ext.h" "$build/src/include/pg_config_ext.h" "$tmp/include/"
printf '%s\n' "postgresql-15 $version ($arch, $(date -u +%Y-%m-%d))" "$info" >"$tmp/BUILD_INFO"
rm -rf "$prefix"
mv "$tmp" "$prefix"
say "$prefix: libpq $version in $((SECONDS - start)) s"
