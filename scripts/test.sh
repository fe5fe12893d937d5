#!/usr/bin/env bash
# The project's test command: install dependencies (no-op when present), configure, build, run
# every test. PostgreSQL is started and stopped by the ctest fixture `pg` (scripts/pgtest.sh);
# nothing has to run beforehand. The closing line of the output is ctest's summary
# ("100% tests passed, 0 tests failed out of N"); the exit status is ctest's.
#
# Environment: BUILD_DIR (default build), BUILD_TYPE (default RelWithDebInfo), JOBS (default 2),
# CCACHE_DIR (default ~/.cache/ccache, so the cache survives clean clones).
# Extra arguments go to ctest, e.g. scripts/test.sh -L unit   or   scripts/test.sh -R 'case/'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-RelWithDebInfo}
jobs=${JOBS:-2}
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
export CCACHE_DIR=${CCACHE_DIR:-$home/.cache/ccache}
# Paths relative to the checkout, so a fresh clone in another folder hits the same cache entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

scripts/install-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type"
cmake --build "$build_dir" -j"$jobs"

# ctest prints its summary line before "Total Test time", the list of failed tests and
# "Errors while running CTest": hold the summary back and print it last.
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" "$@" 2>&1 \
  | awk '/^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+/ { summary = $0; next }
         { print; fflush() }
         END { if (summary != "") print summary }'
