#include "runtime/apply/apply.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>
#include <thread>

namespace schemac::apply {

namespace {

std::string Literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Who holds the apply lock, for the messages about waiting for it. Advisory locks belong to one
// database: applies to other databases of the server hold locks with the same key, not this one.
std::string DescribeLockHolder(pg::Connection& conn) {
  const auto rows = conn.Query(fmt::format(
      "SELECT a.pid::text, coalesce(a.usename, ''), coalesce(a.application_name, ''), "
      "coalesce(a.client_addr::text, 'local'), coalesce(to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '') "
      "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {} AND l.objid = {} AND l.objsubid = 1 "
      "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
      "ORDER BY a.pid",
      static_cast<uint32_t>(kApplyLockKey >> 32), static_cast<uint32_t>(kApplyLockKey & 0xffffffff)));
  if (rows.empty()) return "another session (it may have finished meanwhile)";
  const auto& r = rows.front();
  return fmt::format("backend pid {} (user {}, application '{}', from {}, connected since {})",
                     r[0].value_or("?"), r[1].value_or("?"), r[2].value_or(""), r[3].value_or("?"),
                     r[4].value_or("?"));
}

// The apply lock, held by the session for the whole apply (session-level advisory locks and the
// transaction-level ones of older schemac versions exclude each other). The wait is bounded by
// lock_timeout, which also applies to advisory locks.
class SessionLock {
 public:
  SessionLock(pg::Connection& conn, std::chrono::milliseconds wait, Outcome& out) : conn_(conn) {
    const auto rows = conn.Query(fmt::format("SELECT pg_catalog.pg_try_advisory_lock({})", kApplyLockKey));
    if (rows[0][0].value_or("f") == "t") {
      held_ = true;
      return;
    }
    out.waited_for = DescribeLockHolder(conn);
    const auto start = std::chrono::steady_clock::now();
    conn.Exec(fmt::format("SET lock_timeout = '{}ms'", wait.count()));
    try {
      conn.Exec(fmt::format("SELECT pg_catalog.pg_advisory_lock({})", kApplyLockKey));
    } catch (const pg::DbError& e) {
      conn.Exec("RESET lock_timeout");
      if (e.sqlstate != "55P03") throw;
      throw LockTimeout(fmt::format(
          "another schemac apply is running: waited {} ms for its lock, held by {}; try again when it has "
          "finished",
          wait.count(), DescribeLockHolder(conn)));
    }
    conn.Exec("RESET lock_timeout");
    held_ = true;
    out.waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  }
  ~SessionLock() {
    if (!held_) return;
    try {
      conn_.Exec(fmt::format("SELECT pg_catalog.pg_advisory_unlock({})", kApplyLockKey));
    } catch (...) {
      // The session ends with the connection, and the lock with it.
    }
  }
  SessionLock(const SessionLock&) = delete;
  SessionLock& operator=(const SessionLock&) = delete;

 private:
  pg::Connection& conn_;
  bool held_ = false;
};

// The migration file an apply runs (schemac migrate), as SQL: a literal or NULL.
std::string Migration(const Options& options) {
  return options.migration.empty() ? std::string("NULL") : Literal(options.migration);
}

std::string Millis(std::chrono::milliseconds ms) { return fmt::format("'{}ms'", ms.count()); }

// The pause before attempt `attempt + 1`: base * 2^(attempt-1), at most 10 s, times a random factor
// in [0.5, 1.5) so that several waiting clients do not retry in lock step.
std::chrono::milliseconds Backoff(std::chrono::milliseconds base, int attempt, std::mt19937_64& rng) {
  const double exp = static_cast<double>(base.count()) * std::pow(2.0, attempt - 1);
  const double capped = std::min(exp, 10000.0);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return std::chrono::milliseconds(static_cast<int64_t>(capped * jitter(rng)));
}

// The error of a statement that never got its lock, saying how often it was tried.
pg::DbError GaveUp(const pg::DbError& e, const Options& options, int attempts, const Outcome& out) {
  pg::DbError gave_up = e;
  gave_up.message = fmt::format(
      "{} (lock_timeout {} ms; tried {} times, the last after waiting {} ms; another session holds a "
      "conflicting lock on the table: see pg_locks, or retry when it is done)",
      e.message, options.statement_lock_timeout.count(), attempts,
      out.retries.empty() ? 0 : out.retries.back().pause.count());
  return gave_up;
}

// Runs one statement of a transactional stage under its timeouts, retrying when its lock cannot be
// had: the statement is rolled back to a savepoint taken just before it and run again after a
// pause. Throws the last pg::DbError when it fails for good.
void RunWithRetries(pg::Connection& conn, const Statement& st, const Options& options, std::mt19937_64& rng,
                    Outcome& out, const std::function<void(const Retry&)>& on_retry) {
  const std::chrono::milliseconds timeout =
      IsLongRunning(st.sql) ? options.long_statement_timeout : options.statement_timeout;
  for (int attempt = 1;; ++attempt) {
    conn.Exec("SAVEPOINT schemac_statement");
    conn.Exec(fmt::format("SET LOCAL lock_timeout = {}; SET LOCAL statement_timeout = {}",
                          Millis(options.statement_lock_timeout), Millis(timeout)));
    try {
      conn.Exec(st.sql);
      conn.Exec("RELEASE SAVEPOINT schemac_statement");
      return;
    } catch (const pg::DbError& e) {
      if (e.sqlstate != "55P03") throw;
      if (attempt > options.lock_retries) throw GaveUp(e, options, attempt, out);
      conn.Exec("ROLLBACK TO SAVEPOINT schemac_statement");
      Retry r{st, attempt, Backoff(options.lock_retry_pause, attempt, rng), e.message};
      if (on_retry) on_retry(r);
      out.retries.push_back(r);
      std::this_thread::sleep_for(r.pause);
    }
  }
}

// The name of the index a CREATE [UNIQUE] INDEX CONCURRENTLY statement builds, schema-qualified
// like its table ("" for other statements): a failed concurrent build leaves an invalid index
// behind, which must go before the statement can run again.
std::string ConcurrentIndexName(const std::string& sql) {
  static const std::string a = "CREATE INDEX CONCURRENTLY ", b = "CREATE UNIQUE INDEX CONCURRENTLY ";
  std::string rest;
  if (sql.rfind(a, 0) == 0) {
    rest = sql.substr(a.size());
  } else if (sql.rfind(b, 0) == 0) {
    rest = sql.substr(b.size());
  } else {
    return "";
  }
  const size_t on = rest.find(" ON ");
  if (on == std::string::npos) return "";
  std::string index = rest.substr(0, on);
  const std::string table = rest.substr(on + 4);
  const size_t dot = table.find('.');
  const size_t space = table.find_first_of(" (");
  if (dot != std::string::npos && dot < space) index = table.substr(0, dot) + "." + index;
  return index;
}

std::string StatementArray(const std::vector<Stage>& stages) {
  std::string all = "ARRAY[";
  bool first = true;
  for (const Stage& s : stages) {
    for (const Statement& st : s.statements) {
      all += (first ? "" : ",") + Literal(st.sql);
      first = false;
    }
  }
  return all + "]::text[]";
}

}  // namespace

StatementError::StatementError(const pg::DbError& c, Statement s, std::string st)
    : std::runtime_error(c.message), cause(c), statement(std::move(s)), stage(std::move(st)) {}

void EnsureHistory(pg::Connection& conn) {
  conn.Exec(
      "CREATE SCHEMA IF NOT EXISTS schemac;"
      "CREATE TABLE IF NOT EXISTS schemac.history ("
      "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
      "  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
      "  finished_at timestamptz,"
      "  applied_by text NOT NULL,"
      "  db_user text NOT NULL DEFAULT current_user,"
      "  target_fingerprint text NOT NULL,"
      "  statements text[] NOT NULL,"
      "  stages_done integer NOT NULL DEFAULT 0,"
      "  outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'applied', 'failed')),"
      "  error text);"
      // Added later; a table made by an earlier version gets it here.
      "ALTER TABLE schemac.history ADD COLUMN IF NOT EXISTS migration text");
}

bool IsLongRunning(const std::string& sql) {
  std::string upper;
  for (char c : sql.substr(0, 200)) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper.rfind("CREATE INDEX", 0) == 0 || upper.rfind("CREATE UNIQUE INDEX", 0) == 0 ||
         upper.find("VALIDATE CONSTRAINT") != std::string::npos || upper.rfind("REFRESH MATERIALIZED", 0) == 0;
}

Outcome Apply(pg::Connection& conn, const std::vector<Stage>& stages, const Options& options,
              const std::function<void(const Retry&)>& on_retry) {
  Outcome out;
  std::mt19937_64 rng(std::random_device{}());
  // The lock comes first: creating the history table is not safe against a concurrent apply
  // (CREATE ... IF NOT EXISTS races), and the check must see the database no other apply changes.
  SessionLock lock(conn, options.lock_wait, out);
  EnsureHistory(conn);
  // A function body given as a string is created as it is stored, without binding its names
  // (as pg_dump's output does): PostgreSQL only resolves them when the function runs, and a
  // database may hold one that names a dropped table or a view's old columns. SQL-standard bodies
  // are bound regardless; the plan still creates what a body names before the body.
  conn.Exec("SET check_function_bodies = off");
  const std::string all = StatementArray(stages);
  auto record = [&](const std::string& statements, const char* outcome, const std::string& error) {
    const auto rows = conn.Query(fmt::format(
        "INSERT INTO schemac.history (migration, applied_by, target_fingerprint, statements, outcome, error, "
        "finished_at) VALUES ({}, {}, {}, {}, '{}', {}, clock_timestamp()) RETURNING id",
        Migration(options), Literal(options.applied_by), Literal(options.target_fingerprint), statements, outcome,
        error.empty() ? "NULL" : Literal(error)));
    out.history_id = std::stoll(rows[0][0].value_or("0"));
  };
  if (!stages.empty() && options.check) {
    Recheck recheck = Recheck::Proceed;
    try {
      recheck = options.check(conn);
    } catch (const PlanOutdated& e) {
      std::string message = e.what();
      if (!out.waited_for.empty()) {
        message += fmt::format(" (this apply waited {} ms for another one, which held the apply lock: {})",
                               out.waited.count(), out.waited_for);
      }
      record(all, "failed", message);
      throw PlanOutdated(message);
    }
    if (recheck == Recheck::NothingToDo) {
      out.nothing_to_do = true;
      record("'{}'", "applied", "");
      return out;
    }
  }

  auto start_record = [&]() {
    const auto rows = conn.Query(fmt::format(
        "INSERT INTO schemac.history (migration, applied_by, target_fingerprint, statements) VALUES ({}, {}, {}, {}) "
        "RETURNING id",
        Migration(options), Literal(options.applied_by), Literal(options.target_fingerprint), all));
    out.history_id = std::stoll(rows[0][0].value_or("0"));
  };
  auto fail_record = [&](const std::string& error) {
    conn.Exec(fmt::format(
        "UPDATE schemac.history SET outcome = 'failed', error = {}, finished_at = clock_timestamp() WHERE id = {}",
        Literal(error), out.history_id));
  };
  for (size_t i = 0; i < stages.size(); ++i) {
    const Stage& stage = stages[i];
    const bool last = i + 1 == stages.size();
    if (!stage.transactional) {
      // Statements that refuse to run inside a transaction (CREATE INDEX CONCURRENTLY, ...) run one
      // by one, still under the session lock, with the same timeouts and lock retries. A failed
      // concurrent index build is cleaned up (its invalid index dropped) before it is retried or
      // reported.
      if (out.history_id == 0) start_record();
      for (const Statement& st : stage.statements) {
        const std::chrono::milliseconds timeout =
            IsLongRunning(st.sql) ? options.long_statement_timeout : options.statement_timeout;
        const std::string index = ConcurrentIndexName(st.sql);
        for (int attempt = 1;; ++attempt) {
          conn.Exec(fmt::format("SET lock_timeout = {}; SET statement_timeout = {}",
                                Millis(options.statement_lock_timeout), Millis(timeout)));
          try {
            conn.Exec(st.sql);
            conn.Exec("RESET lock_timeout; RESET statement_timeout");
            break;
          } catch (const pg::DbError& e) {
            conn.Exec("RESET lock_timeout; RESET statement_timeout");
            if (!index.empty()) conn.Exec("DROP INDEX CONCURRENTLY IF EXISTS " + index);
            if (e.sqlstate != "55P03" || attempt > options.lock_retries) {
              const pg::DbError final_error = e.sqlstate == "55P03" ? GaveUp(e, options, attempt, out) : e;
              fail_record(fmt::format("{} [{}] in: {}", final_error.message, e.sqlstate, st.sql));
              throw StatementError(final_error, st, stage.name);
            }
            Retry r{st, attempt, Backoff(options.lock_retry_pause, attempt, rng), e.message};
            if (on_retry) on_retry(r);
            out.retries.push_back(r);
            std::this_thread::sleep_for(r.pause);
          }
        }
        ++out.statements_run;
      }
      conn.Exec(fmt::format("UPDATE schemac.history SET stages_done = {}{} WHERE id = {}", i + 1,
                            last ? ", outcome = 'applied', finished_at = clock_timestamp()" : "", out.history_id));
      continue;
    }
    conn.Exec("BEGIN");
    try {
      if (out.history_id == 0) start_record();
      for (const Statement& st : stage.statements) {
        try {
          RunWithRetries(conn, st, options, rng, out, on_retry);
        } catch (const pg::DbError& e) {
          conn.Exec("ROLLBACK");
          // Record the failure outside the rolled-back transaction (the row itself may have been
          // rolled back with the first stage; then a new one says what was attempted).
          const std::string error = fmt::format("{} [{}] in: {}", e.message, e.sqlstate, st.sql);
          if (i == 0) {
            record(all, "failed", error);
          } else {
            fail_record(error);
          }
          throw StatementError(e, st, stage.name);
        }
        ++out.statements_run;
      }
      conn.Exec(fmt::format("UPDATE schemac.history SET stages_done = {}{} WHERE id = {}", i + 1,
                            last ? ", outcome = 'applied', finished_at = clock_timestamp()" : "",
                            out.history_id));
      conn.Exec("COMMIT");
    } catch (const StatementError&) {
      throw;
    } catch (...) {
      try {
        conn.Exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }
  // Nothing to run is still an apply worth recording.
  if (stages.empty()) record("'{}'", "applied", "");
  return out;
}

}  // namespace schemac::apply
