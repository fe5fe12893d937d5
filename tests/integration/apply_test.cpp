// The apply executor against a real PostgreSQL: stages commit or roll back whole, failures carry the
// statement, SQLSTATE and .schema location, every apply is recorded, and concurrent applies exclude
// each other with a bounded wait.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "runtime/apply/apply.h"
#include "runtime/pg/connection.h"
#include "tests/support/pgtest.h"

using schemac::apply::Apply;
using schemac::apply::LockTimeout;
using schemac::apply::Options;
using schemac::apply::Stage;
using schemac::apply::Statement;
using schemac::apply::StatementError;

namespace {

std::string One(schemac::pg::Connection& c, const std::string& sql) { return c.Query(sql)[0][0].value_or("NULL"); }

Statement S(std::string sql, uint32_t line = 0) {
  Statement s;
  s.sql = std::move(sql);
  if (line > 0) s.loc = {0, line, line + 1};
  return s;
}

}  // namespace

TEST_CASE("stages commit in order and the apply is recorded", "[apply]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  Options o;
  o.applied_by = "tester";
  o.target_fingerprint = "abc123";
  const auto out = Apply(c, {Stage{"expand", true, {S("CREATE TABLE a (id int)"), S("CREATE TABLE b (id int)")}},
                             Stage{"contract", true, {S("DROP TABLE b")}}},
                         o);
  CHECK(out.statements_run == 3);
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname IN ('a','b') AND relkind = 'r'") == "1");
  CHECK(One(c, "SELECT outcome || ' ' || stages_done || ' ' || target_fingerprint || ' ' || applied_by || ' ' || "
               "array_length(statements, 1) FROM schemac.history WHERE id = " + std::to_string(out.history_id)) ==
        "applied 2 abc123 tester 3");
}

TEST_CASE("a failing statement rolls back its whole stage and says where it came from", "[apply]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  Options o;
  o.applied_by = "tester";
  try {
    Apply(c, {Stage{"expand", true, {S("CREATE TABLE kept (id int)")}},
              Stage{"contract", true, {S("CREATE TABLE rolled_back (id int)"), S("ALTER TABLE missing ADD COLUMN x int", 42)}}},
          o);
    FAIL("the failing statement did not throw");
  } catch (const StatementError& e) {
    CHECK(e.cause.sqlstate == "42P01");
    CHECK(e.statement.sql == "ALTER TABLE missing ADD COLUMN x int");
    CHECK(e.statement.loc.begin == 42);
    CHECK(e.stage == "contract");
  }
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 'kept'") == "1");
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 'rolled_back'") == "0");
  CHECK(One(c, "SELECT outcome || ' ' || stages_done FROM schemac.history") == "failed 1");
  CHECK(One(c, "SELECT error FROM schemac.history").find("42P01") != std::string::npos);
}

TEST_CASE("a failure in the first stage leaves nothing behind but the record of it", "[apply]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  CHECK_THROWS_AS(Apply(c, {Stage{"expand", true, {S("CREATE TABLE t (id int)"), S("CREATE TABLE t (id int)")}}}, Options{}),
                  StatementError);
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "0");
  CHECK(One(c, "SELECT outcome FROM schemac.history") == "failed");
}

TEST_CASE("a concurrent apply waits a bounded time and names the lock holder", "[apply]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection holder(db.conninfo());
  schemac::pg::Connection c(db.conninfo());
  const std::string holder_pid = One(holder, "SELECT pg_backend_pid()");
  holder.Exec("BEGIN");
  holder.Exec("SELECT pg_advisory_xact_lock(" + std::to_string(schemac::apply::kApplyLockKey) + ")");
  Options o;
  o.lock_wait = std::chrono::milliseconds(300);
  try {
    Apply(c, {Stage{"expand", true, {S("CREATE TABLE t (id int)")}}}, o);
    FAIL("apply ran while another held the lock");
  } catch (const LockTimeout& e) {
    CHECK(std::string(e.what()).find("pid " + holder_pid) != std::string::npos);
  }
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "0");
  holder.Exec("COMMIT");
  Apply(c, {Stage{"expand", true, {S("CREATE TABLE t (id int)")}}}, o);
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "1");
}

TEST_CASE("a statement that cannot get its table lock is retried, and succeeds once the lock is free",
          "[apply][locks]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection setup(db.conninfo());
  setup.Exec("CREATE TABLE busy (id int); INSERT INTO busy VALUES (1), (2)");
  schemac::pg::Connection holder(db.conninfo());
  holder.Exec("BEGIN");
  holder.Exec("LOCK TABLE busy IN ACCESS SHARE MODE");  // a long-running reader
  Options o;
  o.statement_lock_timeout = std::chrono::milliseconds(100);
  o.lock_retry_pause = std::chrono::milliseconds(100);
  o.lock_retries = 30;
  std::vector<schemac::apply::Retry> seen;
  std::thread release([&holder] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    holder.Exec("COMMIT");
  });
  schemac::pg::Connection c(db.conninfo());
  const auto out = Apply(c, {Stage{"expand", true, {S("CREATE TABLE other (id int)"), S("ALTER TABLE busy ADD COLUMN note text")}}},
                         o, [&seen](const schemac::apply::Retry& r) { seen.push_back(r); });
  release.join();
  CHECK(out.statements_run == 2);
  REQUIRE(!out.retries.empty());
  CHECK(out.retries.size() == seen.size());
  CHECK(out.retries.front().statement.sql == "ALTER TABLE busy ADD COLUMN note text");
  CHECK(out.retries.front().attempt == 1);
  CHECK(out.retries.front().message.find("lock timeout") != std::string::npos);
  // The pauses grow (jitter keeps them within [0.5, 1.5) of 100 ms * 2^(n-1)).
  for (size_t i = 0; i < out.retries.size(); ++i) {
    const double nominal = 100.0 * std::pow(2.0, static_cast<double>(i));
    CHECK(out.retries[i].pause.count() >= static_cast<int64_t>(std::min(nominal, 10000.0) * 0.5) - 1);
    CHECK(out.retries[i].pause.count() < static_cast<int64_t>(std::min(nominal, 10000.0) * 1.5) + 1);
  }
  // Everything of the stage is there, rows included: the retry rolled back only the statement.
  CHECK(One(c, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'busy' AND column_name = 'note'") == "1");
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 'other'") == "1");
  CHECK(One(c, "SELECT count(*) FROM busy") == "2");
}

TEST_CASE("a lock that is never released fails the statement after the retries, and the stage rolls back",
          "[apply][locks]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection setup(db.conninfo());
  setup.Exec("CREATE TABLE busy (id int)");
  schemac::pg::Connection holder(db.conninfo());
  holder.Exec("BEGIN");
  holder.Exec("LOCK TABLE busy IN ACCESS SHARE MODE");
  Options o;
  o.statement_lock_timeout = std::chrono::milliseconds(50);
  o.lock_retry_pause = std::chrono::milliseconds(20);
  o.lock_retries = 2;
  schemac::pg::Connection c(db.conninfo());
  try {
    Apply(c, {Stage{"expand", true, {S("CREATE TABLE other (id int)"), S("ALTER TABLE busy ADD COLUMN note text", 7)}}}, o);
    FAIL("the statement ran although the lock was never free");
  } catch (const StatementError& e) {
    CHECK(e.cause.sqlstate == "55P03");
    CHECK(e.cause.message.find("tried 3 times") != std::string::npos);
    CHECK(e.statement.loc.begin == 7);
  }
  holder.Exec("COMMIT");
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 'other'") == "0");
  CHECK(One(c, "SELECT outcome FROM schemac.history ORDER BY id DESC LIMIT 1") == "failed");
}

TEST_CASE("statements run under a statement_timeout, longer for index builds", "[apply][locks]") {
  CHECK(schemac::apply::IsLongRunning("CREATE INDEX i ON t (a);"));
  CHECK(schemac::apply::IsLongRunning("create unique index concurrently i on t (a);"));
  CHECK(schemac::apply::IsLongRunning("ALTER TABLE t VALIDATE CONSTRAINT c;"));
  CHECK_FALSE(schemac::apply::IsLongRunning("ALTER TABLE t ADD COLUMN a int;"));
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  Options o;
  o.statement_timeout = std::chrono::milliseconds(200);
  try {
    Apply(c, {Stage{"expand", true, {S("SELECT pg_sleep(3)")}}}, o);
    FAIL("the statement outlived its statement_timeout");
  } catch (const StatementError& e) {
    CHECK(e.cause.sqlstate == "57014");
  }
}

TEST_CASE("the plan check runs with the lock held and can stop the apply before anything runs", "[apply]") {
  schemac::test::ScratchDatabase db;
  schemac::pg::Connection c(db.conninfo());
  schemac::pg::Connection observer(db.conninfo());
  const std::vector<Stage> stages = {Stage{"expand", true, {S("CREATE TABLE t (id int)")}}};
  Options o;
  o.lock_wait = std::chrono::milliseconds(300);
  bool checked = false;
  o.check = [&](schemac::pg::Connection&) {
    checked = true;
    // Another session cannot take the apply lock now.
    CHECK(One(observer, "SELECT pg_try_advisory_lock(" + std::to_string(schemac::apply::kApplyLockKey) + ")") == "f");
    return schemac::apply::Recheck::NothingToDo;
  };
  const auto nothing = Apply(c, stages, o);
  CHECK(checked);
  CHECK(nothing.nothing_to_do);
  CHECK(nothing.statements_run == 0);
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "0");
  CHECK(One(c, "SELECT outcome || ' ' || cardinality(statements) FROM schemac.history WHERE id = " +
               std::to_string(nothing.history_id)) == "applied 0");
  // The lock is released when the apply returns.
  CHECK(One(observer, "SELECT pg_try_advisory_lock(" + std::to_string(schemac::apply::kApplyLockKey) + ")") == "t");
  observer.Exec("SELECT pg_advisory_unlock(" + std::to_string(schemac::apply::kApplyLockKey) + ")");

  o.check = [](schemac::pg::Connection&) -> schemac::apply::Recheck {
    throw schemac::apply::PlanOutdated("the database changed");
  };
  CHECK_THROWS_AS(Apply(c, stages, o), schemac::apply::PlanOutdated);
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "0");
  CHECK(One(c, "SELECT outcome || ' ' || error FROM schemac.history ORDER BY id DESC LIMIT 1") ==
        "failed the database changed");

  o.check = [](schemac::pg::Connection&) { return schemac::apply::Recheck::Proceed; };
  CHECK(Apply(c, stages, o).statements_run == 1);
  CHECK(One(c, "SELECT count(*) FROM pg_class WHERE relname = 't'") == "1");
}

TEST_CASE("the apply lock of another database neither blocks nor is named", "[apply]") {
  schemac::test::ScratchDatabase db;
  schemac::test::ScratchDatabase other_db;
  schemac::pg::Connection elsewhere(other_db.conninfo());
  schemac::pg::Connection holder(db.conninfo());
  schemac::pg::Connection c(db.conninfo());
  const std::string key = std::to_string(schemac::apply::kApplyLockKey);
  const std::string elsewhere_pid = One(elsewhere, "SELECT pg_backend_pid()");
  const std::string holder_pid = One(holder, "SELECT pg_backend_pid()");
  elsewhere.Exec("SELECT pg_advisory_lock(" + key + ")");
  Options o;
  o.lock_wait = std::chrono::milliseconds(300);
  // Only the other database's apply holds the key: this one runs at once.
  const auto free = Apply(c, {Stage{"expand", true, {S("CREATE TABLE t (id int)")}}}, o);
  CHECK(free.waited_for.empty());
  CHECK(free.statements_run == 1);
  // With a holder here too, the message names that one.
  holder.Exec("SELECT pg_advisory_lock(" + key + ")");
  try {
    Apply(c, {Stage{"expand", true, {S("CREATE TABLE u (id int)")}}}, o);
    FAIL("apply ran while another held the lock");
  } catch (const LockTimeout& e) {
    CHECK(std::string(e.what()).find("pid " + holder_pid + " ") != std::string::npos);
    CHECK(std::string(e.what()).find("pid " + elsewhere_pid + " ") == std::string::npos);
  }
}
