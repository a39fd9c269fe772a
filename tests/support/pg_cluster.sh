#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests, from Debian's postgresql-15
# binaries (/usr/lib/postgresql/15/bin; PG_BIN to override):
#   pg_cluster.sh start DIR [--tls] [--durable] [--statements]
#                                     create (first time) and start; prints DIR/env
#   pg_cluster.sh stop DIR            fast shutdown; the data stays
#   pg_cluster.sh destroy DIR         stop, then rm -rf DIR (only a DIR that start made)
#   pg_cluster.sh psql DIR [ARG...]   psql (-X, ON_ERROR_STOP) as the superuser on the
#                                     socket, database postgres, e.g. to read statistics
# start creates DIR/data (initdb) with a role `atm` (LOGIN, a random password)
# owning a database `atm`, on a free TCP port on 127.0.0.1 and a Unix socket
# in DIR. A later start of a stopped cluster reuses its port, password and
# data; start on a running one only prints its env. --tls (at creation)
# makes a CA (DIR/ca.crt) and a server certificate for localhost and
# 127.0.0.1, turns ssl on and accepts TCP connections with TLS only.
# DIR/env, printed by start, has lines KEY=VALUE (the URL in single quotes,
# for its &), to source with `set -a; . DIR/env; set +a`:
#   ATM_PG_URL='postgres://atm:PASSWORD@127.0.0.1:PORT/atm'   (+ ?sslmode=verify-full&sslrootcert=DIR/ca.crt)
#   ATM_PG_HOST ATM_PG_PORT ATM_PG_SOCKET_DIR ATM_PG_USER ATM_PG_PASSWORD ATM_PG_DATABASE
#   ATM_PG_CA=DIR/ca.crt                                     (--tls only)
# For speed, fsync, synchronous_commit and full_page_writes are off: data
# survives a stop, a fast or immediate shutdown and a killed server, not a
# crash of the machine. --durable (at creation) leaves them on, as a
# production server has them (a commit waits for its WAL fsync): for
# benchmarks. --statements (at creation) loads pg_stat_statements
# (shared_preload_libraries) and creates the extension in the database
# `postgres`, where the superuser (peer, on the socket) reads the
# pg_stat_statements view for every database. As root, the server runs as the `postgres` user (it
# refuses root), which then owns DIR. Every step is bounded in time.
set -euo pipefail
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
usage() {
  echo "usage: pg_cluster.sh start DIR [--tls] [--durable] [--statements] | stop DIR | destroy DIR | psql DIR [ARG...]" >&2
  exit 2
}
die() { echo "pg_cluster: $*" >&2; exit 1; }
say() { echo "pg_cluster: $*" >&2; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$(realpath -m -- "$2")
tls=0 durable=0 statements=0
case "$cmd" in
  start | stop | destroy | psql) ;;
  *) usage ;;
esac
[ "$cmd" = psql ] || for opt in "${@:3}"; do
  case "$cmd:$opt" in
    start:--tls) tls=1 ;;
    start:--durable) durable=1 ;;
    start:--statements) statements=1 ;;
    *) usage ;;
  esac
done
# DIR goes into postgresql.conf and the URL unquoted; the socket path
# (DIR/.s.PGSQL.PORT) must fit in 107 bytes.
[[ "$dir" =~ ^/[A-Za-z0-9._/-]+$ ]] || die "DIR must be a path of letters, digits and ._/- ($dir)"
[ ${#dir} -le 90 ] || die "DIR is too long for a Unix socket path: $dir"
data=$dir/data
[ -x "$pg_bin/pg_ctl" ] || die "no $pg_bin/pg_ctl (apt-get install postgresql-15; scripts/setup.sh --test)"

# The server's user: postgres when we are root (PostgreSQL refuses root).
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "no postgres user (apt-get install postgresql-15)"
  owner=postgres
  as_owner() { (cd / && runuser -u postgres -- "$@"); }
else
  owner=$(id -un)
  as_owner() { (cd / && "$@"); }
fi

running() { [ -f "$data/postmaster.pid" ] && as_owner timeout 10 "$pg_bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }

stop() {
  [ -d "$data" ] || return 0
  if running; then
    as_owner timeout 40 "$pg_bin/pg_ctl" stop -D "$data" -m fast -w -t 30 >/dev/null ||
      die "pg_ctl stop failed (see $dir/postgres.log)"
  fi
}

kill_leftover() {
  # A postmaster pg_ctl could not stop (or one it no longer sees): its PID is
  # the first line of postmaster.pid. Only that PID, and only if it is a postgres.
  local pid
  pid=$(head -1 "$data/postmaster.pid" 2>/dev/null || true)
  if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]; then
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Below Linux's ephemeral range (32768-60999), so that no outgoing connection
# holds the port when a stopped cluster starts again.
pick_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 12000))
    port_free "$p" && { echo "$p"; return; }
  done
  die "no free port found in 20000-31999"
}

write_conf() {  # PORT
  cat >"$data/atm_test.conf" <<EOF
# pg_cluster.sh: a throwaway test cluster.
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$dir'
logging_collector = off
log_min_messages = warning
log_connections = off
EOF
  if [ "$durable" = 0 ]; then
    cat >>"$data/atm_test.conf" <<EOF
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi
  if [ "$statements" = 1 ]; then
    cat >>"$data/atm_test.conf" <<EOF
shared_preload_libraries = 'pg_stat_statements'
EOF
  fi
  if [ $tls = 1 ]; then
    cat >>"$data/atm_test.conf" <<EOF
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
EOF
  fi
  chown "$owner" "$data/atm_test.conf"
}

make_certs() {
  local days=30 ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$dir/ca.key" -out "$dir/ca.crt" -days $days -subj "/CN=atm test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -new "${ec[@]}" -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=localhost" 2>/dev/null
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days $days -out "$dir/server.crt" 2>/dev/null -extfile <(printf '%s\n' \
      'subjectAltName = DNS:localhost, IP:127.0.0.1' 'basicConstraints = critical, CA:FALSE' \
      'keyUsage = critical, digitalSignature' 'extendedKeyUsage = serverAuth')
  rm -f "$dir/server.csr"
  chmod 600 "$dir/server.key" "$dir/ca.key"
  chmod 644 "$dir/ca.crt" "$dir/server.crt"
  chown "$owner" "$dir/server.key" "$dir/server.crt"
}

create() {
  command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty and holds no cluster"
  touch "$dir/.pg_cluster"  # destroy removes only folders with this mark
  chmod 700 "$dir"
  chown "$owner" "$dir"
  as_owner test -w "$dir" || die "$owner cannot write $dir (a parent folder is closed to it: try under /tmp)"
  local password super
  password=$(openssl rand -hex 16)
  super=$owner
  [ $tls = 1 ] && make_certs
  as_owner timeout 120 "$pg_bin/initdb" -D "$data" -U "$super" -E UTF8 --locale=C.UTF-8 --no-sync \
    --auth-local=peer --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || {
    tail -20 "$dir/initdb.log" >&2
    die "initdb failed (see $dir/initdb.log)"
  }
  # The superuser by peer on the socket; everyone else by password; TCP
  # with TLS only when --tls.
  local hosttype=host
  [ $tls = 1 ] && hosttype=hostssl
  cat >"$data/pg_hba.conf" <<EOF
local all $super peer
local all all scram-sha-256
$hosttype all all 127.0.0.1/32 scram-sha-256
EOF
  echo "include_if_exists = 'atm_test.conf'" >>"$data/postgresql.conf"
  printf 'password=%s\ntls=%s\ndurable=%s\nstatements=%s\n' "$password" "$tls" "$durable" "$statements" \
    >"$dir/cluster"
  chmod 600 "$dir/cluster"
}

launch() {  # PORT; fails (status 1) if the port was taken, dies otherwise
  local log_size
  log_size=$(stat -c %s "$dir/postgres.log" 2>/dev/null || echo 0)
  write_conf "$1"
  if as_owner timeout 60 "$pg_bin/pg_ctl" start -D "$data" -l "$dir/postgres.log" -w -t 45 >/dev/null 2>&1; then
    return 0
  fi
  kill_leftover
  if tail -c +$((log_size + 1)) "$dir/postgres.log" 2>/dev/null | grep -q 'could not bind\|could not create any TCP/IP sockets'; then
    return 1
  fi
  tail -20 "$dir/postgres.log" >&2 || true
  die "pg_ctl start failed (see $dir/postgres.log)"
}

start() {
  local first=0 port password want_tls=$tls want_durable=$durable want_statements=$statements
  if [ ! -f "$data/PG_VERSION" ]; then
    [ ! -d "$data" ] || die "$data holds no cluster (a failed start? pg_cluster.sh destroy $dir)"
    create
    first=1
  fi
  password=$(sed -n 's/^password=//p' "$dir/cluster")
  tls=$(sed -n 's/^tls=//p' "$dir/cluster")
  [ "$tls" = 1 ] || [ $want_tls = 0 ] || die "$dir was created without --tls"
  # A cluster made before --durable and --statements has neither line: 0.
  durable=$(sed -n 's/^durable=//p' "$dir/cluster")
  statements=$(sed -n 's/^statements=//p' "$dir/cluster")
  durable=${durable:-0} statements=${statements:-0}
  [ "$durable" = 1 ] || [ $want_durable = 0 ] || die "$dir was created without --durable"
  [ "$statements" = 1 ] || [ $want_statements = 0 ] || die "$dir was created without --statements"
  if running; then
    port=$(sed -n "s/^port = //p" "$data/atm_test.conf")
  elif [ $first = 1 ]; then
    # A race for the port with another process: try another one.
    for try in 1 2 3 4 5; do
      port=$(pick_port)
      launch "$port" && break
      say "port $port taken, trying another"
      [ $try = 5 ] && die "could not start on a free port (see $dir/postgres.log)"
    done
  else
    port=$(sed -n "s/^port = //p" "$data/atm_test.conf")
    launch "$port" || die "port $port (this cluster's) is taken by another process (see $dir/postgres.log)"
  fi
  if [ $first = 1 ]; then
    as_owner timeout 30 env PGCONNECT_TIMEOUT=10 "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" \
      -U "$owner" -d postgres -c "CREATE ROLE atm LOGIN PASSWORD '$password'" \
      -c "CREATE DATABASE atm OWNER atm" >/dev/null || die "creating role and database atm failed"
    if [ "$statements" = 1 ]; then
      as_owner timeout 30 env PGCONNECT_TIMEOUT=10 "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" \
        -U "$owner" -d postgres -c "CREATE EXTENSION pg_stat_statements" >/dev/null ||
        die "creating the extension pg_stat_statements failed"
    fi
  fi
  local query=
  [ "$tls" = 1 ] && query="?sslmode=verify-full&sslrootcert=$dir/ca.crt"
  {
    echo "ATM_PG_URL='postgres://atm:$password@127.0.0.1:$port/atm$query'"
    echo "ATM_PG_HOST=127.0.0.1"
    echo "ATM_PG_PORT=$port"
    echo "ATM_PG_SOCKET_DIR=$dir"
    echo "ATM_PG_USER=atm"
    echo "ATM_PG_PASSWORD=$password"
    echo "ATM_PG_DATABASE=atm"
    if [ "$tls" = 1 ]; then echo "ATM_PG_CA=$dir/ca.crt"; fi
  } >"$dir/env"
  cat "$dir/env"
}

case "$cmd" in
  start) start ;;
  stop)
    [ -f "$data/PG_VERSION" ] || die "$dir holds no cluster"
    stop
    ;;
  destroy)
    [ ! -d "$dir" ] || [ -e "$dir/.pg_cluster" ] || [ -z "$(ls -A "$dir")" ] ||
      die "$dir was not made by pg_cluster.sh: not removing it"
    if [ -d "$data" ]; then
      (stop) || true
      kill_leftover
    fi
    rm -rf "$dir"
    ;;
  psql)
    running || die "$dir holds no running cluster"
    as_owner timeout 60 env PGCONNECT_TIMEOUT=10 "$pg_bin/psql" -X -v ON_ERROR_STOP=1 -h "$dir" \
      -p "$(sed -n "s/^port = //p" "$data/atm_test.conf")" -U "$owner" -d postgres "${@:3}"
    ;;
esac
