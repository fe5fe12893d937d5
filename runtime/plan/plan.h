// `schemac plan`: compile the target, read the live database, normalize the target through the dev
// database, diff. `schemac diff`: the same for any two sides, each a schema or a database. Nothing
// is changed anywhere except scratch databases on the dev server.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/driver/compile.h"
#include "runtime/catalog/introspect.h"
#include "runtime/plan/normalize.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/normalize_cache.h"

namespace schemac::plan {

// ---- the pieces plan and diff share -------------------------------------------------------------

// A database read in one snapshot (catalog::Introspect, with a second connection in the same
// snapshot), and the connection, still open. Throws pg::DbError.
struct Database {
  std::unique_ptr<pg::Connection> conn;
  catalog::Introspection introspection;
  double seconds = 0;  // wall time of connecting and reading
};
Database ReadDatabase(const std::string& conninfo, const std::vector<std::string>& schemas);

// The dev server of one run, shared by every target it normalizes: a --dev-db server (connected at
// once: its version is part of the cache keys), or a throwaway local cluster, started the first
// time Get() is called, so a run whose objects are all cached starts none.
class DevServerSource {
 public:
  explicit DevServerSource(const std::optional<std::string>& dev_db);
  // "remote <version()>" or "local <postgres --version>".
  const std::string& identity() const { return identity_; }
  devdb::DevServer& Get();

 private:
  std::unique_ptr<devdb::DevServer> server_;
  std::string identity_;
};

// The normalization cache of the project made of `paths` (one file per project, see
// normalize_cache.h), or an empty one that is never saved when `cache_dir` is empty.
NormalizationCache OpenCache(const std::string& cache_dir, const std::vector<std::string>& paths);

// A compiled target in canonical form: NormalizeCached through `cache` and `dev`.
model::Catalog NormalizeTarget(const model::Catalog& target, NormalizationCache& cache, DevServerSource& dev,
                               NormalizeStats* stats);

// ---- plan ---------------------------------------------------------------------------------------

struct Options {
  std::vector<std::string> paths;     // the target: .schema files or directories
  std::string db;                     // conninfo of the live database (see ResolveConninfo)
  std::optional<std::string> dev_db;  // unset: a throwaway local cluster
  std::vector<std::string> schemas;   // managed schemas; empty: every non-system schema
  // The normalization cache's directory (runtime/plan/normalize_cache.h); empty: no cache.
  std::string cache_dir;
  // Online techniques on tables that already exist (diff::DiffOptions::online).
  bool online = true;
};

struct Result {
  std::unique_ptr<driver::Compilation> compilation;  // diagnostics; the plan is empty when it failed
  std::vector<std::string> missing_roles;            // roles the target names that the server lacks
  std::vector<catalog::Unsupported> unsupported;     // live objects schemac does not manage (left alone)
  std::map<model::QualifiedName, catalog::TableStats> table_stats;  // of the live tables
  diff::Plan plan;
  model::Catalog normalized;  // the target in canonical form (for verifying after an apply)
  int introspection_queries = 0;
  NormalizeStats normalize_stats;
  // The live database as it was read (empty for a plan read from a file).
  model::Catalog live;
  // model::Fingerprint of the live database as it was read (what a saved plan was made against):
  // set by a saved plan; for a fresh plan, computed from `live` by LiveFingerprintOf when needed
  // (a plain plan never needs it, and hashing 10,000 tables is not free).
  std::string live_fingerprint;
  // A plan read from a file (cli/saved_plan.cpp): the recorded `.schema` location of each step
  // ("shop.schema:12:3" or ""), since the compilation's sources are not there.
  std::vector<std::string> step_sources;
  std::vector<std::pair<std::string, double>> query_seconds;  // introspection of the live database
  // Wall time of each phase, in order: {"compile", 0.31}, {"introspect", 0.12}, ...
  std::vector<std::pair<std::string, double>> timings;
};

// Throws pg::DbError (live or dev database) and devdb::DevServerError. Compile errors and missing
// roles are returned in the result, with an empty plan.
Result MakePlan(const Options& options);

// Reads the live database again and diffs it against an already normalized target: what is left
// to do after an apply.
diff::Plan Replan(const Options& options, const model::Catalog& normalized);
// The same on an open connection to the live database (e.g. the one that holds the apply lock).
diff::Plan Replan(pg::Connection& live, const Options& options, const model::Catalog& normalized);

// r.live_fingerprint, or model::Fingerprint(r.live) when it is not set.
std::string LiveFingerprintOf(const Result& r);

// model::Fingerprint of the live database (the schemas of `options`), read now.
std::string LiveFingerprint(const Options& options);

// ---- diff ---------------------------------------------------------------------------------------

// One side of a diff: `.schema` files or directories, or a database.
struct Side {
  std::vector<std::string> paths;  // a schema when not empty
  std::string db;                  // else: the database's conninfo
};

struct DiffOptions {
  Side from, to;
  std::optional<std::string> dev_db;  // unset: a throwaway local cluster (only if a side is a schema)
  std::string cache_dir;              // empty: no normalization cache
  // Online techniques on the FROM side's tables (diff::DiffOptions::online). Off by default: a
  // diff is a script to run as a whole, and CREATE INDEX CONCURRENTLY cannot run in a transaction.
  bool online = false;
};

struct DiffResult {
  // The compilations of the schema sides (null for a database side): diagnostics, and the source
  // locations the steps point at (the `to` side's). The plan is empty when one failed.
  std::unique_ptr<driver::Compilation> from_compilation, to_compilation;
  std::vector<catalog::Unsupported> unsupported;  // objects of the database sides schemac does not manage
  diff::Plan plan;                                // the steps that turn `from` into `to`
  model::Catalog to;                              // the TO side's model
  std::map<model::QualifiedName, catalog::TableStats> from_stats;  // when FROM is a database
};

// Compiles the schema sides (errors first: then nothing is read or normalized), normalizes them
// through the dev server and reads the database sides, then diff::Diff(from, to). Throws
// pg::DbError and devdb::DevServerError.
DiffResult MakeDiff(const DiffOptions& options);

}  // namespace schemac::plan
