#include "runtime/plan/plan.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
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

// What PostgreSQL's find_coercion_pathway does for an explicit cast (`value::type`), read from the
// live catalog: domains stand for their base types, a pg_cast entry (a function, binary coercion
// or WITH INOUT), arrays element by element, and I/O conversion when either side is a string
// type. Types the database does not have (yet) count as convertible: the plan's own statement
// will say otherwise. The answers are kept per pair.
class CastProbe {
 public:
  explicit CastProbe(pg::Connection& conn) : conn_(conn) {}

  bool HasCast(const model::TypeName& from, const model::TypeName& to) {
    const auto key = std::make_pair(from.ToSql(), to.ToSql());
    if (auto it = answers_.find(key); it != answers_.end()) return it->second;
    std::optional<std::string> a = Oid(key.first);
    std::optional<std::string> b = Oid(key.second);
    const bool answer = !a || !b || Castable(*a, *b, 0);
    answers_.emplace(key, answer);
    return answer;
  }

 private:
  struct TypeRow {
    char typtype = 'b';
    std::string base;      // domains: typbasetype
    std::string element;   // arrays: typelem, else "0"
    char category = 'U';
  };

  std::optional<std::string> Oid(const std::string& type_sql) {
    auto rows = conn_.Query("SELECT pg_catalog.to_regtype(" + Literal(type_sql) + ")::oid");
    if (rows.empty() || !rows[0][0] || *rows[0][0] == "0") return std::nullopt;
    return rows[0][0];
  }

  TypeRow Row(const std::string& oid) {
    auto rows = conn_.Query(
        "SELECT typtype, typbasetype, CASE WHEN typsubscript = "
        "'pg_catalog.array_subscript_handler'::pg_catalog.regproc THEN typelem ELSE 0 END, "
        "typcategory FROM pg_catalog.pg_type WHERE oid = " + oid);
    TypeRow row;
    if (rows.empty()) return row;
    row.typtype = rows[0][0].value_or("b").front();
    row.base = rows[0][1].value_or("0");
    row.element = rows[0][2].value_or("0");
    row.category = rows[0][3].value_or("U").front();
    return row;
  }

  bool Castable(const std::string& from, const std::string& to, int depth) {
    if (from == to || depth > 16) return true;
    const TypeRow f = Row(from);
    const TypeRow t = Row(to);
    if (f.typtype == 'd') return Castable(f.base, to, depth + 1);
    if (t.typtype == 'd') return Castable(from, t.base, depth + 1);
    auto casts = conn_.Query("SELECT 1 FROM pg_catalog.pg_cast WHERE castsource = " + from +
                             " AND casttarget = " + to);
    if (!casts.empty()) return true;
    if (f.element != "0" && t.element != "0" && Castable(f.element, t.element, depth + 1)) {
      return true;
    }
    return f.category == 'S' || t.category == 'S';
  }

  pg::Connection& conn_;
  std::map<std::pair<std::string, std::string>, bool> answers_;
};

// Diff options with castability answered by `conn` (kept alive by the returned function).
diff::DiffOptions LiveDiffOptions(pg::Connection& conn, bool online) {
  auto probe = std::make_shared<CastProbe>(conn);
  return {.online = online, .has_cast = [probe](const model::TypeName& from, const model::TypeName& to) {
            return probe->HasCast(from, to);
          }};
}

}  // namespace

Database ReadDatabase(const std::string& conninfo, const std::vector<std::string>& schemas) {
  const auto start = std::chrono::steady_clock::now();
  Database db;
  db.conn = std::make_unique<pg::Connection>(conninfo);
  catalog::IntrospectOptions scope;
  scope.schemas = schemas;
  scope.parallel_conninfo = conninfo;
  db.introspection = catalog::Introspect(*db.conn, scope);
  db.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return db;
}

DevServerSource::DevServerSource(const std::optional<std::string>& dev_db) {
  if (dev_db) {
    server_ = devdb::DevServer::Remote(*dev_db);
    identity_ = "remote " + server_->Version();
  } else {
    identity_ = "local " + devdb::LocalServerVersion();
  }
}

devdb::DevServer& DevServerSource::Get() {
  if (!server_) server_ = devdb::DevServer::StartLocal();
  return *server_;
}

NormalizationCache OpenCache(const std::string& cache_dir, const std::vector<std::string>& paths) {
  if (cache_dir.empty()) return NormalizationCache();
  // One cache file per project: the input paths, made absolute.
  std::string project;
  for (const std::string& p : paths) {
    std::error_code ec;
    const std::filesystem::path abs = std::filesystem::weakly_canonical(p, ec);
    project += (ec ? p : abs.string()) + "\n";
  }
  return NormalizationCache(cache_dir, project);
}

model::Catalog NormalizeTarget(const model::Catalog& target, NormalizationCache& cache, DevServerSource& dev,
                               NormalizeStats* stats) {
  return NormalizeCached(target, cache, dev.identity(), [&dev]() -> devdb::DevServer& { return dev.Get(); }, stats);
}

Result MakePlan(const Options& options) {
  Result r;
  PhaseClock clock(r);
  // The live database is read while the target compiles and normalizes: the catalog queries keep
  // the server busy, the compiler this process.
  std::future<Database> live_read =
      std::async(std::launch::async, [&options] { return ReadDatabase(options.db, options.schemas); });
  // Whatever happens here, the reader finishes before this function returns (it uses `options`).
  struct Join {
    std::future<Database>& f;
    ~Join() {
      if (f.valid()) f.wait();
    }
  } join{live_read};

  r.compilation = driver::Compile(options.paths);
  clock.Mark("compile");
  if (!r.compilation->catalog.has_value()) return r;  // compile errors come first
  const model::Catalog& target = *r.compilation->catalog;

  DevServerSource dev(options.dev_db);
  NormalizationCache cache = OpenCache(options.cache_dir, options.paths);
  clock.Mark("cache-load");
  r.normalized = NormalizeTarget(target, cache, dev, &r.normalize_stats);
  clock.Mark("normalize");

  Database lr = live_read.get();  // rethrows the reader's pg::DbError
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

  r.plan = diff::Diff(lr.introspection.catalog, r.normalized, LiveDiffOptions(live, options.online));
  r.live = std::move(lr.introspection.catalog);
  clock.Mark("diff");
  return r;
}

std::string LiveFingerprintOf(const Result& r) {
  return r.live_fingerprint.empty() ? model::Fingerprint(r.live) : r.live_fingerprint;
}

diff::Plan Replan(const Options& options, const model::Catalog& normalized) {
  pg::Connection live(options.db);
  return Replan(live, options, normalized);
}

diff::Plan Replan(pg::Connection& live, const Options& options, const model::Catalog& normalized) {
  catalog::IntrospectOptions scope;
  scope.schemas = options.schemas;
  scope.parallel_conninfo = options.db;
  return diff::Diff(catalog::Introspect(live, scope).catalog, normalized, LiveDiffOptions(live, options.online));
}

std::string LiveFingerprint(const Options& options) {
  return model::Fingerprint(ReadDatabase(options.db, options.schemas).introspection.catalog);
}

DiffResult MakeDiff(const DiffOptions& options) {
  DiffResult r;
  // Compile errors come first, before any database is touched.
  auto compile = [](const Side& side) -> std::unique_ptr<driver::Compilation> {
    return side.paths.empty() ? nullptr : driver::Compile(side.paths);
  };
  r.from_compilation = compile(options.from);
  r.to_compilation = compile(options.to);
  for (const auto* c : {r.from_compilation.get(), r.to_compilation.get()}) {
    if (c != nullptr && !c->catalog.has_value()) return r;
  }
  // One dev server for both schema sides; none when both sides are databases.
  std::optional<DevServerSource> dev;
  std::unique_ptr<pg::Connection> from_conn;
  auto model_of = [&](const Side& side, const driver::Compilation* compiled) -> model::Catalog {
    if (compiled == nullptr) {
      Database db = ReadDatabase(side.db, {});
      for (catalog::Unsupported& u : db.introspection.unsupported) r.unsupported.push_back(std::move(u));
      if (&side == &options.from) {
        r.from_stats = std::move(db.introspection.table_stats);
        from_conn = std::move(db.conn);  // answers castability for the diff
      }
      return std::move(db.introspection.catalog);
    }
    if (!dev) dev.emplace(options.dev_db);
    NormalizationCache cache = OpenCache(options.cache_dir, side.paths);
    return NormalizeTarget(*compiled->catalog, cache, *dev, nullptr);
  };
  const model::Catalog from = model_of(options.from, r.from_compilation.get());
  r.to = model_of(options.to, r.to_compilation.get());
  const model::Catalog& to = r.to;
  std::sort(r.unsupported.begin(), r.unsupported.end());
  r.unsupported.erase(std::unique(r.unsupported.begin(), r.unsupported.end()), r.unsupported.end());
  r.plan = diff::Diff(from, to,
                      from_conn ? LiveDiffOptions(*from_conn, options.online)
                                : diff::DiffOptions{.online = options.online});
  return r;
}

}  // namespace schemac::plan
