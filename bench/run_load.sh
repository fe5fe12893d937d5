#!/usr/bin/env bash
# The write-load benchmark of online migrations (bench/README.md).
#
#   bench/run_load.sh
#
# On a throwaway PostgreSQL 15 (scripts/pgtest.sh): pgbench_accounts with SCALE * 100,000 rows
# (default 10: 1,000,000 rows) under a continuous pgbench TPC-B write load (CLIENTS clients). While
# the load runs, the same five changes to pgbench_accounts are made twice, on a fresh copy each
# time: once as plain DDL (psql), once by `schemac apply` (online techniques): an index, a foreign
# key, a check, a NOT NULL and a unique constraint. pgbench logs every transaction (-l); the
# longest transaction latency while the changes run is the longest write stall. Prints both runs
# side by side: total time of the changes, longest stall, transactions per second during them.
#
# Environment: BUILD_DIR (default build), SCALE (10), CLIENTS (4), DURATION (45 s of load per run),
# SKIP_BUILD=1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$repo/build}
scale=${SCALE:-10}
clients=${CLIENTS:-4}
duration=${DURATION:-45}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl)")}

die() { echo "run_load.sh: $*" >&2; exit 1; }
tmp=$(mktemp -d)
chmod 777 "$tmp"
pgdir=""
pgbench_pid=""
cleanup() {
  [[ -n $pgbench_pid ]] && kill "$pgbench_pid" 2>/dev/null || true
  [[ -n $pgdir ]] && "$repo/scripts/pgtest.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  [[ -f $build/CMakeCache.txt ]] || cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --target schemac -j 2 >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log" >&2; die "build failed"; }
fi
schemac=$build/cli/schemac

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo)," \
  "load average $(cut -d ' ' -f 1-3 /proc/loadavg); $("$PGBIN/postgres" --version)"
echo "   source: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"

pgenv=$("$repo/scripts/pgtest.sh" start) || die "could not start PostgreSQL"
eval "$pgenv"
pgdir=$PGTEST_DIR
export PGHOST PGPORT PGUSER
export SCHEMAC_CACHE_DIR=$tmp/cache
psql_() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# The schema pgbench -i creates, and the target: five changes to pgbench_accounts.
cat >"$tmp/before.schema" <<'EOF'
table pgbench_accounts {
  aid       integer not null primary key
  bid       integer
  abalance  integer
  filler    character(84)
}
table pgbench_branches {
  bid       integer not null primary key
  bbalance  integer
  filler    character(88)
}
table pgbench_tellers {
  tid       integer not null primary key
  bid       integer
  tbalance  integer
  filler    character(84)
}
table pgbench_history {
  tid       integer
  bid       integer
  aid       integer
  delta     integer
  mtime     timestamp
  filler    character(22)
}
EOF
sed -e '1,6s/^  bid       integer$/  bid       integer not null references pgbench_branches (bid)/;1,6s/^  abalance  integer$/  abalance  integer check (abalance > -100000000)/' \
  "$tmp/before.schema" | awk 'NR == 5 {print; print "  unique (bid, aid)"; print "  index pgbench_accounts_balance (bid, abalance)"; next} {print}' \
  >"$tmp/after.schema"
cat >"$tmp/plain.sql" <<'EOF'
CREATE INDEX pgbench_accounts_balance ON public.pgbench_accounts (bid, abalance);
ALTER TABLE public.pgbench_accounts ADD CONSTRAINT pgbench_accounts_bid_fkey FOREIGN KEY (bid) REFERENCES public.pgbench_branches (bid);
ALTER TABLE public.pgbench_accounts ADD CONSTRAINT pgbench_accounts_abalance_check CHECK (abalance > -100000000);
ALTER TABLE public.pgbench_accounts ALTER COLUMN bid SET NOT NULL;
ALTER TABLE public.pgbench_accounts ADD CONSTRAINT pgbench_accounts_bid_aid_key UNIQUE (bid, aid);
EOF

now() { date +%s.%N; }

# run NAME COMMAND...: fresh pgbench database, load for the whole run, COMMAND after 5 s.
run() {
  local name=$1
  shift
  local db=load_$name
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  "$PGBIN/pgbench" -i -q -s "$scale" "$db" >"$tmp/init_$name.log" 2>&1 || { cat "$tmp/init_$name.log" >&2; die "pgbench -i failed"; }
  psql_ -d "$db" -c "ANALYZE"
  local url="postgresql://$PGUSER@127.0.0.1:$PGPORT/$db"
  [[ $("$schemac" plan "$tmp/before.schema" --db "$url" --dev-db "$PGTEST_URI") == "No changes"* ]] ||
    die "the before schema does not describe the pgbench database"
  rm -f "$tmp"/log_"$name"*
  # Long enough for the slower of the two runs; pgbench stops by itself (a background job of a
  # script ignores SIGINT, and SIGTERM would lose the end of its logs).
  "$PGBIN/pgbench" -n -c "$clients" -j 2 -T "$duration" -l --log-prefix="$tmp/log_$name" "$db" >"$tmp/pgbench_$name.out" 2>&1 &
  pgbench_pid=$!
  sleep 5
  local start end
  start=$(now)
  "$@" "$url" >"$tmp/ddl_$name.out" 2>&1 || { cat "$tmp/ddl_$name.out" >&2; die "$name: the changes failed"; }
  end=$(now)
  awk -v s="$start" -v e="$end" -v d="$duration" 'BEGIN {exit !(e - s + 7 < d)}' ||
    echo "   warning: the changes outlasted the load (DURATION=$duration s); raise DURATION"
  wait "$pgbench_pid" 2>/dev/null || true
  pgbench_pid=""
  # Log lines: client_id transaction_no latency_us script_no epoch_s epoch_us. A transaction that
  # ended during the changes (or up to 1 s after) and was stalled by them has a long latency.
  cat "$tmp"/log_"$name"* | awk -v s="$start" -v e="$end" -v name="$name" '
    { t = $5 + $6 / 1e6; lat = $3 / 1e6
      if (t >= s && t <= e + 1) { n++; if (lat > max) max = lat }
      if (t < s) { before++; if (lat > max_before) max_before = lat } }
    END { printf "%s %.2f %.3f %d %.3f\n", name, e - s, max, n / (e - s + 1), max_before }' >"$tmp/result_$name"
  read -r _ total stall tps before <"$tmp/result_$name"
  printf '   %-7s changes took %6.2f s; longest write stall while they ran %6.3f s; %5d tps meanwhile (longest before: %.3f s)\n' \
    "$name" "$total" "$stall" "$tps" "$before"
  if [[ $name == schemac ]]; then
    "$schemac" plan "$tmp/after.schema" --db "$url" --dev-db "$PGTEST_URI" | head -n 1 | sed 's/^/   plan afterwards: /'
  fi
}

plain_ddl() { psql_ -d "$1" -f "$tmp/plain.sql"; }
with_schemac() { "$schemac" apply "$tmp/after.schema" --db "$1" --dev-db "$PGTEST_URI" --yes; }

echo
echo "== $((scale * 100000)) rows in pgbench_accounts, $clients pgbench clients writing; the changes start after 5 s"
run plain plain_ddl
run schemac with_schemac
echo
echo "== what schemac ran"
grep -E '^(CREATE|ALTER|DROP)' "$tmp/ddl_schemac.out" | sed 's/^/   /'
echo
echo "== summary"
echo "| run | changes took | longest write stall | tps during the changes |"
echo "|---|---|---|---|"
for n in plain schemac; do
  read -r _ total stall tps _ <"$tmp/result_$n"
  echo "| $([[ $n == plain ]] && echo "plain DDL" || echo "schemac apply") | ${total} s | ${stall} s | ${tps} |"
done
