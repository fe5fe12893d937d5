// `schemac plan`: compile the target, read the live database, normalize the target through the dev
// database, diff. Nothing is changed anywhere except scratch databases on the dev server.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/driver/compile.h"
#include "runtime/catalog/introspect.h"
#include "runtime/pg/connection.h"

namespace schemac::plan {

struct Options {
  std::vector<std::string> paths;     // the target: .schema files or directories
  std::string db;                     // conninfo of the live database (see ResolveConninfo)
  std::optional<std::string> dev_db;  // unset: a throwaway local cluster
  std::vector<std::string> schemas;   // managed schemas; empty: every non-system schema
};

struct Result {
  std::unique_ptr<driver::Compilation> compilation;  // diagnostics; the plan is empty when it failed
  std::vector<std::string> missing_roles;            // roles the target names that the server lacks
  std::vector<catalog::Unsupported> unsupported;     // live objects schemac does not manage (left alone)
  diff::Plan plan;
  model::Catalog normalized;  // the target in canonical form (for verifying after an apply)
  int introspection_queries = 0;
};

// Throws pg::DbError (live or dev database) and devdb::DevServerError. Compile errors and missing
// roles are returned in the result, with an empty plan.
Result MakePlan(const Options& options);

// Reads the live database again and diffs it against an already normalized target: what is left
// to do after an apply.
diff::Plan Replan(const Options& options, const model::Catalog& normalized);
// The same on an open connection to the live database (e.g. the one that holds the apply lock).
diff::Plan Replan(pg::Connection& live, const Options& options, const model::Catalog& normalized);

}  // namespace schemac::plan
