// Every registered diagnostic kind is pinned by at least one golden case (tests/cases/**/expected.err),
// so no message can change, or stop being emitted, without a test noticing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "compiler/base/diag.h"

TEST_CASE("every diagnostic kind appears in a golden case", "[diag]") {
  namespace fs = std::filesystem;
  std::string all;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(SCHEMAC_SOURCE_DIR) / "tests" / "cases")) {
    if (!entry.is_regular_file() || entry.path().filename() != "expected.err") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  REQUIRE_FALSE(all.empty());
  for (schemac::base::DiagKind kind : schemac::base::AllDiagKinds()) {
    const std::string code = std::string("[") + schemac::base::DiagCode(kind) + "]";
    INFO("diagnostic code " << code << " has no golden case under tests/cases");
    CHECK(all.find(code) != std::string::npos);
  }
}

TEST_CASE("every diagnostic kind is documented in docs/language.md", "[diag]") {
  std::ifstream in(std::filesystem::path(SCHEMAC_SOURCE_DIR) / "docs" / "language.md", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string docs = ss.str();
  REQUIRE_FALSE(docs.empty());
  for (schemac::base::DiagKind kind : schemac::base::AllDiagKinds()) {
    const std::string row = std::string("| `") + schemac::base::DiagCode(kind) + "` |";
    INFO("docs/language.md has no table row for " << row);
    CHECK(docs.find(row) != std::string::npos);
  }
}
