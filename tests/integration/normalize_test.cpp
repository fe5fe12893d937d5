// No spurious differences: a database built from a schema and the dev-database normalization of the
// same schema must be the same model, byte for byte in canonical dump form (expressions included).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/driver/compile.h"
#include "compiler/model/dump.h"
#include "compiler/sqlgen/sqlgen.h"
#include "runtime/catalog/introspect.h"
#include "runtime/devdb/devdb.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/normalize.h"
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
