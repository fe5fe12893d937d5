#include "runtime/plan/plan.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>

#include "compiler/model/dump.h"
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
  // The live database is read while the target compiles and normalizes: the catalog queries keep
  // the server busy, the compiler this process.
  struct LiveRead {
    std::unique_ptr<pg::Connection> conn;
    catalog::Introspection introspection;
    double seconds = 0;
  };
  std::future<LiveRead> live_read = std::async(std::launch::async, [&options] {
    const auto start = std::chrono::steady_clock::now();
    LiveRead lr;
    lr.conn = std::make_unique<pg::Connection>(options.db);
    catalog::IntrospectOptions scope;
    scope.schemas = options.schemas;
    scope.parallel_conninfo = options.db;
    lr.introspection = catalog::Introspect(*lr.conn, scope);
    lr.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return lr;
  });
  // Whatever happens here, the reader finishes before this function returns (it uses `options`).
  struct Join {
    std::future<LiveRead>& f;
    ~Join() {
      if (f.valid()) f.wait();
    }
  } join{live_read};

  r.compilation = driver::Compile(options.paths);
  clock.Mark("compile");
  if (!r.compilation->catalog.has_value()) return r;  // compile errors come first
  const model::Catalog& target = *r.compilation->catalog;

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
  // One cache file per project: the input paths, made absolute.
  std::string project;
  for (const std::string& p : options.paths) {
    std::error_code ec;
    const std::filesystem::path abs = std::filesystem::weakly_canonical(p, ec);
    project += (ec ? p : abs.string()) + "\n";
  }
  NormalizationCache cache =
      options.cache_dir.empty() ? NormalizationCache() : NormalizationCache(options.cache_dir, project);
  clock.Mark("cache-load");
  r.normalized = NormalizeCached(target, cache, identity, server, &r.normalize_stats);
  clock.Mark("normalize");

  LiveRead lr = live_read.get();  // rethrows the reader's pg::DbError
  clock.Mark("wait-for-live");
  r.timings.emplace_back("introspect (in parallel)", lr.seconds);
  pg::Connection& live = *lr.conn;
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
  r.unsupported = std::move(lr.introspection.unsupported);
  r.table_stats = std::move(lr.introspection.table_stats);
  r.introspection_queries = lr.introspection.query_count;
  r.query_seconds = std::move(lr.introspection.query_seconds);

  r.live_fingerprint = model::Fingerprint(lr.introspection.catalog);
  r.plan = diff::Diff(lr.introspection.catalog, r.normalized, {.online = options.online});
  clock.Mark("diff");
  return r;
}

diff::Plan Replan(const Options& options, const model::Catalog& normalized) {
  pg::Connection live(options.db);
  return Replan(live, options, normalized);
}

diff::Plan Replan(pg::Connection& live, const Options& options, const model::Catalog& normalized) {
  catalog::IntrospectOptions scope;
  scope.schemas = options.schemas;
  scope.parallel_conninfo = options.db;
  return diff::Diff(catalog::Introspect(live, scope).catalog, normalized, {.online = options.online});
}

std::string LiveFingerprint(const Options& options) {
  pg::Connection live(options.db);
  catalog::IntrospectOptions scope;
  scope.schemas = options.schemas;
  scope.parallel_conninfo = options.db;
  return model::Fingerprint(catalog::Introspect(live, scope).catalog);
}

}  // namespace schemac::plan
