// Unit tests of compiler/printer (no database): spelling of names, literals and file names, and a
// pure round trip: a compiled schema printed and compiled again describes the same database.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "compiler/driver/compile.h"
#include "compiler/model/dump.h"
#include "compiler/printer/printer.h"

namespace schemac::printer {
namespace {

namespace fs = std::filesystem;

// Compiles `files` (relative path -> text) in a fresh directory. Fails the test on errors.
model::Catalog CompileFiles(const std::vector<File>& files) {
  static int counter = 0;
  const fs::path dir = fs::temp_directory_path() /
                       ("schemac_printer_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(dir);
  for (const File& f : files) {
    fs::create_directories((dir / f.path).parent_path());
    std::ofstream(dir / f.path) << f.text;
  }
  std::unique_ptr<driver::Compilation> c = driver::Compile({dir.string()});
  fs::remove_all(dir);
  INFO(c->diags.Render(false));
  REQUIRE(c->catalog.has_value());
  return *c->catalog;
}

// A dump that ignores what the printer may change in embedded SQL without changing its meaning:
// whitespace (view queries are indented), parentheses around an expression and a literal's cast
// to its column's type (`default '{}'` for `'{}'::jsonb`). Also `extension x schema public` is the
// same as `extension x` (both mean where it is installed, public on a dev database). The database
// round trips (tests/integration/inspect_test.cpp) compare PostgreSQL's canonical forms instead.
std::string Flat(model::Catalog c) {
  for (model::Extension& e : c.extensions) {
    if (e.schema == "public") e.schema.reset();
  }
  std::string dump = std::regex_replace(model::Dump(c), std::regex("::[a-z_][a-z0-9_.]*(\\[\\])*"), "");
  dump = std::regex_replace(dump, std::regex("[()]"), " ");
  return std::regex_replace(dump, std::regex("\\s+"), " ");
}

// Where two texts first differ, with some context, for failure messages.
std::string FirstDifference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const size_t from = i < 60 ? 0 : i - 60;
  return "first difference at " + std::to_string(i) + ":\n  " + a.substr(from, 160) + "\nvs\n  " + b.substr(from, 160);
}

TEST_CASE("names are quoted only where the language needs it", "[printer]") {
  for (const char* bare : {"orders", "_x", "a1", "position", "time", "comment", "index", "row", "name", "value"}) {
    CHECK(Ident(bare) == bare);
  }
  for (const char* word : {"order", "user", "select", "table", "check", "default", "between", "left", "is",
                           "analyse", "verbose", "current_user"}) {
    CHECK(Ident(word) == "\"" + std::string(word) + "\"");
  }
  CHECK(Ident("OrderLines") == "\"OrderLines\"");
  CHECK(Ident("Big Orders") == "\"Big Orders\"");
  CHECK(Ident("a\"b") == "\"a\"\"b\"");
  CHECK(Ident("1st") == "\"1st\"");
  CHECK(Ident("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
}

TEST_CASE("literals stay on one line; file names are safe", "[printer]") {
  CHECK(Literal("it's") == "'it''s'");
  CHECK(Literal("a\\b") == "'a\\b'");
  CHECK(Literal("two\nlines\tand a \\ and it's") == "E'two\\nlines\\tand a \\\\ and it''s'");
  CHECK(FileName("orders") == "orders");
  CHECK(FileName("Big Orders") == "Big%20Orders");
  CHECK(FileName("a/b") == "a%2Fb");
  CHECK(FileName("..") == "%2E%2E");
  CHECK(FileName("") == "%");
}

TEST_CASE("a compiled schema printed and compiled again is the same schema, and prints the same",
          "[printer][roundtrip]") {
  for (const std::string path : {"schemas/shop", "schemas/sketch.schema"}) {
    INFO(path);
    std::unique_ptr<driver::Compilation> c = driver::Compile({std::string(SCHEMAC_SOURCE_DIR) + "/" + path});
    REQUIRE(c->catalog.has_value());
    for (bool split : {false, true}) {
      const Output printed = Print(*c->catalog, {.split = split});
      CHECK(printed.notes.empty());
      const model::Catalog again = CompileFiles(printed.files);
      INFO(FirstDifference(Flat(again), Flat(*c->catalog)));
      CHECK(Flat(again) == Flat(*c->catalog));
      // Printing is deterministic, and printing the reprinted schema changes nothing.
      CHECK(Print(*c->catalog, {.split = split}).files.size() == printed.files.size());
      const Output twice = Print(again, {.split = split});
      REQUIRE(twice.files.size() == printed.files.size());
      for (size_t i = 0; i < twice.files.size(); ++i) {
        CHECK(twice.files[i].path == printed.files[i].path);
        INFO(FirstDifference(twice.files[i].text, printed.files[i].text));
        CHECK(twice.files[i].text == printed.files[i].text);
      }
    }
  }
}

TEST_CASE("derived names are left out, other names are written", "[printer]") {
  const model::Catalog c = CompileFiles({{"a.schema", R"(table t {
  id    bigint primary key
  a     integer check (a > 0) unique
  b     integer constraint b_positive check (b > 0)
  c     bigint references t (id)
  check (a < b)
  index (a, b)
  index t_by_c (c)
}
)"}});
  const Output printed = Print(c);
  REQUIRE(printed.files.size() == 1);
  CHECK(printed.files[0].path == "public.schema");
  CHECK(printed.files[0].text == R"(table t {
  id  bigint primary key
  a   integer unique check (a > 0)
  b   integer
  c   bigint references t (id)

  check b_positive (b > 0)
  check (a < b)
  index (a, b)
  index t_by_c (c)
}
)");
}

TEST_CASE("not valid constraints, forced row level security and extension versions round trip",
          "[printer][roundtrip]") {
  const std::string source = R"(extension pg_trgm version '1.6'

table p {
  id  bigint primary key
  force row level security not enabled
}

table t {
  id    bigint primary key
  a     integer check (a > 0) no inherit not valid
  b     integer check (b > 0) not valid
  c     bigint references p (id) on delete cascade not valid
  d     bigint

  foreign key (c, d) references t (id, d) deferrable not valid
  check t_ab (a < b) not valid no inherit
  unique (id, d)
  force row level security
}
)";
  const model::Catalog c = CompileFiles({{"a.schema", source}});
  int not_valid = 0;
  for (const model::Table& t : c.tables) {
    for (const model::Constraint& k : t.constraints) not_valid += k.not_valid ? 1 : 0;
  }
  CHECK(not_valid == 5);
  REQUIRE(c.tables.size() == 2);
  CHECK(c.tables[0].rls_forced);
  CHECK_FALSE(c.tables[0].rls_enabled);
  CHECK(c.tables[1].rls_forced);
  CHECK(c.tables[1].rls_enabled);
  const Output printed = Print(c);
  CHECK(printed.notes.empty());
  REQUIRE(printed.files.size() == 1);
  CHECK(printed.files[0].text == R"(extension pg_trgm version '1.6'

table p {
  id  bigint primary key

  force row level security not enabled
}

table t {
  id  bigint primary key
  a   integer check (a > 0) no inherit not valid
  b   integer check (b > 0) not valid
  c   bigint references p (id) on delete cascade not valid
  d   bigint

  unique (id, d)
  foreign key (c, d) references t (id, d) deferrable not valid
  check t_ab (a < b) no inherit not valid
  force row level security
}
)");
  const model::Catalog again = CompileFiles(printed.files);
  INFO(FirstDifference(Flat(again), Flat(c)));
  CHECK(Flat(again) == Flat(c));
}

TEST_CASE("collations and table inheritance are printed and compile to the same schema",
          "[printer][roundtrip]") {
  const model::Catalog c = CompileFiles({{"a.schema", R"(schema x
collation "numeric" (provider = icu, locale = 'en-u-kn-true')
collation x.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)
collation posix (lc_collate = 'POSIX', lc_ctype = 'POSIX')
table base {
  id  bigint not null
  t   text collate "numeric"
}
table child inherits (base) {
  name  text collate x.ci
  check child_name (name <> '')
  unique (id)
  index (t collate posix)
}
table both inherits (base, child) {
  t  text collate "numeric"
}
)"}});
  const Output printed = Print(c);
  REQUIRE(printed.files.size() == 2);
  CHECK(printed.files[0].path == "public.schema");
  CHECK(printed.files[0].text == R"(collation numeric (provider = icu, locale = 'en-u-kn-true')
collation posix (provider = libc, locale = 'POSIX')

table base {
  id  bigint not null
  t   text collate public."numeric"
}

table "both" inherits (base, child) {
  t  text collate public."numeric"
}

table child inherits (base) {
  name  text collate x.ci

  unique (id)
  check child_name (name <> '')
  index (t collate public.posix)
}
)");
  const model::Catalog again = CompileFiles(printed.files);
  INFO(FirstDifference(Flat(again), Flat(c)));
  CHECK(Flat(again) == Flat(c));
}

}  // namespace
}  // namespace schemac::printer
