// The JSON form of model objects (the normalization cache's storage) loses nothing but locations.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>

#include "compiler/driver/compile.h"
#include "compiler/model/dump.h"
#include "compiler/model/serialize.h"

namespace {

const schemac::model::Catalog& Compiled(const std::string& path) {
  static std::map<std::string, std::unique_ptr<schemac::driver::Compilation>> cache;
  auto& c = cache[path];
  if (!c) c = schemac::driver::Compile({std::string(SCHEMAC_SOURCE_DIR) + "/" + path});
  INFO(c->diags.Render(false));
  REQUIRE(c->catalog.has_value());
  return *c->catalog;
}

}  // namespace

TEST_CASE("a catalog survives the JSON round trip", "[serialize]") {
  for (const char* path : {"schemas/sketch.schema", "schemas/shop"}) {
    SECTION(path) {
      const schemac::model::Catalog& c = Compiled(path);
      const std::string json = schemac::model::ToJson(c);
      schemac::model::Catalog back = schemac::model::FromJson<schemac::model::Catalog>(json);
      back.roles = c.roles;  // not part of the JSON
      CHECK(schemac::model::Dump(back) == schemac::model::Dump(c));
      CHECK(schemac::model::ToJson(back) == json);  // deterministic
      CHECK(json.find('\n') == std::string::npos);  // one cache line
    }
  }
}

TEST_CASE("each object kind survives the JSON round trip", "[serialize]") {
  const schemac::model::Catalog& c = Compiled("schemas/shop");
  REQUIRE(!c.tables.empty());
  REQUIRE(!c.views.empty());
  REQUIRE(!c.functions.empty());
  for (const auto& t : c.tables) {
    const auto back = schemac::model::FromJson<schemac::model::Table>(schemac::model::ToJson(t));
    CHECK(schemac::model::ToJson(back) == schemac::model::ToJson(t));
    CHECK(back.columns.size() == t.columns.size());
    CHECK_FALSE(back.loc.IsValid());  // locations are not stored
  }
  for (const auto& f : c.functions) {
    const auto back = schemac::model::FromJson<schemac::model::Function>(schemac::model::ToJson(f));
    CHECK(back.Signature() == f.Signature());
    CHECK(back.body.text == f.body.text);
  }
}

TEST_CASE("malformed JSON is an error, not a default object", "[serialize]") {
  CHECK_THROWS_AS(schemac::model::FromJson<schemac::model::Table>("{\"name\": 3"), std::runtime_error);
  CHECK_THROWS_AS(schemac::model::FromJson<schemac::model::Table>("[]"), std::runtime_error);
}
