#!/usr/bin/env bash
# The `schemac check` benchmark (bench/README.md).
#
#   bench/run_check.sh
#
# Builds schemac and schemac_bench_gen (RelWithDebInfo; configures the build directory if it is
# missing), generates the workloads into bench/out/, then times `schemac check` RUNS times on each with
# /usr/bin/time (wall seconds, peak RSS) and prints every run, the median wall time, the largest peak
# RSS, and the command to reproduce one run by hand.
#
# Environment (all optional):
#   BUILD_DIR   build directory (default: <repo>/build); must be a RelWithDebInfo or Release build
#   TABLES      tables in the workload (default 5000, about 100,000 lines)
#   FILES       number of files of the second workload (default 50)
#   RUNS        timed runs per workload (default 5)
#   GOAL_SECS   goal for the median wall time of the single-file workload (default 2.0)
#   SKIP_BUILD  set to 1 to time the binaries already in BUILD_DIR without building (e.g. while the
#               tree is mid-edit and does not configure)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$repo/build}
tables=${TABLES:-5000}
files=${FILES:-50}
runs=${RUNS:-5}
goal=${GOAL_SECS:-2.0}
out=$here/out

die() { echo "run_check.sh: $*" >&2; exit 1; }

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing: install package 'time' (scripts/install-deps.sh)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- build ----------------------------------------------------------------------------------------
if [[ ${SKIP_BUILD:-0} == 1 ]]; then
  [[ -f $build/CMakeCache.txt ]] || die "SKIP_BUILD=1 but $build is not a build directory"
  echo "== SKIP_BUILD=1: timing the binaries already in $build (not rebuilt)"
elif [[ ! -f $build/CMakeCache.txt ]]; then
  echo "== configuring $build (RelWithDebInfo)"
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCHEMAC_BUILD_BENCH=ON
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
case $build_type in
  RelWithDebInfo | Release) ;;
  *) die "$build is a '$build_type' build; timings need RelWithDebInfo or Release (set BUILD_DIR)" ;;
esac
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  if ! grep -q '^SCHEMAC_BUILD_BENCH:BOOL=ON' "$build/CMakeCache.txt"; then
    cmake -S "$repo" -B "$build" -DSCHEMAC_BUILD_BENCH=ON >/dev/null
  fi
  echo "== building schemac and schemac_bench_gen in $build ($build_type, -j2)"
  if ! cmake --build "$build" --target schemac schemac_bench_gen -j 2 >"$tmp/build.log" 2>&1; then
    tail -n 40 "$tmp/build.log" >&2
    die "build failed"
  fi
fi
schemac=$build/cli/schemac
gen=$build/bench/schemac_bench_gen
[[ -x $schemac && -x $gen ]] || die "build did not produce $schemac and $gen"
binary_time=$(date -u -r "$schemac" '+%Y-%m-%d %H:%M UTC')

# ---- machine --------------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "== machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2 / 1048576}' /proc/meminfo)"
echo "   date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d ' ' -f 1-3 /proc/loadavg)"
if rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null); then
  [[ -z $(git --no-optional-locks -C "$repo" status --porcelain 2>/dev/null) ]] || rev="$rev + uncommitted changes"
  echo "   source tree now: $rev"
fi
echo "   schemac binary built: $binary_time"

# ---- one workload ---------------------------------------------------------------------------------
# measure NAME PATH: validates PATH once (untimed), then times RUNS runs of `schemac check PATH`.
measure() {
  local name=$1 path=$2
  local tfile=$tmp/time errfile=$tmp/stderr

  local lines bytes nfiles
  if [[ -d $path ]]; then
    nfiles=$(find "$path" -name '*.schema' -type f | wc -l)
    lines=$(find "$path" -name '*.schema' -type f -exec cat {} + | wc -l)
    bytes=$(find "$path" -name '*.schema' -type f -exec cat {} + | wc -c)
  else
    nfiles=1
    lines=$(wc -l <"$path")
    bytes=$(wc -c <"$path")
  fi
  echo
  echo "== workload '$name': $tables tables, $nfiles file(s), $lines lines, $bytes bytes ($path)"

  # The benchmark measures the success path: the workload must be valid.
  if ! "$schemac" check "$path" >/dev/null 2>"$errfile"; then
    echo "schemac check rejected the workload; first diagnostics:" >&2
    head -n 40 "$errfile" >&2
    die "workload '$name' is not valid"
  fi

  # /usr/bin/time: %e wall seconds, %M peak RSS in KB, %U + %S CPU seconds (CPU time is less
  # sensitive than wall time to other work on the machine).
  local times=() rss=() cpus=() i t m u s cpu
  for ((i = 1; i <= runs; i++)); do
    if ! /usr/bin/time -f '%e %M %U %S' -o "$tfile" "$schemac" check "$path" >/dev/null 2>"$errfile"; then
      head -n 20 "$errfile" >&2
      die "run $i of workload '$name' failed"
    fi
    read -r t m u s <"$tfile"
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')
    times+=("$t")
    rss+=("$m")
    cpus+=("$cpu")
    printf '   run %d: %6.2f s wall  %6.2f s CPU (user+sys)  %8d KB peak RSS (%.1f MiB)\n' \
      "$i" "$t" "$cpu" "$m" "$(awk -v k="$m" 'BEGIN {print k / 1024}')"
  done
  local median median_cpu max_rss
  median=$(printf '%s\n' "${times[@]}" | median_of)
  median_cpu=$(printf '%s\n' "${cpus[@]}" | median_of)
  max_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
  printf '   median wall: %s s   median CPU: %s s   max peak RSS: %d KB (%.1f MiB)\n' \
    "$median" "$median_cpu" "$max_rss" "$(awk -v k="$max_rss" 'BEGIN {print k / 1024}')"
  echo "   load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
  echo "   reproduce: /usr/bin/time -f '%e %M' $schemac check $path"
  RESULT_MEDIAN=$median
}

# Median of the numbers on stdin, one per line.
median_of() {
  sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

mkdir -p "$out"
single=$out/check_${tables}.schema
multi=$out/check_${tables}_${files}files
echo
echo "== generating workloads into $out"
for cmd in "$gen --tables $tables $single" "$gen --tables $tables --files $files $multi"; do
  echo "   \$ $cmd"
  $cmd
done

measure "single file" "$single"
single_median=$RESULT_MEDIAN
measure "$files files" "$multi"

echo
if awk -v m="$single_median" -v g="$goal" 'BEGIN {exit !(m < g)}'; then
  echo "== goal met: median ${single_median} s < ${goal} s for the single-file workload"
else
  echo "== goal NOT met: median ${single_median} s >= ${goal} s for the single-file workload"
fi
