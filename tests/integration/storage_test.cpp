// Storage parameters of tables and indexes (pg_class.reloptions) against a real PostgreSQL: created
// with the object, changed in place (SET/RESET, no rebuild), read back by inspect, and what the
// language cannot say (a TOAST table's parameters, a constraint index's) is reported, not lost.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/pg/connection.h"
#include "tests/support/workspace.h"

namespace {

using schemac::test::CliResult;
using schemac::test::One;
using schemac::test::RunCli;

struct Workspace : schemac::test::Workspace {
  Workspace() : schemac::test::Workspace("schemac_storage_") {}
};

const char* kV1 =
    "table events with (fillfactor = 70, autovacuum_enabled = false) {\n  id bigint primary key\n  kind text\n"
    "  index events_kind (kind) with (fillfactor = 80)\n}\n";
const char* kV2 =
    "table events with (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05) {\n  id bigint primary key\n"
    "  kind text\n  index events_kind (kind) with (deduplicate_items = off)\n}\n";

std::string RelOptions(schemac::pg::Connection& c, const std::string& rel) {
  return One(c, "SELECT coalesce((SELECT string_agg(o, ',' ORDER BY o) FROM unnest(reloptions) o), '') "
                "FROM pg_class WHERE relname = '" + rel + "'");
}

}  // namespace

TEST_CASE("storage parameters are created, changed in place and converge", "[storage]") {
  Workspace w;
  const CliResult first = RunCli(w.Args({"apply", w.Write("v1.schema", kV1), "--yes"}));
  INFO(first.out << first.err);
  REQUIRE(first.exit == 0);
  schemac::pg::Connection c(w.db.conninfo());
  CHECK(RelOptions(c, "events") == "autovacuum_enabled=false,fillfactor=70");
  CHECK(RelOptions(c, "events_kind") == "fillfactor=80");
  CHECK(RunCli(w.Args({"plan", w.dir + "/v1.schema"})).exit == 0);

  // A change is an ALTER ... SET / RESET: the index keeps its file (no rebuild).
  c.Exec("INSERT INTO events VALUES (1, 'a')");
  const std::string before = One(c, "SELECT relfilenode FROM pg_class WHERE relname = 'events_kind'");
  const CliResult plan = RunCli(w.Args({"plan", w.Write("v2.schema", kV2), "--format", "sql"}));
  INFO(plan.out << plan.err);
  CHECK(plan.exit == 2);
  CHECK(plan.out.find("ALTER INDEX public.events_kind SET (deduplicate_items=off);") != std::string::npos);
  CHECK(plan.out.find("RESET (autovacuum_enabled)") != std::string::npos);
  const CliResult second = RunCli(w.Args({"apply", w.dir + "/v2.schema", "--yes"}));
  INFO(second.out << second.err);
  REQUIRE(second.exit == 0);
  CHECK(RelOptions(c, "events") == "autovacuum_vacuum_scale_factor=0.05,fillfactor=90");
  CHECK(RelOptions(c, "events_kind") == "deduplicate_items=off");
  CHECK(One(c, "SELECT relfilenode FROM pg_class WHERE relname = 'events_kind'") == before);
  CHECK(One(c, "SELECT kind FROM events WHERE id = 1") == "a");
  CHECK(RunCli(w.Args({"plan", w.dir + "/v2.schema"})).exit == 0);

  // inspect writes them, and its output plans to nothing.
  const CliResult inspected = RunCli({"inspect", "--db", w.db.conninfo(), "-o", w.dir + "/inspected"});
  INFO(inspected.out << inspected.err);
  REQUIRE(inspected.exit == 0);
  const std::string text = schemac::test::ReadFile(w.dir + "/inspected/public.schema");
  CHECK(text.find("with (autovacuum_vacuum_scale_factor = 0.05, fillfactor = 90)") != std::string::npos);
  CHECK(text.find("with (deduplicate_items = off)") != std::string::npos);
  CHECK(RunCli(w.Args({"plan", w.dir + "/inspected"})).exit == 0);
}

TEST_CASE("storage parameters the language cannot say are reported, never changed", "[storage]") {
  Workspace w;
  schemac::pg::Connection c(w.db.conninfo());
  c.Exec("CREATE TABLE t (id bigint, body text, CONSTRAINT t_pkey PRIMARY KEY (id) WITH (fillfactor = 60))"
         " WITH (toast.autovacuum_enabled = false)");
  const CliResult plan =
      RunCli(w.Args({"plan", w.Write("t.schema", "table t {\n  id bigint primary key\n  body text\n}\n")}));
  INFO(plan.out << plan.err);
  CHECK((plan.out + plan.err).find("storage parameters of a TOAST table") != std::string::npos);
  CHECK((plan.out + plan.err).find("storage parameters of a constraint's index") != std::string::npos);
  CHECK(RunCli(w.Args({"apply", w.dir + "/t.schema", "--yes"})).exit != 1);
  CHECK(One(c, "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 't_pkey'") == "fillfactor=60");
}
