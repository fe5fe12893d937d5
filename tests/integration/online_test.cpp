// Online techniques on tables that already exist, against a real PostgreSQL: concurrent index
// builds outside transactions, NOT VALID + VALIDATE, SET NOT NULL through a validated check,
// UNIQUE through a concurrently built index, invalid indexes rebuilt, and an apply killed in the
// middle that a re-run finishes.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli.h"
#include "runtime/pg/connection.h"
#include "tests/support/pgtest.h"
#include "tests/support/workspace.h"

namespace {

using RunResult = schemac::test::CliResult;
using schemac::test::One;

RunResult Schemac(const std::vector<std::string>& args) { return schemac::test::RunCli(args); }

struct Workspace : schemac::test::Workspace {
  Workspace() : schemac::test::Workspace("schemac_online_") {}
};

const char* kBefore =
    "table customers {\n  id bigint primary key\n}\n"
    "table orders {\n  id bigint primary key\n  customer_id bigint\n  code text\n  amount integer\n"
    "  note text\n  index orders_note (note)\n}\n";
const char* kAfter =
    "table customers {\n  id bigint primary key\n}\n"
    "table orders {\n  id bigint primary key\n  customer_id bigint not null references customers (id)\n"
    "  code text unique\n  amount integer check (amount >= 0)\n  note text\n"
    "  index orders_note (lower(note))\n  index orders_customer (customer_id)\n}\n"
    "table fresh {\n  id bigint primary key\n  parent bigint references orders (id)\n  v integer check (v > 0)\n"
    "  index fresh_v (v)\n}\n";

void Fill(schemac::pg::Connection& c) {
  c.Exec("INSERT INTO customers SELECT g FROM generate_series(1, 50) g;"
         "INSERT INTO orders SELECT g, 1 + g % 50, 'c' || g, g, 'n' || g FROM generate_series(1, 2000) g");
}

std::string Rows(schemac::pg::Connection& c) {
  return One(c, "SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM orders o");
}

}  // namespace

TEST_CASE("changes to an existing table are made online, and converge", "[online]") {
  Workspace w;
  REQUIRE(Schemac(w.Args({"apply", w.Write("v1.schema", kBefore), "--yes"})).exit == 0);
  schemac::pg::Connection c(w.db.conninfo());
  Fill(c);
  c.Exec("ANALYZE");
  const std::string rows = Rows(c);
  const std::string v2 = w.Write("v2.schema", kAfter);

  const RunResult plan = Schemac(w.Args({"plan", v2}));
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit == 2);
  const std::string& sql = plan.out;
  // Indexes on the existing table: built concurrently; the changed one under a new name first.
  CHECK(sql.find("CREATE INDEX CONCURRENTLY orders_customer ON public.orders") != std::string::npos);
  CHECK(sql.find("CREATE INDEX CONCURRENTLY orders_note_schemac_new ON public.orders") != std::string::npos);
  CHECK(sql.find("DROP INDEX CONCURRENTLY public.orders_note;") != std::string::npos);
  CHECK(sql.find("ALTER INDEX public.orders_note_schemac_new RENAME TO orders_note;") != std::string::npos);
  CHECK(sql.find("orders_note_schemac_new ON") < sql.find("DROP INDEX CONCURRENTLY public.orders_note;"));
  // Check and foreign key: NOT VALID, then validated.
  CHECK(sql.find("ADD CONSTRAINT orders_amount_check CHECK (amount >= 0) NOT VALID;") != std::string::npos);
  CHECK(sql.find("VALIDATE CONSTRAINT orders_amount_check;") != std::string::npos);
  CHECK(sql.find("FOREIGN KEY (customer_id) REFERENCES public.customers (id) NOT VALID;") != std::string::npos);
  CHECK(sql.find("VALIDATE CONSTRAINT orders_customer_id_fkey;") != std::string::npos);
  // NOT NULL through a validated check, dropped afterwards.
  CHECK(sql.find("ADD CONSTRAINT orders_customer_id_schemac_not_null CHECK (customer_id IS NOT NULL) NOT VALID;") !=
        std::string::npos);
  CHECK(sql.find("VALIDATE CONSTRAINT orders_customer_id_schemac_not_null;") < sql.find("ALTER COLUMN customer_id SET NOT NULL;"));
  CHECK(sql.find("ALTER COLUMN customer_id SET NOT NULL;") < sql.find("DROP CONSTRAINT orders_customer_id_schemac_not_null;"));
  // Unique through a concurrently built index.
  CHECK(sql.find("CREATE UNIQUE INDEX CONCURRENTLY orders_code_key ON public.orders (code);") != std::string::npos);
  CHECK(sql.find("ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_key;") != std::string::npos);
  // Validation comes after everything that expands.
  CHECK(sql.find("VALIDATE CONSTRAINT") > sql.find("CREATE INDEX CONCURRENTLY orders_customer"));
  // Hazards name the table and its size estimate.
  CHECK(sql.find("-- hazards: index-build (public.orders: ~2,000 rows, ~0.") != std::string::npos);
  // The new table is empty: plain DDL.
  CHECK(sql.find("CREATE INDEX fresh_v ON public.fresh (v);") != std::string::npos);
  CHECK(sql.find("CONSTRAINT fresh_v_check CHECK (v > 0)\n") != std::string::npos);  // inline in CREATE TABLE
  CHECK(sql.find("REFERENCES public.orders (id) NOT VALID") == std::string::npos);

  const RunResult applied = Schemac(w.Args({"apply", v2, "--yes"}));
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit == 0);
  CHECK(applied.out.find("Verified: the database matches the schema.") != std::string::npos);
  CHECK(Schemac(w.Args({"plan", v2})).exit == 0);
  CHECK(Rows(c) == rows);
  CHECK(One(c, "SELECT count(*) FROM pg_constraint WHERE conname LIKE '%schemac%'") == "0");
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname LIKE '%schemac_new%'") == "0");
  CHECK(One(c, "SELECT bool_and(indisvalid)::text FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = 'orders'") == "true");
  CHECK(One(c, "SELECT bool_and(convalidated)::text FROM pg_constraint WHERE conrelid = 'orders'::regclass") == "true");
  CHECK(One(c, "SELECT pg_get_indexdef('orders_note'::regclass)") == "CREATE INDEX orders_note ON public.orders USING btree (lower(note))");
}

TEST_CASE("plain DDL with --no-online", "[online]") {
  Workspace w;
  REQUIRE(Schemac(w.Args({"apply", w.Write("v1.schema", kBefore), "--yes"})).exit == 0);
  const RunResult plan = Schemac(w.Args({"plan", w.Write("v2.schema", kAfter), "--no-online"}));
  INFO(plan.out);
  CHECK(plan.exit == 2);
  CHECK(plan.out.find("CONCURRENTLY") == std::string::npos);
  CHECK(plan.out.find("NOT VALID") == std::string::npos);
  CHECK(plan.out.find("ALTER COLUMN customer_id SET NOT NULL;") != std::string::npos);
  const RunResult applied = Schemac(w.Args({"apply", w.dir + "/v2.schema", "--yes", "--no-online"}));
  INFO(applied.out << applied.err);
  CHECK(applied.exit == 0);
}

TEST_CASE("an invalid index is detected and rebuilt, and a failed concurrent build leaves none behind", "[online]") {
  Workspace w;
  const std::string v1 = w.Write("v1.schema", "table t {\n  id bigint primary key\n  x integer\n  index t_x (x)\n}\n");
  REQUIRE(Schemac(w.Args({"apply", v1, "--yes"})).exit == 0);
  schemac::pg::Connection c(w.db.conninfo());
  c.Exec("INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 1000) g");
  // An interrupted build: a unique index over duplicates fails and stays, invalid.
  c.Exec("DROP INDEX t_x");
  CHECK_THROWS(c.Exec("CREATE UNIQUE INDEX CONCURRENTLY t_x ON t (x)"));
  REQUIRE(One(c, "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_x'::regclass") == "false");
  const RunResult plan = Schemac(w.Args({"plan", v1}));
  INFO(plan.out << plan.err);
  CHECK(plan.exit == 2);
  CHECK(plan.out.find("invalid: rebuilt") != std::string::npos);
  REQUIRE(Schemac(w.Args({"apply", v1, "--yes"})).exit == 0);
  CHECK(One(c, "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_x'::regclass") == "true");
  CHECK(Schemac(w.Args({"plan", v1})).exit == 0);

  // A unique index that cannot be built: apply fails, and no invalid index is left.
  const std::string v2 = w.Write("v2.schema", "table t {\n  id bigint primary key\n  x integer\n  index t_x (x)\n"
                                              "  unique index t_x_unique (x)\n}\n");
  const RunResult failed = Schemac(w.Args({"apply", v2, "--yes"}));
  INFO(failed.out << failed.err);
  CHECK(failed.exit == 1);
  CHECK(failed.err.find("23505") != std::string::npos);
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 't_x_unique'") == "0");
  // Once the data allows it, the same schema applies.
  c.Exec("UPDATE t SET x = id");
  REQUIRE(Schemac(w.Args({"apply", v2, "--yes"})).exit == 0);
  CHECK(Schemac(w.Args({"plan", v2})).exit == 0);
}

TEST_CASE("an apply killed in the middle is finished by the next one", "[online]") {
  Workspace w;
  REQUIRE(Schemac(w.Args({"apply", w.Write("v1.schema", kBefore), "--yes"})).exit == 0);
  schemac::pg::Connection c(w.db.conninfo());
  Fill(c);
  const std::string rows = Rows(c);
  const std::string v2 = w.Write("v2.schema", kAfter);
  // A transaction with an old snapshot: every CREATE INDEX CONCURRENTLY waits for it to end. The
  // first apply commits its first stage and then waits (retrying) in its first concurrent index
  // build; it is killed while it waits, and its server session with it.
  schemac::pg::Connection holder(w.db.conninfo());
  holder.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  holder.Exec("SELECT count(*) FROM customers");
  std::vector<std::string> args = w.Args({"apply", v2, "--yes", "--lock-timeout", "0.2", "--lock-retries", "1000"});
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::vector<char*> argv;
    std::string binary = SCHEMAC_BINARY;
    argv.push_back(binary.data());
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  bool progressed = false;
  for (int i = 0; i < 300 && !progressed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    progressed = One(c, "SELECT count(*) FROM pg_tables WHERE tablename = 'fresh'") == "1";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  c.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
         "AND pid <> pg_backend_pid() AND pid <> " + One(holder, "SELECT pg_backend_pid()"));
  holder.Exec("ROLLBACK");
  REQUIRE(progressed);
  CHECK(One(c, "SELECT outcome FROM schemac.history ORDER BY id DESC LIMIT 1") == "running");
  // The re-run plans only what is left, applies it and converges.
  const RunResult left = Schemac(w.Args({"plan", v2}));
  INFO(left.out);
  CHECK(left.exit == 2);
  CHECK(left.out.find("CREATE TABLE public.fresh") == std::string::npos);  // the first stage stays done
  const RunResult again = Schemac(w.Args({"apply", v2, "--yes"}));
  INFO(again.out << again.err);
  CHECK(again.exit == 0);
  CHECK(Schemac(w.Args({"plan", v2})).exit == 0);
  CHECK(Rows(c) == rows);
}
