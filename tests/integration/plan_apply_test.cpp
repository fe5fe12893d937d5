// plan and apply end to end, through the CLI as users run it, against a real PostgreSQL: every
// example converges (apply, then plan finds nothing), renames keep rows, destructive changes are
// withheld without --allow-drop, and missing roles stop everything before it starts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/pg/connection.h"
#include "tests/support/examples.h"
#include "tests/support/pgtest.h"

namespace {

using RunResult = schemac::test::CliResult;

RunResult Schemac(const std::vector<std::string>& args) { return schemac::test::RunCli(args); }

std::string One(schemac::pg::Connection& c, const std::string& sql) { return c.Query(sql)[0][0].value_or("NULL"); }

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

}  // namespace

TEST_CASE("every example schema applies to an empty database and then plans no changes", "[plan][apply]") {
  for (const schemac::test::ExampleSchema& example : schemac::test::ExampleSchemas()) {
    DYNAMIC_SECTION(example.name) {
      const std::string& path = example.path;
      schemac::test::ScratchDatabase db;
      schemac::pg::Connection c(db.conninfo());
      schemac::test::CreateRoles(c, example.roles);
      const RunResult before = Schemac({"plan", path, "--db", db.conninfo()});
      INFO(before.err);
      CHECK(before.exit == 2);
      const RunResult applied = Schemac({"apply", path, "--db", db.conninfo(), "--yes"});
      INFO(applied.out << applied.err);
      REQUIRE(applied.exit == 0);
      CHECK(applied.out.find("Verified: the database matches the schema.") != std::string::npos);
      const RunResult after = Schemac({"plan", path, "--db", db.conninfo()});
      INFO(after.out << after.err);
      CHECK(after.exit == 0);
      CHECK(after.out == "No changes: the database matches the schema.\n");
      CHECK(One(c, "SELECT outcome FROM schemac.history ORDER BY id DESC LIMIT 1") == "applied");
    }
  }
}

TEST_CASE("renames keep rows and destructive changes wait for --allow-drop", "[plan][apply]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  const std::string dir = std::filesystem::temp_directory_path() / ("schemac_rename_" + db.name());
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/v1.schema",
            "table purchases {\n  id bigint primary key\n  label text not null\n  legacy text\n  amount integer\n}\n");
  REQUIRE(Schemac({"apply", dir + "/v1.schema", "--db", db.conninfo(), "--yes"}).exit == 0);
  c.Exec("INSERT INTO purchases VALUES (1, 'one', 'old-1', 10), (2, 'two', 'old-2', 20)");

  // v2: table and column renamed, a column dropped, a narrowing type change.
  WriteFile(dir + "/v2.schema",
            "table orders renamed from purchases {\n  id bigint primary key\n  title text not null renamed from label\n"
            "  amount smallint\n}\n");
  const RunResult plan = Schemac({"plan", dir + "/v2.schema", "--db", db.conninfo()});
  INFO(plan.out << plan.err);
  CHECK(plan.exit == 2);
  CHECK(plan.out.find("RENAME TO orders") != std::string::npos);
  CHECK(plan.out.find("RENAME COLUMN label TO title") != std::string::npos);
  CHECK(plan.out.find("DROP TABLE") == std::string::npos);

  const RunResult held = Schemac({"apply", dir + "/v2.schema", "--db", db.conninfo(), "--yes"});
  INFO(held.out << held.err);
  CHECK(held.exit == 3);  // destructive changes withheld
  // Every row and every value of every column is still there.
  CHECK(One(c, "SELECT string_agg(id || ':' || title || ':' || legacy || ':' || amount, ',' ORDER BY id) FROM orders") ==
        "1:one:old-1:10,2:two:old-2:20");

  const RunResult allowed = Schemac({"apply", dir + "/v2.schema", "--db", db.conninfo(), "--yes", "--allow-drop"});
  INFO(allowed.out << allowed.err);
  CHECK(allowed.exit == 0);
  CHECK(One(c, "SELECT string_agg(id || ':' || title || ':' || amount, ',' ORDER BY id) FROM orders") == "1:one:10,2:two:20");
  CHECK(One(c, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'legacy'") == "0");
  CHECK(Schemac({"plan", dir + "/v2.schema", "--db", db.conninfo()}).exit == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a role the server lacks stops the plan before anything runs", "[plan]") {
  schemac::test::ScratchDatabase db;
  const std::string dir = std::filesystem::temp_directory_path() / ("schemac_roles_" + db.name());
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/s.schema", "table t { id int }\ngrant select on t to schemac_no_such_role\n");
  const RunResult r = Schemac({"apply", dir + "/s.schema", "--db", db.conninfo(), "--yes"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("schemac_no_such_role") != std::string::npos);
  schemac::pg::Connection c(db.conninfo());
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "0");
  std::filesystem::remove_all(dir);
}
