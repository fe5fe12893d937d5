#include "runtime/plan/plan.h"

#include <algorithm>
#include <chrono>

#include "runtime/devdb/devdb.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/normalize.h"
#include "runtime/plan/normalize_cache.h"

namespace schemac::plan {

namespace {

std::string Literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Records the wall time since the last mark under `phase`.
class PhaseClock {
 public:
  explicit PhaseClock(Result& r) : r_(r), last_(std::chrono::steady_clock::now()) {}
  void Mark(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    r_.timings.emplace_back(phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  Result& r_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

Result MakePlan(const Options& options) {
  Result r;
  PhaseClock clock(r);
  r.compilation = driver::Compile(options.paths);
  clock.Mark("compile");
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
  clock.Mark("introspect");

  // The dev server: a --dev-db server is connected to at once (its version is part of the cache
  // keys); a local cluster is only started when some object is not in the cache.
  std::unique_ptr<devdb::DevServer> dev;
  std::string identity;
  if (options.dev_db) {
    dev = devdb::DevServer::Remote(*options.dev_db);
    identity = "remote " + dev->Version();
  } else {
    identity = "local " + devdb::LocalServerVersion();
  }
  auto server = [&]() -> devdb::DevServer& {
    if (!dev) dev = devdb::DevServer::StartLocal();
    return *dev;
  };
  NormalizationCache cache = options.cache_dir.empty() ? NormalizationCache() : NormalizationCache(options.cache_dir);
  r.normalized = NormalizeCached(target, cache, identity, server, &r.normalize_stats);
  clock.Mark("normalize");
  r.plan = diff::Diff(from_live.catalog, r.normalized);
  clock.Mark("diff");
  return r;
}

diff::Plan Replan(const Options& options, const model::Catalog& normalized) {
  pg::Connection live(options.db);
  catalog::IntrospectOptions scope;
  scope.schemas = options.schemas;
  return diff::Diff(catalog::Introspect(live, scope).catalog, normalized);
}

}  // namespace schemac::plan
