// Every schema in schemas/ (a `*.schema` file or a top-level directory) compiles with `schemac sql`
// and the SQL loads into an empty PostgreSQL 15 database.
//
// Roles a schema needs are created first (they are cluster-wide): one role name per line in
// schemas/<name>.roles (for schemas/<name>.schema) or schemas/<dir>/roles.txt; '#' starts a comment.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/pg/connection.h"
#include "tests/support/examples.h"
#include "tests/support/pgtest.h"

namespace fs = std::filesystem;

namespace {

// SQLSTATE, message, DETAIL/HINT and the line of the generated SQL the error points at.
std::string Describe(const schemac::pg::DbError& e, const std::string& sql_file) {
  std::ostringstream s;
  s << "SQLSTATE " << (e.sqlstate.empty() ? "?" : e.sqlstate) << ": " << e.message << "\n";
  if (!e.detail.empty()) s << "DETAIL: " << e.detail << "\n";
  if (!e.hint.empty()) s << "HINT: " << e.hint << "\n";
  if (!e.context.empty()) s << "CONTEXT: " << e.context << "\n";
  size_t offset = e.PositionByteOffset();
  if (offset != std::string::npos) {
    size_t line_begin = e.statement.rfind('\n', offset == 0 ? 0 : offset - 1);
    line_begin = line_begin == std::string::npos || offset == 0 ? 0 : line_begin + 1;
    size_t line_end = e.statement.find('\n', offset);
    int line_no = 1 + static_cast<int>(std::count(e.statement.begin(), e.statement.begin() + static_cast<long>(offset), '\n'));
    s << "at line " << line_no << " of " << sql_file << ":\n"
      << e.statement.substr(line_begin, line_end == std::string::npos ? std::string::npos : line_end - line_begin) << "\n"
      << std::string(offset - line_begin, ' ') << "^\n";
  } else {
    s << "(no error position; the generated SQL is in " << sql_file << ")\n";
  }
  return s.str();
}

void LoadSchema(const schemac::test::ExampleSchema& example) {
  const fs::path schema(example.path);
  const schemac::test::CliResult r = schemac::test::RunCli({"sql", schema.string()});
  if (r.exit != 0) FAIL("schemac sql " << schema.string() << " exited with " << r.exit << "; stderr:\n" << r.err);
  const std::string& sql = r.out;
  if (sql.empty()) FAIL("schemac sql " << schema.string() << " printed no SQL; stderr:\n" << r.err);

  fs::create_directories(SCHEMAC_TEST_OUTPUT_DIR);
  const std::string sql_file = (fs::path(SCHEMAC_TEST_OUTPUT_DIR) / (schema.stem().string() + ".sql")).string();
  std::ofstream(sql_file, std::ios::binary) << sql;

  schemac::test::ScratchDatabase db(schema.stem().string());
  schemac::pg::Connection conn(db.conninfo());
  schemac::test::CreateRoles(conn, example.roles);
  try {
    conn.Exec(sql);
  } catch (const schemac::pg::DbError& e) {
    FAIL("loading the SQL of " << schema.string() << " failed:\n" << Describe(e, sql_file));
  }
  SUCCEED(schema.filename().string() << " loaded");
}

}  // namespace

TEST_CASE("schemas: every schema in schemas/ compiles and loads into PostgreSQL 15", "[integration]") {
  const std::vector<schemac::test::ExampleSchema> schemas = schemac::test::ExampleSchemas();
  REQUIRE(!schemas.empty());
  schemac::test::TestConninfo();  // fail with instructions if there is no test database
  for (const schemac::test::ExampleSchema& schema : schemas) {
    DYNAMIC_SECTION(schema.name) { LoadSchema(schema); }
  }
}
