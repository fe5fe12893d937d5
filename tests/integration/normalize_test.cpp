// No spurious differences: a database built from a schema and the dev-database normalization of the
// same schema must be the same model, byte for byte in canonical dump form (expressions included).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>
#include <functional>
#include <map>
#include <unistd.h>

#include "compiler/driver/compile.h"
#include "compiler/model/dump.h"
#include "compiler/sqlgen/sqlgen.h"
#include "runtime/catalog/introspect.h"
#include "runtime/devdb/devdb.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/normalize.h"
#include "runtime/plan/normalize_cache.h"
#include "tests/support/pgtest.h"

namespace {

// The first differing lines of two dumps, for a readable failure.
std::string FirstDifference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  int n = 1;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(sa, la));
    const bool gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return "(equal)";
    if (!ga || !gb || la != lb) {
      return "line " + std::to_string(n) + ":\n  live:       " + (ga ? la : "<end>") +
             "\n  normalized: " + (gb ? lb : "<end>");
    }
    ++n;
  }
}

schemac::devdb::DevServer& LocalDevServer() {
  static std::unique_ptr<schemac::devdb::DevServer> server = schemac::devdb::DevServer::StartLocal();
  return *server;
}

void ExpectConverges(const std::string& path) {
  auto compiled = schemac::driver::Compile({std::string(SCHEMAC_SOURCE_DIR) + "/" + path});
  INFO(compiled->diags.Render(false));
  REQUIRE(compiled->catalog.has_value());
  const schemac::model::Catalog& target = *compiled->catalog;

  // The live side: the target's DDL loaded into a database on the test server.
  schemac::test::ScratchDatabase live_db;
  schemac::pg::Connection live(live_db.conninfo());
  for (const std::string& role : target.roles) {
    live.Exec("DO $$ BEGIN CREATE ROLE \"" + role +
              "\"; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
  }
  live.Exec(schemac::sqlgen::CreateAll(target));
  schemac::catalog::IntrospectOptions scope;
  for (const auto& s : target.schemas) scope.schemas.push_back(s.name);
  schemac::model::Catalog from_live = schemac::catalog::Introspect(live, scope).catalog;
  // An extension declared without a version or schema means "whatever is installed": the
  // normalized target leaves them unset, so the live side is compared the same way.
  for (auto& e : from_live.extensions) {
    for (const auto& declared : target.extensions) {
      if (declared.name != e.name) continue;
      if (!declared.version) e.version.reset();
      if (!declared.schema) e.schema.reset();
    }
  }

  // The target side: normalized through the local dev cluster.
  const schemac::model::Catalog normalized = schemac::plan::Normalize(target, LocalDevServer());

  const std::string a = schemac::model::Dump(from_live);
  const std::string b = schemac::model::Dump(normalized);
  INFO(path << ": first difference " << FirstDifference(a, b));
  CHECK(a == b);
  CHECK(a.find("table ") != std::string::npos);
  // What the database cannot know comes from the source: every table keeps its .schema location.
  for (const auto& t : normalized.tables) {
    INFO("table " << t.name.schema << "." << t.name.name);
    CHECK(t.loc.IsValid());
  }
}

}  // namespace

TEST_CASE("the language sketch normalizes to exactly what a database built from it holds", "[normalize]") {
  ExpectConverges("schemas/sketch.schema");
}

TEST_CASE("the shop example normalizes to exactly what a database built from it holds", "[normalize]") {
  ExpectConverges("schemas/shop");
}

// ---- the normalization cache ----------------------------------------------------------------------

namespace {

std::unique_ptr<schemac::driver::Compilation> CompileDir(const std::string& dir) {
  auto c = schemac::driver::Compile({dir});
  INFO(c->diags.Render(false));
  REQUIRE(c->catalog.has_value());
  return c;
}

// A copy of schemas/shop in a fresh directory, with `edit` applied to the files' text.
std::string ShopCopy(const std::string& name, const std::function<void(std::map<std::string, std::string>&)>& edit) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("schemac_cache_test_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(std::string(SCHEMAC_SOURCE_DIR) + "/schemas/shop")) {
    if (e.path().extension() != ".schema") continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    files[e.path().filename().string()] = ss.str();
  }
  edit(files);
  for (const auto& [file, text] : files) std::ofstream(dir / file) << text;
  return dir.string();
}

void Replace(std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

// Normalizes through `cache`, counting how often the dev server was asked for.
schemac::model::Catalog Cached(const schemac::model::Catalog& target, schemac::plan::NormalizationCache& cache,
                               schemac::plan::NormalizeStats& stats, int& server_calls) {
  return schemac::plan::NormalizeCached(
      target, cache, "test server",
      [&]() -> schemac::devdb::DevServer& {
        ++server_calls;
        return LocalDevServer();
      },
      &stats);
}

}  // namespace

TEST_CASE("the normalization cache gives what the dev database gives, and only normalizes what changed",
          "[normalize][cache]") {
  namespace fs = std::filesystem;
  const std::string cache_dir = fs::temp_directory_path() / ("schemac_cache_" + std::to_string(getpid()));
  fs::remove_all(cache_dir);
  const std::string base = ShopCopy("base", [](auto&) {});
  auto compiled = CompileDir(base);
  const schemac::model::Catalog& target = *compiled->catalog;
  const std::string full = schemac::model::Dump(schemac::plan::Normalize(target, LocalDevServer()));

  // Cold: everything goes through the dev database, and the cache is filled.
  {
    schemac::plan::NormalizationCache cache(cache_dir, "shop");
    schemac::plan::NormalizeStats stats;
    int calls = 0;
    const auto cold = Cached(target, cache, stats, calls);
    CHECK(calls == 1);
    CHECK(stats.cached == 0);
    CHECK(stats.full);
    INFO("first difference " << FirstDifference(full, schemac::model::Dump(cold)));
    CHECK(schemac::model::Dump(cold) == full);
  }
  // Warm: nothing goes to the dev server, and the result is the same, locations included.
  {
    schemac::plan::NormalizationCache cache(cache_dir, "shop");
    schemac::plan::NormalizeStats stats;
    int calls = 0;
    const auto warm = Cached(target, cache, stats, calls);
    CHECK(calls == 0);
    CHECK(stats.cached == stats.objects);
    CHECK(stats.objects > 50);
    INFO("first difference " << FirstDifference(full, schemac::model::Dump(warm)));
    CHECK(schemac::model::Dump(warm) == full);
    for (const auto& t : warm.tables) CHECK(t.loc.IsValid());
  }
  // An edit: a changed default, and a new table with a serial column, an index, a view and a
  // grant. Only those objects (and what depends on them) are normalized again, and the result
  // equals a full normalization of the new target.
  const std::string edited = ShopCopy("edited", [](std::map<std::string, std::string>& files) {
    std::string all;
    for (auto& [name, text] : files) all += text;
    REQUIRE(all.find("default now()") != std::string::npos);
    for (auto& [name, text] : files) {
      if (text.find("default now()") != std::string::npos) {
        Replace(text, "default now()", "default (now() + interval '1 hour')");
        break;
      }
    }
    files["zz_extra.schema"] =
        "table cache_probe {\n  id bigserial primary key\n  label varchar(20) not null default 'x'\n"
        "  amount numeric(8,2) check (amount > 0)\n  index cache_probe_label (lower(label)) where amount > 1\n}\n"
        "view cache_probe_view as select id, upper(label) as l from cache_probe where amount > 2\n"
        "grant select on cache_probe to app_readonly\n";
  });
  auto compiled2 = CompileDir(edited);
  const schemac::model::Catalog& target2 = *compiled2->catalog;
  const std::string full2 = schemac::model::Dump(schemac::plan::Normalize(target2, LocalDevServer()));
  {
    schemac::plan::NormalizationCache cache(cache_dir, "shop");
    schemac::plan::NormalizeStats stats;
    int calls = 0;
    const auto partial = Cached(target2, cache, stats, calls);
    CHECK(calls == 1);
    CHECK_FALSE(stats.full);
    CHECK(stats.normalized >= 5);                    // the new table, index, view, grant, the edited table
    CHECK(stats.normalized < stats.objects / 4);     // and not much more
    INFO("first difference " << FirstDifference(full2, schemac::model::Dump(partial)));
    CHECK(schemac::model::Dump(partial) == full2);
  }
  // A cache written by another server version is not used.
  {
    schemac::plan::NormalizationCache cache(cache_dir, "shop");
    schemac::plan::NormalizeStats stats;
    int calls = 0;
    schemac::plan::NormalizeCached(
        target2, cache, "another server",
        [&]() -> schemac::devdb::DevServer& {
          ++calls;
          return LocalDevServer();
        },
        &stats);
    CHECK(stats.cached == 0);
    CHECK(calls == 1);
  }
  fs::remove_all(cache_dir);
  fs::remove_all(base);
  fs::remove_all(edited);
}

TEST_CASE("a damaged cache file is ignored", "[normalize][cache]") {
  namespace fs = std::filesystem;
  const std::string cache_dir = fs::temp_directory_path() / ("schemac_cache_damaged_" + std::to_string(getpid()));
  fs::remove_all(cache_dir);
  fs::create_directories(cache_dir);
  {
    // A cache file of this project, then damaged: torn lines, a broken entry.
    schemac::plan::NormalizationCache seed(cache_dir, "sketch");
    seed.Put("k", "{}");
    seed.Save();
  }
  REQUIRE(std::distance(fs::directory_iterator(cache_dir), fs::directory_iterator()) == 1);
  for (const auto& e : fs::directory_iterator(cache_dir)) {
    std::ofstream(e.path()) << "schemac normalization cache v1\nnot a line\nabc\t{broken\n";
  }
  auto compiled = schemac::driver::Compile({std::string(SCHEMAC_SOURCE_DIR) + "/schemas/sketch.schema"});
  REQUIRE(compiled->catalog.has_value());
  schemac::plan::NormalizationCache cache(cache_dir, "sketch");
  schemac::plan::NormalizeStats stats;
  int calls = 0;
  const auto n = Cached(*compiled->catalog, cache, stats, calls);
  CHECK(calls == 1);
  CHECK(schemac::model::Dump(n) == schemac::model::Dump(schemac::plan::Normalize(*compiled->catalog, LocalDevServer())));
  fs::remove_all(cache_dir);
}

TEST_CASE("an extension without a version or schema is normalized without them", "[normalize]") {
  const std::string dir = (std::filesystem::temp_directory_path() / "schemac_normalize_ext").string();
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir + "/s.schema");
    f << "extension hstore\nschema ext\nextension pg_trgm schema ext version '1.5'\n";
  }
  auto compiled = schemac::driver::Compile({dir + "/s.schema"});
  std::filesystem::remove_all(dir);
  INFO(compiled->diags.Render(false));
  REQUIRE(compiled->catalog.has_value());
  const schemac::model::Catalog normalized = schemac::plan::Normalize(*compiled->catalog, LocalDevServer());
  REQUIRE(normalized.extensions.size() == 2);
  CHECK(normalized.extensions[0].name == "hstore");
  CHECK(!normalized.extensions[0].version.has_value());
  CHECK(!normalized.extensions[0].schema.has_value());
  CHECK(normalized.extensions[1].name == "pg_trgm");
  CHECK(normalized.extensions[1].version == std::optional<std::string>("1.5"));
  CHECK(normalized.extensions[1].schema == std::optional<std::string>("ext"));
}

TEST_CASE("a large target's keys and cache entries, computed in parallel chunks, match a full normalization",
          "[normalize][cache]") {
  // 1,100 tables with an index each (2,200 units; the per-unit work is split across threads from
  // 2,048 units on). Every table refers to the one before it, so context crosses chunk borders.
  namespace fs = std::filesystem;
  const std::string dir = fs::temp_directory_path() / ("schemac_cache_large_" + std::to_string(getpid()));
  const std::string cache_dir = dir + "/cache";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](int changed) {
    std::ofstream f(dir + "/s.schema");
    for (int i = 0; i < 1100; ++i) {
      f << "table t" << i << " {\n  id bigint primary key\n  label text not null default '"
        << (i == changed ? "changed" : "x") << "'\n";
      if (i > 0) f << "  parent bigint references t" << i - 1 << " (id)\n";
      f << "  index t" << i << "_label (lower(label))\n}\n";
    }
  };
  write(-1);
  auto compiled = CompileDir(dir + "/s.schema");
  const std::string full = schemac::model::Dump(schemac::plan::Normalize(*compiled->catalog, LocalDevServer()));
  {
    schemac::plan::NormalizationCache cache(cache_dir, "large");
    schemac::plan::NormalizeStats stats;
    int calls = 0;
    const auto cold = Cached(*compiled->catalog, cache, stats, calls);
    CHECK(stats.objects >= 2200);
    CHECK(schemac::model::Dump(cold) == full);
  }
  {
    schemac::plan::NormalizationCache cache(cache_dir, "large");
    schemac::plan::NormalizeStats stats;
    int calls = 0;
    const auto warm = Cached(*compiled->catalog, cache, stats, calls);
    CHECK(calls == 0);
    CHECK(stats.cached == stats.objects);
    INFO("first difference " << FirstDifference(full, schemac::model::Dump(warm)));
    CHECK(schemac::model::Dump(warm) == full);
  }
  // One table in the middle changes: it and its index miss (the index's context is the table);
  // nothing else does.
  write(600);
  auto compiled2 = CompileDir(dir + "/s.schema");
  const std::string full2 = schemac::model::Dump(schemac::plan::Normalize(*compiled2->catalog, LocalDevServer()));
  {
    schemac::plan::NormalizationCache cache(cache_dir, "large");
    schemac::plan::NormalizeStats stats;
    int calls = 0;
    const auto partial = Cached(*compiled2->catalog, cache, stats, calls);
    CHECK(calls == 1);
    CHECK(stats.cached == stats.objects - 2);
    INFO("first difference " << FirstDifference(full2, schemac::model::Dump(partial)));
    CHECK(schemac::model::Dump(partial) == full2);
  }
  fs::remove_all(dir);
}
