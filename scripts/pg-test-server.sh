#!/usr/bin/env bash
# A throwaway PostgreSQL server for the registry tests (ctest label `pg` and
# the PostgreSQL cases of tests/store). `make test` starts it; nothing else
# needs to be installed or configured by hand.
#
#   scripts/pg-test-server.sh start   create the cluster if absent, start it (idempotent)
#   scripts/pg-test-server.sh stop    stop it (fine if it is not running)
#   scripts/pg-test-server.sh url     print the admin URL, e.g. postgresql://postgres@127.0.0.1:55432/postgres
#   scripts/pg-test-server.sh status  exit 0 if it accepts connections
#
# The cluster lives in build/pg: delete it (or make clean) to start from
# scratch; a server left running from a deleted cluster is shut down by the
# next start. It listens
# only on 127.0.0.1, on port $CIRRUS_PG_PORT (default 55432, chosen to stay
# clear of a system server on 5432), with its unix socket inside the cluster
# directory. Authentication is `trust` for loopback: any local user may connect
# as the superuser `postgres`, which is fine for test data and nothing else.
# fsync is off: a crash loses the test databases, which the tests recreate.
#
# PostgreSQL refuses to run as root, so under root the server runs as the
# `postgres` OS user (created by the Debian package) and build/pg belongs to it.
# If that user cannot reach build/ (a checkout under /root, say), the cluster
# goes to /var/tmp/cirrus-pg-<hash of the checkout path> and build/pg is a
# symbolic link to it. Quiet on success; on failure it prints the server log.
set -euo pipefail

root_dir=$(cd "$(dirname "$0")/.." && pwd)
port=${CIRRUS_PG_PORT:-55432}
link=$root_dir/build/pg
user=postgres
database=postgres

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

[[ $port =~ ^[0-9]+$ ]] || die "CIRRUS_PG_PORT must be a port number, not '$port'"

# Runs a command as the server's OS user: `postgres` under root, else ourselves.
# fd 9 (the lock, see locked) is closed for it, or the server would inherit
# the lock and hold it for as long as it runs.
as_server() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@" 9>&-
  else
    "$@" 9>&-
  fi
}

pg_bin() {
  local dir
  # Newest installed major version first.
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5 -n -r); do
    if [[ -x $dir/pg_ctl ]]; then
      echo "$dir"
      return
    fi
  done
  die "no PostgreSQL server found under /usr/lib/postgresql; run scripts/install-deps.sh"
}

# The cluster directory: build/pg itself, or what build/pg links to.
data_dir() {
  if [[ -L $link ]]; then
    readlink -f "$link"
  else
    echo "$link"
  fi
}

# Whether a server answers on our port (ours or not; see start).
ready() {
  "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$user" -d "$database" -t 5 2>/dev/null
}

url() { echo "postgresql://$user@127.0.0.1:$port/$database"; }

# The pid of the process listening on 127.0.0.1:$port, if we may see it:
# the socket's inode from /proc/net/tcp, then the process holding it.
listener_pid() {
  local inode fd
  inode=$(awk -v address="0100007F:$(printf '%04X' "$port")" \
    '$2 == address && $4 == "0A" { print $10; exit }' /proc/net/tcp)
  [[ -n $inode ]] || return 1
  for fd in /proc/[0-9]*/fd/*; do
    if [[ $(readlink "$fd" 2>/dev/null) == "socket:[$inode]" ]]; then
      fd=${fd#/proc/}
      echo "${fd%%/*}"
      return 0
    fi
  done
  return 1
}

init_cluster() {
  local bin=$1 data=$2
  mkdir -p "$root_dir/build"
  local elsewhere=0
  if [[ $(id -u) -eq 0 ]]; then
    id -u postgres >/dev/null 2>&1 || die "user 'postgres' missing; run scripts/install-deps.sh"
    runuser -u postgres -- test -x "$root_dir/build" || elsewhere=1
  fi
  # A unix socket path may hold at most 107 bytes.
  ((${#link} + 16 <= 100)) || elsewhere=1
  if ((elsewhere)); then
    local hash
    hash=$(printf '%s' "$root_dir" | cksum | cut -d' ' -f1)
    data=/var/tmp/cirrus-pg-$hash
    if [[ -f $data/postmaster.pid ]]; then
      as_server "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$data" "$link"
    ln -s "$data" "$link"
  fi
  rm -rf "$data"
  mkdir -p "$data"
  chmod 700 "$data"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data"
  local log
  log=$(mktemp)
  if ! as_server "$bin/initdb" -D "$data" -U "$user" -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    rm -rf "$data"
    die "initdb failed"
  fi
  rm -f "$log"
  # Settings for a disposable test server; the port comes from the command line.
  as_server tee -a "$data/postgresql.conf" >/dev/null <<EOF
# --- cirrus test server (scripts/pg-test-server.sh) ---
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
log_min_messages = warning
EOF
  # Loopback and the private socket only.
  as_server tee "$data/pg_hba.conf" >/dev/null <<EOF
local all all              trust
host  all all 127.0.0.1/32 trust
EOF
}

launch() {
  local bin=$1 data=$2
  as_server "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -c unix_socket_directories='$data'" start >/dev/null 2>&1
}

start() {
  local bin data pid
  bin=$(pg_bin)
  data=$(data_dir)
  # Whoever listens on the port: our server (done, if it answers), the server
  # of a cluster deleted under it (rm -rf build, make clean), or a stranger.
  pid=$(listener_pid || true)
  if [[ -n $pid && -f $data/postmaster.pid && $pid == "$(head -n 1 "$data/postmaster.pid")" ]]; then
    ready && return 0
    # Ours but not answering (starting or stopping): restarted below.
  elif [[ -n $pid ]]; then
    local cwd
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
    [[ $cwd == *" (deleted)" ]] ||
      die "port $port is taken by another program (pid $pid, in ${cwd:-?}); stop it or set CIRRUS_PG_PORT"
    # Shut the orphan down before a new cluster appears at its path: it
    # would write its shutdown checkpoint into the new one.
    kill -INT "$pid"
    local i
    for ((i = 0; i < 120; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
  elif ready; then
    die "port $port is taken by a PostgreSQL server of another user; stop it or set CIRRUS_PG_PORT"
  fi
  if [[ ! -f $data/PG_VERSION || ! -f $data/postgresql.conf ]]; then
    init_cluster "$bin" "$data"
    data=$(data_dir)
  fi
  # A postmaster.pid whose process is gone (or is not a postgres, after a
  # reboot reused the pid) is stale: remove it, or pg_ctl would refuse to start.
  if [[ -f $data/postmaster.pid ]]; then
    local old
    old=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
    if [[ -n $old ]] && [[ -r /proc/$old/cmdline ]] && tr '\0' ' ' </proc/"$old"/cmdline | grep -q postgres; then
      # A live server of this cluster that does not answer on our port:
      # starting up, shutting down, or on another port. Stop it.
      as_server "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    fi
    rm -f "$data/postmaster.pid"
  fi
  if ! launch "$bin" "$data"; then
    # The cluster holds nothing worth keeping: one that will not start
    # (damaged files, an interrupted initdb) is rebuilt once.
    init_cluster "$bin" "$data"
    data=$(data_dir)
    if ! launch "$bin" "$data"; then
      [[ -f $data/server.log ]] && tail -n 30 "$data/server.log" >&2
      die "could not start PostgreSQL in $data on 127.0.0.1:$port"
    fi
  fi
  ready || die "PostgreSQL in $data started but does not accept connections on 127.0.0.1:$port"
}

stop() {
  local data
  data=$(data_dir)
  [[ -f $data/PG_VERSION ]] || return 0
  as_server "$(pg_bin)/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# Two `make test` runs at once must not both initialise the cluster.
locked() {
  mkdir -p "$root_dir/build"
  exec 9>"$root_dir/build/pg.lock"
  flock -w 120 9 || die "timed out waiting for another pg-test-server.sh"
  "$@"
}

case "${1:-}" in
  start) locked start ;;
  stop) locked stop ;;
  url) url ;;
  status) ready ;;
  *)
    echo "usage: $0 start|stop|url|status" >&2
    exit 2
    ;;
esac
