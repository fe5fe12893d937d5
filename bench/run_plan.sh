#!/usr/bin/env bash
# The no-change `schemac plan` benchmark (bench/README.md).
#
#   bench/run_plan.sh                 # 1,000 and 10,000 tables
#   SIZES="1000" bench/run_plan.sh    # only 1,000
#
# Builds schemac and schemac_bench_plan_gen (RelWithDebInfo), starts a throwaway PostgreSQL 15
# (scripts/pgtest.sh, torn down afterwards), and for each size: generates the schema
# (schemac_bench_plan_gen), loads `schemac sql` of it into a fresh database with psql, runs one cold
# plan (empty normalization cache: everything goes through the dev database, which fills the
# cache), then times RUNS warm no-change plans and RUNS `pg_dump --schema-only` runs of the same
# database with /usr/bin/time. Prints every run, the medians and the largest peak RSS. Every plan
# must exit 0 ("No changes"): a benchmark of a wrong answer is no benchmark.
#
# Environment (all optional):
#   BUILD_DIR   build directory (default: <repo>/build); RelWithDebInfo or Release
#   SIZES       table counts (default "1000 10000")
#   RUNS        timed runs per measurement (default 5)
#   SKIP_BUILD  1: time the binaries already built
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$repo/build}
sizes=${SIZES:-1000 10000}
runs=${RUNS:-5}
out=$here/out
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl)")}

die() { echo "run_plan.sh: $*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: install package 'time' (scripts/install-deps.sh)"

tmp=$(mktemp -d)
pgdir=""
cleanup() {
  [[ -n $pgdir ]] && "$repo/scripts/pgtest.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- build ----------------------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCHEMAC_BUILD_BENCH=ON >/dev/null
  fi
  grep -q '^SCHEMAC_BUILD_BENCH:BOOL=ON' "$build/CMakeCache.txt" || cmake -S "$repo" -B "$build" -DSCHEMAC_BUILD_BENCH=ON >/dev/null
  echo "== building schemac and schemac_bench_plan_gen in $build (-j2)"
  cmake --build "$build" --target schemac schemac_bench_plan_gen -j 2 >"$tmp/build.log" 2>&1 \
    || { tail -n 40 "$tmp/build.log" >&2; die "build failed"; }
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
case $build_type in RelWithDebInfo | Release) ;; *) die "$build is a '$build_type' build (need RelWithDebInfo or Release)" ;; esac
schemac=$build/cli/schemac
gen=$build/bench/schemac_bench_plan_gen
[[ -x $schemac && -x $gen ]] || die "missing $schemac or $gen"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "== machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo)"
echo "   date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d ' ' -f 1-3 /proc/loadavg)"
rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git --no-optional-locks -C "$repo" status --porcelain 2>/dev/null) ]] || rev="$rev + uncommitted changes"
echo "   source: $rev; PostgreSQL: $("$PGBIN/postgres" --version)"

# ---- server -----------------------------------------------------------------------------------------
pgenv=$("$repo/scripts/pgtest.sh" start) || die "could not start PostgreSQL"
eval "$pgenv"
pgdir=$PGTEST_DIR
psql_() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
# The cache of this benchmark only; each size starts cold.
export SCHEMAC_CACHE_DIR=$tmp/cache

median_of() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# timed NAME CMD...: RUNS runs; prints each and the median; sets MEDIAN and MAXRSS.
timed() {
  local name=$1
  shift
  local times=() rss=() i t m
  for ((i = 1; i <= runs; i++)); do
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
      local rc=$?
      cat "$tmp/err" >&2
      die "$name run $i failed (exit $rc)"
    }
    read -r t m <"$tmp/time"
    times+=("$t")
    rss+=("$m")
    printf '   %-22s run %d: %7.2f s  %8d KB peak RSS\n' "$name" "$i" "$t" "$m"
  done
  MEDIAN=$(printf '%s\n' "${times[@]}" | median_of)
  MAXRSS=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
  printf '   %-22s median %s s, max peak RSS %d KB (%.0f MiB)\n' "$name" "$MEDIAN" "$MAXRSS" "$(awk -v k="$MAXRSS" 'BEGIN {print k / 1024}')"
}

mkdir -p "$out"
summary=()
for n in $sizes; do
  schema=$out/plan_${n}.schema
  db=bench_plan_$n
  url="postgresql://postgres@127.0.0.1:$PGPORT/$db"
  echo
  echo "== $n tables"
  "$gen" --tables "$n" "$schema" | sed 's/^/   /'
  psql_ -d postgres -c "CREATE DATABASE $db"
  start=$(date +%s.%N)
  "$schemac" sql "$schema" | psql_ -d "$db" >/dev/null
  printf '   loaded with schemac sql | psql in %.1f s\n' "$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {print e - s}')"
  rm -rf "$SCHEMAC_CACHE_DIR"
  /usr/bin/time -f '%e %M' -o "$tmp/time" env SCHEMAC_TIMING=1 "$schemac" plan "$schema" --db "$url" >"$tmp/out" 2>"$tmp/err" \
    || { cat "$tmp/out" "$tmp/err" >&2; die "cold plan failed"; }
  read -r t m <"$tmp/time"
  printf '   cold plan (fills the cache): %.2f s, %d KB peak RSS\n' "$t" "$m"
  grep -q '^No changes' "$tmp/out" || { cat "$tmp/out" >&2; die "the plan of a database built from the schema is not empty"; }
  cold=$t
  timed "warm no-change plan" "$schemac" plan "$schema" --db "$url"
  grep -q '^No changes' "$tmp/out" || die "the plan is not empty"
  plan_median=$MEDIAN plan_rss=$MAXRSS
  SCHEMAC_TIMING=1 "$schemac" plan "$schema" --db "$url" 2>&1 >/dev/null | sed 's/^/   one more: /'
  timed "pg_dump --schema-only" "$PGBIN/pg_dump" --schema-only -d "$url" -f "$tmp/dump.sql"
  summary+=("$(printf '| %s | %s s | %s s (%d MiB) | %s s (%d MiB) |' "$n" "$cold" "$plan_median" $((plan_rss / 1024)) "$MEDIAN" $((MAXRSS / 1024)))")
  psql_ -d postgres -c "DROP DATABASE $db"
done

echo
echo "== summary (load average now: $(cut -d ' ' -f 1-3 /proc/loadavg))"
echo "| tables | cold plan | warm no-change plan, median (peak RSS) | pg_dump --schema-only, median (peak RSS) |"
echo "|---|---|---|---|"
printf '%s\n' "${summary[@]}"
