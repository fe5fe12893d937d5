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

#include "cli/cli.h"
#include "runtime/pg/connection.h"
#include "tests/support/pgtest.h"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> FindSchemas(const fs::path& root) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(root)) {
    if ((entry.is_regular_file() && entry.path().extension() == ".schema") || entry.is_directory()) {
      found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<std::string> ReadRoles(const fs::path& schema) {
  fs::path file = fs::is_directory(schema) ? schema / "roles.txt" : fs::path(schema).replace_extension(".roles");
  std::vector<std::string> roles;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty()) roles.push_back(line);
  }
  return roles;
}

std::string QuoteIdent(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    out += c;
    if (c == '"') out += c;
  }
  return out + "\"";
}

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

void LoadSchema(const fs::path& schema) {
  std::ostringstream out, err;
  int code = schemac::cli::Run({"sql", schema.string()}, out, err, /*color=*/false);
  if (code != 0) FAIL("schemac sql " << schema.string() << " exited with " << code << "; stderr:\n" << err.str());
  const std::string sql = out.str();
  if (sql.empty()) FAIL("schemac sql " << schema.string() << " printed no SQL; stderr:\n" << err.str());

  fs::create_directories(SCHEMAC_TEST_OUTPUT_DIR);
  const std::string sql_file = (fs::path(SCHEMAC_TEST_OUTPUT_DIR) / (schema.stem().string() + ".sql")).string();
  std::ofstream(sql_file, std::ios::binary) << sql;

  schemac::test::ScratchDatabase db(schema.stem().string());
  schemac::pg::Connection conn(db.conninfo());
  for (const std::string& role : ReadRoles(schema)) {
    // Roles are cluster-wide and tests run in parallel: tolerate a concurrent creation too.
    conn.Exec("DO $$ BEGIN CREATE ROLE " + QuoteIdent(role) +
              "; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
  }
  try {
    conn.Exec(sql);
  } catch (const schemac::pg::DbError& e) {
    FAIL("loading the SQL of " << schema.string() << " failed:\n" << Describe(e, sql_file));
  }
  SUCCEED(schema.filename().string() << " loaded");
}

}  // namespace

TEST_CASE("schemas: every schema in schemas/ compiles and loads into PostgreSQL 15", "[integration]") {
  const fs::path root = fs::path(SCHEMAC_SOURCE_DIR) / "schemas";
  REQUIRE(fs::is_directory(root));
  const std::vector<fs::path> schemas = FindSchemas(root);
  if (schemas.empty()) {
    WARN("no *.schema files or directories in " << root.string());
    return;
  }
  schemac::test::TestConninfo();  // fail with instructions if there is no test database
  for (const fs::path& schema : schemas) {
    DYNAMIC_SECTION(schema.filename().string()) { LoadSchema(schema); }
  }
}
