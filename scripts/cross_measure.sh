#!/usr/bin/env bash
# Size and peak memory of an atm binary, for README "ARM gateways":
#   scripts/cross_measure.sh aarch64|armhf    build-<arch>/atm under qemu-user
#   scripts/cross_measure.sh native           build/atm, for comparison
# (build first: scripts/cross_build.sh, or scripts/setup.sh for native).
# Two runs, each under /usr/bin/time -v, on a file database in a temp folder,
# with the demo application of config.toml and the built-in scrypt cost
# (2^17: 128 MiB per hash); the user is seeded with a password_hash, so that
# start-up hashes nothing:
#   idle:    start, wait for the signing key (JWKS), 5 s idle, SIGTERM;
#   sign-in: start, one /auth + /auth/token, SIGTERM.
# Printed: the stripped size, VmRSS/VmHWM of the process (qemu's, under
# emulation) read from /proc at those points, and time's maximum resident set
# size. Under qemu-user the guest's memory is qemu's memory, so these include
# qemu's own (its code and translation cache, a few MiB): approximate, and an
# upper bound for the guest.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-}
case "$what" in
  aarch64) bin=build-aarch64/atm; emu=(qemu-aarch64-static) ;;
  armhf) bin=build-armhf/atm; emu=(qemu-arm-static) ;;
  native) bin=build/atm; emu=() ;;
  *) echo "usage: scripts/cross_measure.sh aarch64|armhf|native" >&2; exit 2 ;;
esac
[ -x "$bin" ] || { echo "no $bin: build it first (scripts/cross_build.sh $what)" >&2; exit 1; }
for tool in /usr/bin/time curl openssl sha256sum; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install time curl openssl)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/atm-measure-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Runs until `cond` holds, for at most $1 seconds.
wait_for() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.2
  done
}

# --cost: hash-password would otherwise take the cost of a ./config.toml.
hash=$(printf %s 'H123456789' | "${emu[@]}" "$bin" hash-password --cost 17)
cat >"$work/config.toml" <<EOF
[server]
host = "127.0.0.1"
port = 0

[[applications]]
name          = "Demo SPA"
client_id     = "OJJvmTmatjCOTuqBxur2"
client_secret = "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX"
redirect_url  = "http://localhost:8080/callback"

  [[applications.users]]
  email         = "end.user13@gmail.com"
  password_hash = "$hash"
  first_name    = "End"
  last_name     = "User"
EOF

kib() { awk -v k="$1" '/^'"$1"':/ {print $2}' "/proc/$2/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# Under qemu: the resident memory of process $1 split into qemu's own part
# (its translated-code buffer, the one rwx mapping; its binary; its [heap])
# and the rest, which is the guest's (atm's file pages, heap, stacks) plus
# qemu's per-thread state.
split_qemu() {
  [ ${#emu[@]} -gt 0 ] || return 0
  awk '/^[0-9a-f]+-[0-9a-f]+ / {
         kind = "rest"
         if ($2 ~ /x/ && $2 ~ /w/) kind = "code cache"
         else if ($0 ~ /qemu-[a-z0-9]*-static$/) kind = "qemu binary"
         else if ($0 ~ /\[heap\]$/) kind = "qemu heap"
       }
       /^Rss:/ { kb[kind] += $2 }
       END { printf "; qemu: code cache %.1f, binary %.1f, heap %.1f; rest %.1f MiB",
                    kb["code cache"] / 1024, kb["qemu binary"] / 1024, kb["qemu heap"] / 1024, kb["rest"] / 1024 }' \
    "/proc/$1/smaps"
}

# run NAME SIGNIN(0|1): prints one line of the table.
run() {
  local name=$1 signin=$2 dir=$work/$1
  mkdir -p "$dir"
  /usr/bin/time -v -o "$dir/time.txt" "${emu[@]}" "$bin" --config "$work/config.toml" --port 0 \
    --db "$dir/atm.db" >"$dir/stdout" 2>"$dir/stderr" &
  local tpid=$!
  pids+=("$tpid")
  wait_for 120 grep -qs '^atm listening on ' "$dir/stdout" || { cat "$dir/stderr" >&2; return 1; }
  local url pid
  url=$(sed -n 's/^atm listening on //p' "$dir/stdout")
  pid=$(pgrep -P "$tpid")  # qemu (or atm): time's child
  pids+=("$pid")
  wait_for 120 curl -sf -m 60 -o /dev/null "$url/auth/.well-known/jwks.json"
  local note
  if [ "$signin" = 0 ]; then
    sleep 5
    note="idle: rss $(mib "$(kib VmRSS "$pid")") MiB, hwm $(mib "$(kib VmHWM "$pid")") MiB$(split_qemu "$pid")"
  else
    local before verifier challenge code
    before=$(kib VmRSS "$pid")
    verifier=$(openssl rand -hex 32)
    challenge=$(printf %s "$verifier" | sha256sum | cut -d' ' -f1)
    code=$(curl -sf -m 120 "$url/auth" -H 'Content-Type: application/json' -d '{
      "loginId": "end.user13@gmail.com", "password": "H123456789", "clientId": "OJJvmTmatjCOTuqBxur2",
      "code_challenge": "'"$challenge"'", "code_challenge_method": "SHA256"}' |
      sed -n 's/.*"code":"\([A-Za-z0-9]*\)".*/\1/p')
    [ -n "$code" ] || { echo "sign-in failed" >&2; return 1; }
    curl -sf -m 120 -o /dev/null "$url/auth/token" -H 'Content-Type: application/json' -d '{
      "clientId": "OJJvmTmatjCOTuqBxur2", "clientSecret": "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX",
      "grant_types": "authorization_code", "code": "'"$code"'", "code_verifier": "'"$verifier"'"}'
    sleep 1
    note="rss before $(mib "$before") MiB, after $(mib "$(kib VmRSS "$pid")") MiB, hwm $(mib "$(kib VmHWM "$pid")") MiB"
  fi
  kill -TERM "$pid"
  local rc=0
  wait "$tpid" || rc=$?
  local max
  max=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.txt")
  printf '%-8s %-8s exit %s  time -v max RSS %s MiB  (%s)\n' "$what" "$name" "$rc" "$(mib "$max")" "$note"
  [ "$rc" = 0 ]
}

echo "$what: $bin $(stat -c %s "$bin") bytes; $(file -b "$bin" | cut -d, -f1-2)"
# What the process costs with a guest that allocates next to nothing: under
# qemu, about qemu's own share of the numbers below.
base=$(/usr/bin/time -f %M "${emu[@]}" "$bin" --version 2>&1 >/dev/null)
echo "$what: \`atm --version\` max RSS $(mib "$base") MiB"
run idle 0
run sign-in 1
