// Saved plans: `plan --out plan.json` records the live schema's fingerprint; `apply plan.json` runs
// the recorded statements only while the database still has that fingerprint, and verifies after.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "runtime/pg/connection.h"
#include "tests/support/pgtest.h"
#include "tests/support/workspace.h"

namespace {

using RunResult = schemac::test::CliResult;
using schemac::test::One;

RunResult Schemac(const std::vector<std::string>& args) { return schemac::test::RunCli(args); }

std::string Read(const std::string& path) { return schemac::test::ReadFile(path); }

struct Workspace : schemac::test::Workspace {
  Workspace() : schemac::test::Workspace("schemac_saved_") {}
};

const char* kV1 = "table accounts {\n  id bigint primary key\n  email text not null unique\n  note text\n}\n";
const char* kV2 =
    "table accounts {\n  id bigint primary key\n  email text not null unique\n  created_at timestamptz not null "
    "default now()\n  index accounts_created (created_at)\n}\n";

}  // namespace

TEST_CASE("a saved plan applies exactly what was planned, and verifies", "[plan][saved]") {
  Workspace w;
  const std::string schema = w.Write("v1.schema", kV1);
  const std::string file = w.dir + "/plan.json";
  const RunResult planned = Schemac(w.Args({"plan", schema, "--out", file}));
  INFO(planned.err);
  REQUIRE(planned.exit == 2);
  const std::string saved = Read(file);
  CHECK(saved.find("\"format\": \"schemac-plan/1\"") != std::string::npos);
  CHECK(saved.find("\"live_fingerprint\"") != std::string::npos);
  CHECK(saved.find("CREATE TABLE public.accounts") != std::string::npos);
  CHECK(saved.find("v1.schema:1:1") != std::string::npos);  // where each step came from
  // Same database, same schema: the same bytes.
  REQUIRE(Schemac(w.Args({"plan", schema, "--out", w.dir + "/again.json"})).exit == 2);
  CHECK(Read(w.dir + "/again.json") == saved);

  const RunResult applied = Schemac(w.Args({"apply", file, "--yes"}));
  INFO(applied.out << applied.err);
  CHECK(applied.exit == 0);
  CHECK(applied.out.find("still as it was") != std::string::npos);
  CHECK(applied.out.find("Verified: the database matches the schema.") != std::string::npos);
  schemac::pg::Connection c(w.db.conninfo());
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 'accounts'") == "1");
  CHECK(Schemac(w.Args({"plan", schema})).exit == 0);
  // Applying it again: the database has changed (by the plan itself), so it is refused.
  const RunResult again = Schemac(w.Args({"apply", file, "--yes"}));
  CHECK(again.exit == 4);
}

TEST_CASE("a saved plan made stale by a concurrent change is refused, and nothing runs", "[plan][saved]") {
  Workspace w;
  REQUIRE(Schemac(w.Args({"apply", w.Write("v1.schema", kV1), "--yes"})).exit == 0);
  schemac::pg::Connection c(w.db.conninfo());
  c.Exec("INSERT INTO accounts VALUES (1, 'a@example.com', 'keep me')");
  const std::string file = w.dir + "/plan.json";
  REQUIRE(Schemac(w.Args({"plan", w.Write("v2.schema", kV2), "--out", file})).exit == 2);
  // Someone changes the schema between plan and apply.
  c.Exec("CREATE INDEX accounts_note ON accounts (note)");
  const RunResult r = Schemac(w.Args({"apply", file, "--yes", "--allow-drop"}));
  INFO(r.out << r.err);
  CHECK(r.exit == 4);
  CHECK(r.err.find("has changed since") != std::string::npos);
  CHECK(r.err.find("nothing was applied") != std::string::npos);
  // Nothing ran: the column the plan drops is still there, with its value, and nothing was added.
  CHECK(One(c, "SELECT note FROM accounts WHERE id = 1") == "keep me");
  CHECK(One(c, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND "
               "column_name = 'created_at'") == "0");
}

TEST_CASE("a saved plan keeps destructive steps behind --allow-drop", "[plan][saved]") {
  Workspace w;
  REQUIRE(Schemac(w.Args({"apply", w.Write("v1.schema", kV1), "--yes"})).exit == 0);
  schemac::pg::Connection c(w.db.conninfo());
  c.Exec("INSERT INTO accounts VALUES (1, 'a@example.com', 'keep me')");
  const std::string file = w.dir + "/plan.json";
  REQUIRE(Schemac(w.Args({"plan", w.Write("v2.schema", kV2), "--out", file})).exit == 2);
  CHECK(Read(file).find("\"requires_allow_drop\": true") != std::string::npos);
  const RunResult held = Schemac(w.Args({"apply", file, "--yes"}));
  INFO(held.out << held.err);
  CHECK(held.exit == 3);
  CHECK(One(c, "SELECT note FROM accounts WHERE id = 1") == "keep me");
  CHECK(One(c, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND "
               "column_name = 'created_at'") == "1");
  // The withheld part needs a new plan: the database moved on.
  CHECK(Schemac(w.Args({"apply", file, "--yes", "--allow-drop"})).exit == 4);
  REQUIRE(Schemac(w.Args({"plan", w.dir + "/v2.schema", "--out", file})).exit == 2);
  const RunResult dropped = Schemac(w.Args({"apply", file, "--yes", "--allow-drop"}));
  INFO(dropped.out << dropped.err);
  CHECK(dropped.exit == 0);
  CHECK(Schemac(w.Args({"plan", w.dir + "/v2.schema"})).exit == 0);
}

TEST_CASE("a damaged saved plan and a wrong --out are clear errors", "[plan][saved]") {
  Workspace w;
  const std::string schema = w.Write("v1.schema", kV1);
  const RunResult bad_out = Schemac(w.Args({"plan", schema, "--out", w.dir + "/plan.txt"}));
  CHECK(bad_out.exit == 64);
  CHECK(bad_out.err.find("must end in .json") != std::string::npos);
  const std::string file = w.dir + "/plan.json";
  REQUIRE(Schemac(w.Args({"plan", schema, "--out", file})).exit == 2);
  std::string text = Read(file);
  const size_t at = text.find("\"email\"");
  REQUIRE(at != std::string::npos);
  text.replace(at, 7, "\"mail!\"");
  w.Write("plan.json", text);
  const RunResult r = Schemac(w.Args({"apply", file, "--yes"}));
  CHECK(r.exit == 1);
  CHECK(r.err.find("does not match its fingerprint") != std::string::npos);
  schemac::pg::Connection c(w.db.conninfo());
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 'accounts'") == "0");
}
