// `schemac plan`: compile the target, read the live database, normalize the target through the dev
// database, diff. Nothing is changed anywhere except scratch databases on the dev server.
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

namespace schemac::plan {

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
  // model::Fingerprint of the live database as it was read (what a saved plan was made against).
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

// model::Fingerprint of the live database (the schemas of `options`), read now.
std::string LiveFingerprint(const Options& options);

}  // namespace schemac::plan
