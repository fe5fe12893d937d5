#!/usr/bin/env bash
# The README's first command: install dependencies (no-op when present), configure and build, then
# run schemac's main job on the example shop schema (schemas/shop/) against a throwaway
# PostgreSQL 15 that is started here and always stopped again:
#
#   1. schemac check schemas/shop      -- offline: every name, type and reference is checked
#   2. create the roles the schema grants to (schemas/shop/roles.txt; schemac never creates roles)
#   3. schemac plan schemas/shop       -- what it takes to make the empty database match
#   4. schemac apply schemas/shop      -- run it (staged, recorded, verified)
#   5. schemac plan schemas/shop       -- nothing left to do
#   6. print what is now in the database
#
# Environment: BUILD_DIR (default build), BUILD_TYPE (default RelWithDebInfo), JOBS (default 2),
# CCACHE_DIR (default ~/.cache/ccache), as for scripts/test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-RelWithDebInfo}
jobs=${JOBS:-2}
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
export CCACHE_DIR=${CCACHE_DIR:-$home/.cache/ccache}

schema=schemas/shop
psql=/usr/lib/postgresql/15/bin/psql
schemac=$build_dir/cli/schemac

step() { printf '\n==> %s\n' "$*"; }

step "Installing dependencies"
scripts/install-deps.sh

step "Building schemac ($build_type, -j$jobs, in $build_dir/)"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type"
cmake --build "$build_dir" -j"$jobs"

step "Checking $schema/ offline: $schemac check $schema"
"$schemac" check "$schema"
echo "ok: $(find "$schema" -name '*.schema' | wc -l) files, no errors"

step "Starting a throwaway PostgreSQL 15"
pgenv=$(scripts/pgtest.sh start) && eval "$pgenv"
# shellcheck disable=SC2064  # expand PGTEST_DIR now
trap "scripts/pgtest.sh stop '$PGTEST_DIR'" EXIT
export PGDATABASE=shop
"$psql" -X -q -d postgres -v ON_ERROR_STOP=1 -c 'CREATE DATABASE shop'
echo "running on port $PGPORT, database shop"

step "Creating the roles listed in $schema/roles.txt"
sed -e 's/#.*//' -e 's/[[:space:]]//g' "$schema/roles.txt" | grep -v '^$' | while read -r role; do
  echo 'CREATE ROLE :"role";' | "$psql" -X -q -v ON_ERROR_STOP=1 -v role="$role"
  echo "role $role"
done

export DATABASE_URL="host=$PGTEST_DIR port=$PGPORT user=postgres dbname=shop"

step "Planning: $schemac plan $schema  (exit 2: changes pending)"
set +e
"$schemac" plan "$schema" --format text | sed -n '1,/^$/p'
code=${PIPESTATUS[0]}
set -e
[ "$code" -eq 2 ] || { echo "unexpected exit code $code from schemac plan" >&2; exit 1; }

step "Applying: $schemac apply $schema --yes"
"$schemac" apply "$schema" --yes | tail -n 2

step "Planning again: nothing left to do (exit 0)"
"$schemac" plan "$schema"

step "Summary"
"$psql" -X -q -v ON_ERROR_STOP=1 -P footer=off <<'SQL'
SELECT CASE WHEN grouping(n.nspname) = 1 THEN 'total' ELSE n.nspname END AS schema,
       count(*) FILTER (WHERE c.relkind IN ('r', 'p')) AS tables,
       count(*) FILTER (WHERE c.relkind = 'v') AS views,
       count(*) FILTER (WHERE c.relkind = 'm') AS "materialized views",
       count(*) FILTER (WHERE c.relkind IN ('i', 'I')) AS indexes,
       count(*) FILTER (WHERE c.relkind = 'S') AS sequences
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'schemac')
  AND NOT EXISTS (SELECT FROM pg_depend d  -- leave out objects that belong to extensions
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
GROUP BY ROLLUP (n.nspname)
ORDER BY grouping(n.nspname), n.nspname;
SQL
tables=$("$psql" -X -At -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'schemac')")
echo "Done: $tables tables (partitions included) created from $schema/ by schemac apply in a throwaway PostgreSQL 15."
echo "Every apply is recorded: $("$psql" -X -At -c "SELECT count(*) FROM schemac.history") row(s) in schemac.history."
