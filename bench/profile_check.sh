#!/usr/bin/env bash
# Where `schemac check` spends its time (bench/README.md, "Profile").
#
#   bench/profile_check.sh
#
# Generates the benchmark workload with fewer tables (default 500: callgrind runs ~50x slower than
# native), runs `schemac check` under `valgrind --tool=callgrind`, and prints the inclusive cost of the
# entry points of each module (lexer, parser prediction, AST building, sema, sqltext/libpg_query,
# diagnostics), as instructions and as a share of the whole run. Needs valgrind
# (`apt-get install valgrind`; not installed by scripts/install-deps.sh).
#
# Environment (all optional):
#   BUILD_DIR   build directory (default: <repo>/build), built like bench/run_check.sh does
#   TABLES      tables in the profiled workload (default 500)
#   KEEP        directory to keep callgrind.out in (default: a temporary directory, removed)
#   CALLGRIND_OUT  an existing callgrind.out to summarize instead of building and running
#
# Shares overlap where entry points nest (the tree below shows the nesting). Worker threads of the
# parallel parser are included (callgrind adds up all threads). Names are matched as substrings of
# the demangled symbol; a module whose entry point was renamed shows "-".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$repo/build}
tables=${TABLES:-500}

die() { echo "profile_check.sh: $*" >&2; exit 1; }
command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null ||
  die "valgrind is missing: apt-get install valgrind"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
keep=${KEEP:-$tmp}
mkdir -p "$keep"

if [[ -n ${CALLGRIND_OUT:-} ]]; then
  cp "$CALLGRIND_OUT" "$keep/callgrind.out"
else
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCHEMAC_BUILD_BENCH=ON >/dev/null
  fi
  if ! cmake --build "$build" --target schemac schemac_bench_gen -j 2 >"$tmp/build.log" 2>&1; then
    tail -n 40 "$tmp/build.log" >&2
    die "build failed"
  fi
  schemac=$build/cli/schemac
  "$build/bench/schemac_bench_gen" --tables "$tables" "$tmp/w.schema"
  "$schemac" check "$tmp/w.schema" || die "the workload is not valid"
  echo "== valgrind --tool=callgrind $schemac check <$tables tables>"
  valgrind --tool=callgrind --callgrind-out-file="$keep/callgrind.out" "$schemac" check "$tmp/w.schema" \
    >/dev/null 2>"$tmp/valgrind.log" || { tail -n 20 "$tmp/valgrind.log" >&2; die "valgrind failed"; }
fi
# A function whose debug info names its source file in two ways (absolute and relative paths) is
# listed once per name; blank the file names so each function is one entry.
sed -E 's/^(fl|fi|fe|cfi|cfl)=\(([0-9]+)\) .*/\1=(\2) -/' "$keep/callgrind.out" >"$tmp/merged.out"
callgrind_annotate --inclusive=yes --threshold=100 "$tmp/merged.out" >"$tmp/incl.txt" 2>/dev/null

total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$tmp/incl.txt")
# cost NEEDLE: inclusive instructions of the first (most expensive) function whose line contains NEEDLE.
cost() {
  grep -F -m 1 -- "$1" "$tmp/incl.txt" | awk '{gsub(",", "", $1); print $1}' || true
}
row() {  # row LABEL INSTRUCTIONS
  if [[ -z $2 ]]; then
    printf '  %-58s %15s\n' "$1" "-"
  else
    printf '  %-58s %15s %6.1f%%\n' "$1" "$(printf "%'d" "$2")" "$(awk -v c="$2" -v t="$total" 'BEGIN {print 100 * c / t}')"
  fi
}
sum() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN {printf "%.0f", a + b}'; }
diff_() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN {printf "%.0f", a - b}'; }

parse_main=$(cost 'schemac::parse::ParseFile(')
threads=$(cost 'start_thread [')
predict=$(cost 'ParserATNSimulator::adaptivePredict(')
rules=$(cost 'SchemaParser::schemaFile()')
sema=$(cost 'schemac::sema::Analyze(')
sql=$(cost 'schemac::sqltext::Analyze(')

echo
printf '  %-58s %15s\n' "total (all threads)" "$(printf "%'d" "$total")"
row "parse (ParseFile + parser worker threads)" "$(sum "$parse_main" "$threads")"
row "  lexer (FastLexer::nextToken)" "$(cost 'FastLexer::nextToken() [')"
row "  token buffering (BufferedTokenStream::fill)" "$(cost 'BufferedTokenStream::fill() [')"
row "  parser rules, incl. prediction (SchemaParser::schemaFile)" "$rules"
row "    parser prediction (adaptivePredict)" "$predict"
row "      of which DFA misses (computeTargetState)" "$(cost 'ParserATNSimulator::computeTargetState(')"
row "    rule code and parse tree, without prediction" "$(diff_ "$rules" "$predict")"
row "  AST building (parse::Builder::Build)" "$(cost 'schemac::parse::Builder::Build(')"
row "  parse tree teardown (~SchemaParser)" "$(cost 'SchemaParser::~SchemaParser()')"
row "sema (sema::Analyze)" "$sema"
row "  embedded SQL (sqltext::Analyze)" "$sql"
row "    PostgreSQL parser (pg_query_raw_parse)" "$(cost 'pg_query_raw_parse [')"
row "    parse tree -> protobuf (pg_query_nodes_to_protobuf)" "$(cost 'pg_query_nodes_to_protobuf [')"
row "    protobuf -> C structs (pg_query__parse_result__unpack)" "$(cost 'pg_query__parse_result__unpack [')"
row "  sema without embedded SQL" "$(diff_ "$sema" "$sql")"
row "  implicit names (AssignImplicitNames, incl. its SQL)" "$(cost 'sema::AssignImplicitNames(')"
row "  tables (BuildTables)" "$(cost 'sema::BuildTables(')"
row "  declarations (DeclareObjects)" "$(cost 'sema::DeclareObjects(')"
row "  expression checks (CheckExpressions, incl. SQL)" "$(cost 'sema::CheckExpressions(')"
row "diagnostics (first schemac::base::Diagnostics function)" "$(cost 'schemac::base::Diagnostics::')"
row "startup: ATN deserialization" "$(cost 'ATNDeserializer::deserialize(')"
row "cross-cutting: malloc" "$(cost ':malloc [')"
row "cross-cutting: free" "$(cost ':free [')"
row "cross-cutting: __dynamic_cast" "$(cost '__dynamic_cast [')"
echo
echo "  top 25 functions by inclusive cost (without recursion cycles above 100% and start-up wrappers):"
grep -E '^ *[0-9,]+ \( *[0-9.]+%\)  ' "$tmp/incl.txt" | grep -v -E '\(1[0-9][0-9]\.[0-9]+%\)|PROGRAM TOTALS|below main|__libc_start|-:0x0|-:main |cli::|driver::Compile|start_thread|_State_impl|'"'"'[0-9]+ \[' |
  head -n 25 | cut -c1-170
if [[ $keep != "$tmp" ]]; then
  echo
  echo "  kept $keep/callgrind.out (callgrind_annotate --inclusive=yes $keep/callgrind.out)"
fi
