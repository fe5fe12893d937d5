#include "runtime/apply/apply.h"

#include <fmt/format.h>

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
      "  error text)");
}

Outcome Apply(pg::Connection& conn, const std::vector<Stage>& stages, const Options& options) {
  Outcome out;
  // The lock comes first: creating the history table is not safe against a concurrent apply
  // (CREATE ... IF NOT EXISTS races), and the check must see the database no other apply changes.
  SessionLock lock(conn, options.lock_wait, out);
  EnsureHistory(conn);
  const std::string all = StatementArray(stages);
  auto record = [&](const std::string& statements, const char* outcome, const std::string& error) {
    const auto rows = conn.Query(fmt::format(
        "INSERT INTO schemac.history (applied_by, target_fingerprint, statements, outcome, error, finished_at) "
        "VALUES ({}, {}, {}, '{}', {}, clock_timestamp()) RETURNING id",
        Literal(options.applied_by), Literal(options.target_fingerprint), statements, outcome,
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

  for (size_t i = 0; i < stages.size(); ++i) {
    const Stage& stage = stages[i];
    if (!stage.transactional) {
      // Statements that refuse to run inside a transaction (CREATE INDEX CONCURRENTLY, ...) would
      // run one by one, still under the session lock. Online techniques are issue 5.
      throw std::logic_error("non-transactional stages are not supported yet");
    }
    conn.Exec("BEGIN");
    try {
      if (out.history_id == 0) {
        const auto rows = conn.Query(fmt::format(
            "INSERT INTO schemac.history (applied_by, target_fingerprint, statements) VALUES ({}, {}, {}) "
            "RETURNING id",
            Literal(options.applied_by), Literal(options.target_fingerprint), all));
        out.history_id = std::stoll(rows[0][0].value_or("0"));
      }
      for (const Statement& st : stage.statements) {
        try {
          conn.Exec(st.sql);
        } catch (const pg::DbError& e) {
          conn.Exec("ROLLBACK");
          // Record the failure outside the rolled-back transaction (the row itself may have been
          // rolled back with the first stage; then a new one says what was attempted).
          const std::string error = fmt::format("{} [{}] in: {}", e.message, e.sqlstate, st.sql);
          if (i == 0) {
            record(all, "failed", error);
          } else {
            conn.Exec(fmt::format(
                "UPDATE schemac.history SET outcome = 'failed', error = {}, finished_at = clock_timestamp() "
                "WHERE id = {}",
                Literal(error), out.history_id));
          }
          throw StatementError(e, st, stage.name);
        }
        ++out.statements_run;
      }
      const bool last = i + 1 == stages.size();
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
