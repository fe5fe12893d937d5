#!/usr/bin/env bash
# The README's first command: install dependencies (no-op when present), configure and build, then
# run schemac's main job on the example shop schema (schemas/shop/) against a throwaway
# PostgreSQL 15 that is started here and always stopped again:
#
#   1. schemac check schemas/shop      -- offline: every name, type and reference is checked
#   2. create the roles the schema grants to (schemas/shop/roles.txt; schemac never creates roles)
#   3. schemac sql schemas/shop | psql  -- the DDL for an empty database, in dependency order
#   4. print what is now in the database
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

# With `schemac plan` / `schemac apply` (issue 3) this step becomes `schemac apply`, which also
# migrates an existing database; `schemac sql` only creates from empty.
step "Creating the schema: $schemac sql $schema | psql"
sql_file=$(mktemp /tmp/schemac-demo.XXXXXX.sql)
# shellcheck disable=SC2064  # expand now
trap "rm -f '$sql_file'; scripts/pgtest.sh stop '$PGTEST_DIR'" EXIT
"$schemac" sql "$schema" >"$sql_file"
echo "$(grep -cE '^(CREATE|ALTER|COMMENT|GRANT) ' "$sql_file") statements, $(wc -l <"$sql_file") lines of SQL"
"$psql" -X -q -v ON_ERROR_STOP=1 --single-transaction -f "$sql_file"

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
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND NOT EXISTS (SELECT FROM pg_depend d  -- leave out objects that belong to extensions
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
GROUP BY ROLLUP (n.nspname)
ORDER BY grouping(n.nspname), n.nspname;
SQL
tables=$("$psql" -X -At -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')")
echo "Done: $tables tables (partitions included) created from $schema/ in a throwaway PostgreSQL 15."
