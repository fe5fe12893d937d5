#include "runtime/plan/plan.h"

#include <algorithm>

#include "runtime/devdb/devdb.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/normalize.h"

namespace schemac::plan {

namespace {

std::string Literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Result MakePlan(const Options& options) {
  Result r;
  r.compilation = driver::Compile(options.paths);
  if (!r.compilation->catalog.has_value()) return r;
  const model::Catalog& target = *r.compilation->catalog;

  pg::Connection live(options.db);
  // Roles are cluster-wide and never created by schemac: a grant or policy naming a role the
  // server lacks is an error before anything runs.
  if (!target.roles.empty()) {
    std::string list;
    for (const std::string& role : target.roles) list += (list.empty() ? "" : ", ") + Literal(role);
    std::vector<std::string> present;
    for (const auto& row : live.Query("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname IN (" + list + ")")) {
      present.push_back(row[0].value_or(""));
    }
    for (const std::string& role : target.roles) {
      if (std::find(present.begin(), present.end(), role) == present.end()) r.missing_roles.push_back(role);
    }
    if (!r.missing_roles.empty()) return r;
  }

  catalog::IntrospectOptions scope;
  scope.schemas = options.schemas;
  catalog::Introspection from_live = catalog::Introspect(live, scope);
  r.unsupported = std::move(from_live.unsupported);
  r.introspection_queries = from_live.query_count;

  std::unique_ptr<devdb::DevServer> dev =
      options.dev_db ? devdb::DevServer::Remote(*options.dev_db) : devdb::DevServer::StartLocal();
  r.normalized = Normalize(target, *dev);
  r.plan = diff::Diff(from_live.catalog, r.normalized);
  return r;
}

diff::Plan Replan(const Options& options, const model::Catalog& normalized) {
  pg::Connection live(options.db);
  return Replan(live, options, normalized);
}

diff::Plan Replan(pg::Connection& live, const Options& options, const model::Catalog& normalized) {
  catalog::IntrospectOptions scope;
  scope.schemas = options.schemas;
  return diff::Diff(catalog::Introspect(live, scope).catalog, normalized);
}

}  // namespace schemac::plan
