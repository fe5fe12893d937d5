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

namespace {

// A directory for one test's schema versions, removed at the end.
struct SchemaDir {
  explicit SchemaDir(const std::string& name) : path(std::filesystem::temp_directory_path() / name) {
    std::filesystem::create_directories(path);
  }
  ~SchemaDir() { std::filesystem::remove_all(path); }
  std::string Write(const std::string& file, const std::string& text) const {
    WriteFile(path + "/" + file, text);
    return path + "/" + file;
  }
  std::string path;
};

}  // namespace

TEST_CASE("a type change without a cast is a gated drop and add, one with a cast keeps the values",
          "[plan][apply][cast]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  SchemaDir dir("schemac_nocast_" + db.name());
  const std::string v1 = dir.Write("v1.schema",
                                   "table events {\n  id bigint primary key\n  at bigint\n  n integer\n}\n"
                                   "view recent as select id, at from events\n");
  REQUIRE(Schemac({"apply", v1, "--db", db.conninfo(), "--yes"}).exit == 0);
  c.Exec("INSERT INTO events VALUES (1, 1700000000000, 10), (2, 1700000001000, 20)");

  // bigint -> timestamp has no cast in PostgreSQL; integer -> bigint has one.
  const std::string v2 = dir.Write("v2.schema",
                                   "table events {\n  id bigint primary key\n  at timestamp\n  n bigint\n}\n"
                                   "view recent as select id, at from events\n");
  const RunResult plan = Schemac({"plan", v2, "--db", db.conninfo()});
  INFO(plan.out << plan.err);
  CHECK(plan.exit == 2);
  CHECK(plan.out.find("DROP COLUMN at;") != std::string::npos);
  CHECK(plan.out.find("has no cast") != std::string::npos);
  CHECK(plan.out.find("ALTER COLUMN at TYPE") == std::string::npos);

  const RunResult held = Schemac({"apply", v2, "--db", db.conninfo(), "--yes"});
  INFO(held.out << held.err);
  CHECK(held.exit == 3);
  // The withheld column keeps its values (and its view); the castable one was converted.
  CHECK(One(c, "SELECT string_agg(id || ':' || at || ':' || n, ',' ORDER BY id) FROM events") ==
        "1:1700000000000:10,2:1700000001000:20");
  CHECK(One(c, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'events'::regclass "
               "AND attname = 'n'") == "bigint");
  CHECK(One(c, "SELECT count(*) FROM recent") == "2");

  const RunResult allowed = Schemac({"apply", v2, "--db", db.conninfo(), "--yes", "--allow-drop"});
  INFO(allowed.out << allowed.err);
  CHECK(allowed.exit == 0);
  CHECK(One(c, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'events'::regclass "
               "AND attname = 'at'") == "timestamp without time zone");
  CHECK(One(c, "SELECT string_agg(id || ':' || coalesce(at::text, 'null') || ':' || n, ',' ORDER BY id) FROM events") ==
        "1:null:10,2:null:20");
  CHECK(Schemac({"plan", v2, "--db", db.conninfo()}).exit == 0);
}

TEST_CASE("a key column without a cast, referenced by a foreign key, is recreated with its keys",
          "[plan][apply][cast]") {
  schemac::test::ScratchDatabase db;
  SchemaDir dir("schemac_nocast_fk_" + db.name());
  const std::string v1 = dir.Write("v1.schema",
                                   "table p { id bigint primary key }\n"
                                   "table c { p_id bigint references p (id) }\n");
  REQUIRE(Schemac({"apply", v1, "--db", db.conninfo(), "--yes"}).exit == 0);
  const std::string v2 = dir.Write("v2.schema",
                                   "table p { id timestamp primary key }\n"
                                   "table c { p_id timestamp references p (id) }\n");
  const RunResult allowed = Schemac({"apply", v2, "--db", db.conninfo(), "--yes", "--allow-drop"});
  INFO(allowed.out << allowed.err);
  CHECK(allowed.exit == 0);
  CHECK(Schemac({"plan", v2, "--db", db.conninfo()}).exit == 0);
}

TEST_CASE("the primary key moves to another column and the old key column becomes nullable, rows kept",
          "[plan][apply]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  SchemaDir dir("schemac_pk_switch_" + db.name());
  const std::string v1 = dir.Write("v1.schema", "table t {\n  id integer not null primary key\n  code integer not null\n}\n");
  REQUIRE(Schemac({"apply", v1, "--db", db.conninfo(), "--yes"}).exit == 0);
  c.Exec("INSERT INTO t VALUES (1, 100), (2, 200)");
  const std::string v2 = dir.Write("v2.schema", "table t {\n  id integer\n  code integer not null primary key\n}\n");
  const RunResult applied = Schemac({"apply", v2, "--db", db.conninfo(), "--yes"});
  INFO(applied.out << applied.err);
  CHECK(applied.exit == 0);
  CHECK(One(c, "SELECT string_agg(id || ':' || code, ',' ORDER BY id) FROM t") == "1:100,2:200");
  CHECK(One(c, "SELECT attnotnull FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'id'") == "f");
  CHECK(Schemac({"plan", v2, "--db", db.conninfo()}).exit == 0);
}

TEST_CASE("sql routines: created after the columns they name, kept when a table they name is gone",
          "[plan][apply][function]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  SchemaDir dir("schemac_sql_body_" + db.name());
  const std::string v1 = dir.Write("v1.schema",
                                   "table users { }\n"
                                   "procedure add_user(n text) language sql as $$ insert into users default values $$\n");
  REQUIRE(Schemac({"apply", v1, "--db", db.conninfo(), "--yes"}).exit == 0);
  const std::string v2 = dir.Write("v2.schema",
                                   "table users {\n  id integer\n  name text\n}\n"
                                   "procedure add_user(n text) language sql as $$ insert into users (id, name) values (1, n) $$\n");
  const RunResult applied = Schemac({"apply", v2, "--db", db.conninfo(), "--yes"});
  INFO(applied.out << applied.err);
  CHECK(applied.exit == 0);
  c.Exec("CALL add_user('ann')");
  CHECK(One(c, "SELECT name FROM users") == "ann");

  // The table goes; the procedure that names it stays (PostgreSQL accepts it: the body is bound
  // when it runs). check warns; plan and apply take it.
  const std::string v3 = dir.Write("v3.schema",
                                   "procedure add_user(n text) language sql as $$ insert into users (id, name) values (1, n) $$\n");
  const RunResult check = Schemac({"check", v3});
  CHECK(check.exit == 0);
  CHECK(check.err.find("warning: unknown table or view 'users'") != std::string::npos);
  const RunResult dropped = Schemac({"apply", v3, "--db", db.conninfo(), "--yes", "--allow-drop"});
  INFO(dropped.out << dropped.err);
  CHECK(dropped.exit == 0);
  CHECK(Schemac({"plan", v3, "--db", db.conninfo()}).exit == 0);
  // On an empty database the procedure is created as stored.
  schemac::test::ScratchDatabase fresh;
  const RunResult created = Schemac({"apply", v3, "--db", fresh.conninfo(), "--yes"});
  INFO(created.out << created.err);
  CHECK(created.exit == 0);
}
