// schemac::pg::Connection against the throwaway PostgreSQL 15 of the ctest fixture `pg`.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/pg/connection.h"
#include "tests/support/pgtest.h"

using schemac::pg::Connection;
using schemac::pg::DbError;
using schemac::pg::RedactConninfo;
using schemac::test::ScratchDatabase;
using schemac::test::TestConninfo;

namespace {

// Runs `sql`, which must fail, and returns the error.
DbError ExecError(Connection& conn, const std::string& sql) {
  try {
    conn.Exec(sql);
  } catch (const DbError& e) {
    return e;
  }
  FAIL("expected a DbError from: " << sql);
  return DbError("unreachable");
}

// 1-based character position of the first `needle` in `haystack` (which must be ASCII up to it).
int PosOf(const std::string& haystack, const std::string& needle) {
  return static_cast<int>(haystack.find(needle)) + 1;
}

}  // namespace

TEST_CASE("Connection: connects to the test server, which is PostgreSQL 15", "[pg]") {
  Connection conn(TestConninfo());
  CHECK_THAT(conn.ServerVersion(), Catch::Matchers::StartsWith("15"));
  auto rows = conn.Query("SELECT 1, NULL::text, 'x y' UNION ALL SELECT 2, 'b', '' ORDER BY 1");
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].size() == 3);
  CHECK(rows[0][0] == "1");
  CHECK_FALSE(rows[0][1].has_value());
  CHECK(rows[0][2] == "x y");
  CHECK(rows[1][1] == "b");
  CHECK(rows[1][2] == "");  // empty string is not NULL
  CHECK(conn.Query("SELECT 1 WHERE false").empty());
}

TEST_CASE("Connection: Exec runs a multi-statement script outside a transaction", "[pg]") {
  ScratchDatabase db("exec");
  Connection conn(db.conninfo());
  conn.Exec("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1), (2);\nCREATE INDEX t_a ON t (a);");
  CHECK(conn.Query("SELECT count(*) FROM t")[0][0] == "2");
  // No transaction left open: a statement that refuses transaction blocks works.
  conn.Exec("VACUUM t");
  // Current database is the scratch one.
  CHECK(conn.Query("SELECT current_database()")[0][0] == db.name());
}

TEST_CASE("Connection: a syntax error throws DbError 42601 with statement and position", "[pg]") {
  Connection conn(TestConninfo());
  const std::string sql = "SELECT 1;\nSELEC 2";
  DbError e = ExecError(conn, sql);
  CHECK(e.sqlstate == "42601");
  CHECK(e.statement == sql);
  CHECK(e.message == "syntax error at or near \"SELEC\"");
  CHECK(std::string(e.what()) == e.message);
  CHECK(e.position == PosOf(sql, "SELEC "));
  CHECK(e.PositionByteOffset() == sql.find("SELEC "));
  CHECK_FALSE(e.IsConnectionError());
}

TEST_CASE("Connection: error positions for other SQLSTATEs are recovered", "[pg]") {
  ScratchDatabase db("positions");
  Connection conn(db.conninfo());

  SECTION("undefined type on line 2") {
    const std::string sql = "CREATE TABLE a (x int);\nCREATE TABLE b (y nosuchtype);";
    DbError e = ExecError(conn, sql);
    CHECK(e.sqlstate == "42704");
    CHECK(e.message == "type \"nosuchtype\" does not exist");
    CHECK(e.position == PosOf(sql, "nosuchtype"));
  }
  SECTION("undefined column, with a hint-less message") {
    const std::string sql = "SELECT nosuchcol FROM pg_class";
    DbError e = ExecError(conn, sql);
    CHECK(e.sqlstate == "42703");
    CHECK(e.position == 8);
  }
  SECTION("undefined function carries a HINT") {
    const std::string sql = "SELECT 1;\r\n  SELECT nosuchfn(1)";
    DbError e = ExecError(conn, sql);
    CHECK(e.sqlstate == "42883");
    CHECK(e.position == PosOf(sql, "nosuchfn"));
    CHECK_THAT(e.hint, Catch::Matchers::StartsWith("No function matches"));
  }
  SECTION("long line, tabs and non-ASCII characters (libpq truncates the display)") {
    const std::string sql =
        "SELECT 'äöü\tx', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, "
        "\t'€€', nosuchcol, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36 FROM pg_class";
    DbError e = ExecError(conn, sql);
    CHECK(e.sqlstate == "42703");
    REQUIRE(e.position > 0);
    CHECK(e.PositionByteOffset() == sql.find("nosuchcol"));
  }
  SECTION("no position: duplicate table") {
    DbError e = ExecError(conn, "CREATE TABLE d (a int); CREATE TABLE d (a int)");
    CHECK(e.sqlstate == "42P07");
    CHECK(e.position == 0);
    CHECK(e.PositionByteOffset() == std::string::npos);
  }
}

TEST_CASE("Connection: DETAIL, HINT and CONTEXT are captured", "[pg]") {
  Connection conn(TestConninfo());
  DbError e = ExecError(conn,
                        "DO $$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = E'first\\nsecond', HINT = 'try again', "
                        "ERRCODE = '22023'; END $$");
  CHECK(e.sqlstate == "22023");
  CHECK(e.message == "boom");
  CHECK(e.detail == "first\nsecond");
  CHECK(e.hint == "try again");
  CHECK_THAT(e.context, Catch::Matchers::Contains("PL/pgSQL"));
}

TEST_CASE("Connection: notices reach the notice handler", "[pg]") {
  Connection conn(TestConninfo());
  std::vector<std::string> notices;
  conn.SetNoticeHandler([&](const std::string& msg) { notices.push_back(msg); });
  conn.Exec("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$");
  REQUIRE(notices.size() == 1);
  CHECK(notices[0] == "NOTICE:  hello 42\n");
  conn.SetNoticeHandler(nullptr);
  conn.Exec("DO $$ BEGIN RAISE NOTICE 'dropped'; END $$");
  CHECK(notices.size() == 1);
}

TEST_CASE("Connection: is movable", "[pg]") {
  Connection a(TestConninfo());
  Connection b(std::move(a));
  CHECK(b.Query("SELECT 42")[0][0] == "42");
  Connection c(TestConninfo());
  c = std::move(b);
  CHECK(c.Query("SELECT 43")[0][0] == "43");
}

TEST_CASE("Connection: ScratchDatabase is created empty and dropped afterwards", "[pg]") {
  Connection admin(TestConninfo());
  std::string name;
  {
    ScratchDatabase db("lifecycle");
    name = db.name();
    CHECK(admin.Query("SELECT 1 FROM pg_database WHERE datname = '" + name + "'").size() == 1);
    Connection conn(db.conninfo());
    CHECK(conn.Query("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")[0][0] == "0");
    // An open connection does not prevent the drop (WITH (FORCE)); `conn` outlives nothing here.
  }
  CHECK(admin.Query("SELECT 1 FROM pg_database WHERE datname = '" + name + "'").empty());
}

TEST_CASE("Connection: failure to connect never shows the password", "[pg]") {
  SECTION("URI with user:password@ to a closed port") {
    const std::string uri = "postgresql://bob:s3cr3t-Pw@127.0.0.1:1/db?connect_timeout=5";
    try {
      Connection conn(uri);
      FAIL("connected to port 1?");
    } catch (const DbError& e) {
      CHECK(e.sqlstate == "08001");
      CHECK(e.IsConnectionError());
      CHECK_THAT(e.message, Catch::Matchers::Contains("bob@127.0.0.1:1"));
      CHECK_THAT(e.message, !Catch::Matchers::Contains("s3cr3t"));
      CHECK_THAT(e.detail, !Catch::Matchers::Contains("s3cr3t"));
    }
  }
  SECTION("keyword/value conninfo with password=") {
    try {
      Connection conn("host=127.0.0.1 port=1 user=bob password='s3cr3t pw' connect_timeout=5");
      FAIL("connected to port 1?");
    } catch (const DbError& e) {
      CHECK(e.sqlstate == "08001");
      CHECK_THAT(e.message, !Catch::Matchers::Contains("s3cr3t"));
    }
  }
  SECTION("malformed conninfo that libpq echoes") {
    try {
      Connection conn("host=127.0.0.1 port=1 password s3cr3t");
      FAIL("accepted a malformed conninfo?");
    } catch (const DbError& e) {
      CHECK(e.sqlstate == "08001");
      CHECK_THAT(e.message, !Catch::Matchers::Contains("s3cr3t"));
    }
  }
}

TEST_CASE("RedactConninfo strips passwords", "[redact]") {
  CHECK(RedactConninfo("postgresql://bob:secret@db.example:5432/app") == "postgresql://bob@db.example:5432/app");
  CHECK(RedactConninfo("postgres://bob:p%40ss@h1:1,h2:2/app?sslmode=require&password=x&application_name=a") ==
        "postgres://bob@h1:1,h2:2/app?sslmode=require&application_name=a");
  CHECK(RedactConninfo("postgresql://bob:we@rd@host/db") == "postgresql://bob@host/db");
  CHECK(RedactConninfo("postgresql://bob@host/db") == "postgresql://bob@host/db");
  CHECK(RedactConninfo("postgresql://host/db?password=x") == "postgresql://host/db");
  CHECK(RedactConninfo("postgresql:///db") == "postgresql:///db");
  CHECK(RedactConninfo("host=h password=secret user=bob") == "host=h user=bob");
  CHECK(RedactConninfo("host=h password = 'se cr\\'et' dbname=x") == "host=h dbname=x");
  CHECK(RedactConninfo("host=h password secret") == "host=h ...");
  CHECK(RedactConninfo("") == "");
}
