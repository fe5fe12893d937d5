// Migration files: `plan --out-dir` writes numbered files with from/to fingerprints; `migrate`
// applies the files a database has not reached, checks each before and verifies it after.
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

struct Workspace {
  schemac::test::ScratchDatabase dev;   // where the files are made
  schemac::test::ScratchDatabase prod;  // where they are deployed
  std::string dir;
  Workspace() : dir(std::filesystem::temp_directory_path() / ("schemac_migrate_" + dev.name())) {
    std::filesystem::create_directories(dir + "/migrations");
  }
  ~Workspace() { std::filesystem::remove_all(dir); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir + "/" + name) << text;
    return dir + "/" + name;
  }
  std::string Migrations() const { return dir + "/migrations"; }
  // plan --out-dir against the dev database, then apply there (so the next file starts from it).
  RunResult Generate(const std::string& schema, const std::string& name, bool allow_drop = false) const {
    std::vector<std::string> args = {"plan", schema, "--db", dev.conninfo(), "--dev-db", schemac::test::TestConninfo(),
                                     "--out-dir", Migrations(), "--name", name};
    if (allow_drop) args.push_back("--allow-drop");
    RunResult r = Schemac(args);
    std::vector<std::string> apply = {"apply", schema, "--db", dev.conninfo(), "--dev-db", schemac::test::TestConninfo(), "--yes"};
    if (allow_drop) apply.push_back("--allow-drop");
    if (r.exit == 2) REQUIRE(Schemac(apply).exit == 0);
    return r;
  }
  RunResult Migrate(const std::string& db, bool allow_drop = false) const {
    std::vector<std::string> args = {"migrate", Migrations(), "--db", db};
    if (allow_drop) args.push_back("--allow-drop");
    return Schemac(args);
  }
};

const char* kV1 = "table accounts {\n  id bigint primary key\n  email text not null\n  note text\n}\n";
const char* kV2 =
    "table accounts {\n  id bigint primary key\n  email text not null unique\n  note text\n"
    "  created_at timestamptz not null default now()\n  index accounts_created (created_at)\n}\n";
const char* kV3 =
    "table accounts {\n  id bigint primary key\n  email text not null unique\n"
    "  created_at timestamptz not null default now()\n  index accounts_created (created_at)\n}\n";

}  // namespace

TEST_CASE("migrate applies the files in order, skips what is there, and verifies", "[migrate]") {
  Workspace w;
  REQUIRE(w.Generate(w.Write("v1.schema", kV1), "create accounts").exit == 2);
  REQUIRE(w.Generate(w.Write("v2.schema", kV2), "email unique").exit == 2);
  const std::string first = w.Migrations() + "/0001_create_accounts.sql";
  const std::string second = w.Migrations() + "/0002_email_unique.sql";
  REQUIRE(std::filesystem::exists(first));
  REQUIRE(std::filesystem::exists(second));
  const std::string text = Read(second);
  CHECK(text.rfind("-- schemac migration 0002_email_unique\n-- from: ", 0) == 0);
  CHECK(text.find("\n-- to: ") != std::string::npos);
  CHECK(text.find("-- schemac:stage expand no transaction") != std::string::npos);  // the concurrent index
  // Nothing left to write: no file.
  CHECK(w.Generate(w.dir + "/v2.schema", "nothing").exit == 0);
  CHECK_FALSE(std::filesystem::exists(w.Migrations() + "/0003_nothing.sql"));

  const RunResult r = w.Migrate(w.prod.conninfo());
  INFO(r.out << r.err);
  CHECK(r.exit == 0);
  CHECK(r.out.find("+ 0001_create_accounts: applied and verified") != std::string::npos);
  CHECK(r.out.find("+ 0002_email_unique: applied and verified") != std::string::npos);
  schemac::pg::Connection prod(w.prod.conninfo());
  CHECK(One(prod, "SELECT string_agg(migration || ':' || outcome, ',' ORDER BY id) FROM schemac.history") ==
        "0001_create_accounts:applied,0002_email_unique:applied");
  // The database now is what the schema says.
  CHECK(Schemac({"plan", w.dir + "/v2.schema", "--db", w.prod.conninfo(), "--dev-db", schemac::test::TestConninfo()}).exit == 0);
  // Again: nothing to do.
  const RunResult again = w.Migrate(w.prod.conninfo());
  CHECK(again.exit == 0);
  CHECK(again.out.find("0 applied, 2 already there") != std::string::npos);
  // A database that got there another way (apply) is skipped file by file, by its state.
  schemac::test::ScratchDatabase other;
  REQUIRE(Schemac({"apply", w.dir + "/v1.schema", "--db", other.conninfo(), "--dev-db", schemac::test::TestConninfo(), "--yes"}).exit == 0);
  const RunResult skip = w.Migrate(other.conninfo());
  INFO(skip.out << skip.err);
  CHECK(skip.exit == 0);
  CHECK(skip.out.find("= 0001_create_accounts: the database is already at its to-state; skipped") != std::string::npos);
  CHECK(skip.out.find("+ 0002_email_unique: applied and verified") != std::string::npos);
}

TEST_CASE("an edited migration is fine when the result verifies, and refused when it does not", "[migrate]") {
  Workspace w;
  REQUIRE(w.Generate(w.Write("v1.schema", kV1), "create").exit == 2);
  const std::string file = w.Migrations() + "/0001_create.sql";
  // A person adds a comment line and a harmless statement: still the same result.
  std::string text = Read(file);
  text += "-- reviewed by the DBA\nSELECT 1;\n";
  std::ofstream(file) << text;
  const RunResult ok = w.Migrate(w.prod.conninfo());
  INFO(ok.out << ok.err);
  CHECK(ok.exit == 0);

  // An edit that changes the result does not verify.
  schemac::test::ScratchDatabase other;
  std::ofstream(file) << text + "ALTER TABLE public.accounts ADD COLUMN surprise integer;\n";
  const RunResult bad = w.Migrate(other.conninfo());
  INFO(bad.out << bad.err);
  CHECK(bad.exit == 1);
  CHECK(bad.err.find("not at the file's to-state") != std::string::npos);
  schemac::pg::Connection c(other.conninfo());
  CHECK(One(c, "SELECT outcome FROM schemac.history ORDER BY id DESC LIMIT 1") == "failed");
}

TEST_CASE("a failing migration rolls back whole, and a database elsewhere stops migrate", "[migrate]") {
  Workspace w;
  REQUIRE(w.Generate(w.Write("v1.schema", kV1), "create").exit == 2);
  const std::string file = w.Migrations() + "/0001_create.sql";
  const std::string good = Read(file);
  std::ofstream(file) << good + "ALTER TABLE public.no_such_table ADD COLUMN x integer;\n";
  const RunResult failed = w.Migrate(w.prod.conninfo());
  INFO(failed.out << failed.err);
  CHECK(failed.exit == 1);
  CHECK(failed.err.find("42P01") != std::string::npos);
  CHECK(failed.err.find("rolled back whole") != std::string::npos);
  schemac::pg::Connection prod(w.prod.conninfo());
  CHECK(One(prod, "SELECT count(*) FROM pg_class WHERE relname = 'accounts'") == "0");
  std::ofstream(file) << good;

  // Someone changed the database by hand: neither from- nor to-state.
  prod.Exec("CREATE TABLE hand_made (id int)");
  const RunResult elsewhere = w.Migrate(w.prod.conninfo());
  INFO(elsewhere.out << elsewhere.err);
  CHECK(elsewhere.exit == 1);
  CHECK(elsewhere.err.find("neither at the file's from-state nor at its to-state") != std::string::npos);
  CHECK(One(prod, "SELECT count(*) FROM pg_class WHERE relname = 'accounts'") == "0");
}

TEST_CASE("destructive migrations need --allow-drop to be written and to run", "[migrate]") {
  Workspace w;
  REQUIRE(w.Generate(w.Write("v2.schema", kV2), "create").exit == 2);
  REQUIRE(w.Migrate(w.prod.conninfo()).exit == 0);
  schemac::pg::Connection prod(w.prod.conninfo());
  prod.Exec("INSERT INTO accounts (id, email, note) VALUES (1, 'a@example.com', 'keep')");
  const std::string v3 = w.Write("v3.schema", kV3);
  const RunResult refused = w.Generate(v3, "drop note");
  CHECK(refused.exit == 3);
  CHECK(refused.err.find("--allow-drop") != std::string::npos);
  REQUIRE(w.Generate(v3, "drop note", true).exit == 2);
  CHECK(Read(w.Migrations() + "/0002_drop_note.sql").find("-- destructive: yes") != std::string::npos);
  const RunResult held = w.Migrate(w.prod.conninfo());
  CHECK(held.exit == 3);
  CHECK(One(prod, "SELECT note FROM accounts") == "keep");
  const RunResult dropped = w.Migrate(w.prod.conninfo(), true);
  INFO(dropped.out << dropped.err);
  CHECK(dropped.exit == 0);
  CHECK(One(prod, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'note'") == "0");
}
