#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for tests (see docs: build-notes §4).
# Works as root (the server runs as the 'postgres' system user via runuser) or as a normal user.
#
#   pgtest.sh start [ENVFILE]   initdb + start on 127.0.0.1:<first free port >= $PGTEST_PORT (54400)>.
#                               Prints `export ...` lines (PGTEST_DIR PGHOST PGPORT PGUSER PGDATABASE
#                               PGTEST_URI); with ENVFILE also writes them there.
#                               Use:  pgenv=$(scripts/pgtest.sh start) && eval "$pgenv"
#                               (not eval "$(...)": under set -e that hides a failed start).
#   pgtest.sh stop DIR|ENVFILE  fast shutdown and rm -rf of the cluster dir (and of ENVFILE).
#                               A missing cluster is not an error.
#   pgtest.sh run -- CMD...     start, export the env, run CMD, always stop; exits with CMD's status.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl)")}

die() { echo "pgtest: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

as_owner() {                       # run a command as the cluster owner
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_busy() {                      # is anything listening on TCP port $1 (any address)?
  command -v ss >/dev/null 2>&1 || return 1
  ss -Htln "sport = :$1" | grep -q .
}

cluster_dir_ok() {                 # only ever delete directories this script created
  case "$(basename "$1")" in pgtest.*) return 0 ;; *) return 1 ;; esac
}

stop_dir() {
  local dir=$1
  [ -d "$dir" ] || return 0
  cluster_dir_ok "$dir" || die "refusing to remove '$dir' (not a pgtest.* directory)"
  if [ -f "$dir/data/postmaster.pid" ]; then
    (cd / && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1) \
      || (cd / && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1) \
      || echo "pgtest: warning: could not stop the server in $dir" >&2
  fi
  rm -rf "$dir"
}

dir_from_envfile() {               # PGTEST_DIR=... from an env file written by `start ENVFILE`
  sed -n 's/.*PGTEST_DIR=\([^ ]*\).*/\1/p' "$1" | head -n1
}

start() {
  local envfile=${1:-}
  if [ -n "$envfile" ]; then envfile=$(realpath -m -- "$envfile"); fi
  is_root && ! id postgres >/dev/null 2>&1 && die "running as root needs the 'postgres' system user (apt-get install postgresql-15)"
  [ -x "$PGBIN/initdb" ] || die "no initdb in '$PGBIN' (set PGBIN or install postgresql-15)"

  # A stale env file means a previous run died before its cleanup: stop that cluster first.
  if [ -n "$envfile" ] && [ -f "$envfile" ]; then
    local old; old=$(dir_from_envfile "$envfile")
    [ -n "$old" ] && stop_dir "$old"
    rm -f "$envfile"
  fi

  local dir
  dir=$(mktemp -d /tmp/pgtest.XXXXXX)  # short path: the unix socket path limit is 107 bytes
  chmod 755 "$dir"
  if is_root; then chown postgres:postgres "$dir"; fi
  cd /                               # cwd must be readable by 'postgres'
  as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
      >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }

  # Pick the first free port; retry on a lost race with a concurrent start.
  local port=${PGTEST_PORT:-54400} attempt ok=0
  for attempt in $(seq 1 20); do
    while port_busy "$port"; do port=$((port + 1)); done
    if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null 2>&1; then
      ok=1; break
    fi
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    grep -q "could not bind\|could not create any TCP/IP sockets\|Address already in use" "$dir/server.log" 2>/dev/null \
      || break                       # not a port clash: give up
    port=$((port + 1))
    : >"$dir/server.log"
  done
  if [ "$ok" -ne 1 ]; then
    cat "$dir/server.log" >&2 2>/dev/null || true
    rm -rf "$dir"
    die "could not start PostgreSQL (attempts: $attempt)"
  fi

  local out
  out="export PGTEST_DIR=$dir PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
export PGTEST_URI=postgresql://postgres@127.0.0.1:$port/postgres"
  if [ -n "$envfile" ]; then
    if ! { printf '%s\n' "$out" >"$envfile.tmp.$$" && mv "$envfile.tmp.$$" "$envfile"; }; then
      rm -f "$envfile.tmp.$$"; stop_dir "$dir"; die "could not write $envfile"
    fi
  fi
  printf '%s\n' "$out"
}

stop() {
  local arg=${1:?usage: pgtest.sh stop DIR|ENVFILE}
  if [ -f "$arg" ]; then             # an env file written by `start ENVFILE`
    local dir; dir=$(dir_from_envfile "$arg")
    [ -n "$dir" ] && stop_dir "$dir"
    rm -f "$arg"
  elif [ -d "$arg" ]; then
    stop_dir "$arg"
  fi                                 # nothing there: already stopped
}

run() {
  [ "${1:-}" = "--" ] && shift
  [ $# -gt 0 ] || die "usage: pgtest.sh run -- CMD..."
  local pgenv
  pgenv=$(start) || exit 1
  eval "$pgenv"
  # shellcheck disable=SC2064  # expand PGTEST_DIR now
  trap "stop_dir '$PGTEST_DIR'" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local rc=0
  "$@" || rc=$?
  exit "$rc"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 start [ENVFILE] | stop DIR|ENVFILE | run -- CMD..." >&2; exit 2 ;;
esac
