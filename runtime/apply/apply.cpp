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

// Who holds the apply lock, for the message of a lock timeout.
std::string DescribeLockHolder(pg::Connection& conn) {
  const auto rows = conn.Query(fmt::format(
      "SELECT a.pid::text, coalesce(a.usename, ''), coalesce(a.application_name, ''), "
      "coalesce(a.client_addr::text, 'local'), coalesce(to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '') "
      "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {} AND l.objid = {} AND l.objsubid = 1",
      static_cast<uint32_t>(kApplyLockKey >> 32), static_cast<uint32_t>(kApplyLockKey & 0xffffffff)));
  if (rows.empty()) return "another session (it may have finished meanwhile)";
  const auto& r = rows.front();
  return fmt::format("backend pid {} (user {}, application '{}', from {}, transaction started {})",
                     r[0].value_or("?"), r[1].value_or("?"), r[2].value_or(""), r[3].value_or("?"),
                     r[4].value_or("?"));
}

void TakeLock(pg::Connection& conn, std::chrono::milliseconds wait) {
  // lock_timeout bounds the wait for the advisory lock too; SET LOCAL ends with the transaction.
  conn.Exec(fmt::format("SET LOCAL lock_timeout = '{}ms'", wait.count()));
  try {
    conn.Exec(fmt::format("SELECT pg_catalog.pg_advisory_xact_lock({})", kApplyLockKey));
  } catch (const pg::DbError& e) {
    if (e.sqlstate != "55P03") throw;
    conn.Exec("ROLLBACK");
    throw LockTimeout(fmt::format(
        "another schemac apply is running: waited {} ms for its lock, held by {}; try again when it has "
        "finished",
        wait.count(), DescribeLockHolder(conn)));
  }
  conn.Exec("SET LOCAL lock_timeout = DEFAULT");
}

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

// Runs one statement of a transactional stage under its timeouts, retrying when its lock cannot be
// had. Throws the last pg::DbError when it fails for good.
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
      if (e.sqlstate != "55P03" || attempt > options.lock_retries) {
        if (e.sqlstate == "55P03") {
          pg::DbError gave_up = e;
          gave_up.message = fmt::format(
              "{} (lock_timeout {} ms; tried {} times, the last after waiting {} ms; another session holds a "
              "conflicting lock on the table: see pg_locks, or retry when it is done)",
              e.message, options.statement_lock_timeout.count(), attempt,
              out.retries.empty() ? 0 : out.retries.back().pause.count());
          throw gave_up;
        }
        throw;
      }
      conn.Exec("ROLLBACK TO SAVEPOINT schemac_statement");
      Retry r{st, attempt, Backoff(options.lock_retry_pause, attempt, rng), e.message};
      if (on_retry) on_retry(r);
      out.retries.push_back(r);
      std::this_thread::sleep_for(r.pause);
    }
  }
}

// The name of the index a CREATE [UNIQUE] INDEX CONCURRENTLY statement builds ("" for other
// statements): a failed concurrent build leaves an invalid index behind, which must go before the
// statement can run again.
std::string ConcurrentIndexName(const std::string& sql) {
  static const std::string a = "CREATE INDEX CONCURRENTLY ", b = "CREATE UNIQUE INDEX CONCURRENTLY ";
  std::string rest;
  if (sql.rfind(a, 0) == 0) rest = sql.substr(a.size());
  else if (sql.rfind(b, 0) == 0) rest = sql.substr(b.size());
  else return "";
  const size_t on = rest.find(" ON ");
  if (on == std::string::npos) return "";
  // The index is created in its table's schema: qualify it the same way.
  std::string index = rest.substr(0, on);
  std::string table = rest.substr(on + 4);
  const size_t dot = table.find('.');
  const size_t space = table.find_first_of(" (");
  if (dot != std::string::npos && dot < space) index = table.substr(0, dot) + "." + index;
  return index;
}

// A stage whose statements refuse to run in a transaction (CREATE INDEX CONCURRENTLY, ...): each
// statement on its own, under the apply lock taken at session level, with the same timeouts and
// lock retries as in a transaction. A failed concurrent index build is cleaned up (its invalid
// index dropped) before it is retried or reported.
void RunOutsideTransaction(pg::Connection& conn, const Stage& stage, size_t index, size_t count,
                           const std::string& all, const Options& options, std::mt19937_64& rng, Outcome& out,
                           const std::function<void(const Retry&)>& on_retry) {
  conn.Exec(fmt::format("SET lock_timeout = {}", Millis(options.lock_wait)));
  try {
    conn.Exec(fmt::format("SELECT pg_catalog.pg_advisory_lock({})", kApplyLockKey));
  } catch (const pg::DbError& e) {
    conn.Exec("RESET lock_timeout");
    if (e.sqlstate != "55P03") throw;
    throw LockTimeout(fmt::format("another schemac apply is running: waited {} ms for its lock, held by {}",
                                  options.lock_wait.count(), DescribeLockHolder(conn)));
  }
  auto finish = [&conn] {
    conn.Exec("RESET lock_timeout; RESET statement_timeout");
    conn.Exec(fmt::format("SELECT pg_catalog.pg_advisory_unlock({})", kApplyLockKey));
  };
  try {
    if (out.history_id == 0) {
      const auto rows = conn.Query(fmt::format(
          "INSERT INTO schemac.history (migration, applied_by, target_fingerprint, statements) VALUES ({}, {}, {}, {}) RETURNING id",
          Migration(options), Literal(options.applied_by), Literal(options.target_fingerprint), all));
      out.history_id = std::stoll(rows[0][0].value_or("0"));
    }
    for (const Statement& st : stage.statements) {
      const std::chrono::milliseconds timeout =
          IsLongRunning(st.sql) ? options.long_statement_timeout : options.statement_timeout;
      const std::string index = ConcurrentIndexName(st.sql);
      for (int attempt = 1;; ++attempt) {
        conn.Exec(fmt::format("SET lock_timeout = {}; SET statement_timeout = {}",
                              Millis(options.statement_lock_timeout), Millis(timeout)));
        try {
          conn.Exec(st.sql);
          break;
        } catch (const pg::DbError& e) {
          if (!index.empty()) {
            conn.Exec("SET lock_timeout = 0; SET statement_timeout = 0");
            conn.Exec("DROP INDEX CONCURRENTLY IF EXISTS " + index);
          }
          if (e.sqlstate != "55P03" || attempt > options.lock_retries) {
            const std::string error = fmt::format("{} [{}] in: {}", e.message, e.sqlstate, st.sql);
            conn.Exec(fmt::format(
                "UPDATE schemac.history SET outcome = 'failed', error = {}, finished_at = clock_timestamp() "
                "WHERE id = {}",
                Literal(error), out.history_id));
            throw StatementError(e, st, stage.name);
          }
          Retry r{st, attempt, Backoff(options.lock_retry_pause, attempt, rng), e.message};
          if (on_retry) on_retry(r);
          out.retries.push_back(r);
          std::this_thread::sleep_for(r.pause);
        }
      }
      ++out.statements_run;
    }
    const bool last = index + 1 == count;
    conn.Exec(fmt::format("UPDATE schemac.history SET stages_done = {}{} WHERE id = {}", index + 1,
                          last ? ", outcome = 'applied', finished_at = clock_timestamp()" : "", out.history_id));
  } catch (...) {
    try {
      finish();
    } catch (...) {
    }
    throw;
  }
  finish();
}

}  // namespace

bool IsLongRunning(const std::string& sql) {
  std::string upper;
  for (char c : sql.substr(0, 200)) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper.rfind("CREATE INDEX", 0) == 0 || upper.rfind("CREATE UNIQUE INDEX", 0) == 0 ||
         upper.find("VALIDATE CONSTRAINT") != std::string::npos || upper.rfind("REFRESH MATERIALIZED", 0) == 0;
}

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

Outcome Apply(pg::Connection& conn, const std::vector<Stage>& stages, const Options& options,
              const std::function<void(const Retry&)>& on_retry) {
  Outcome out;
  std::mt19937_64 rng(std::random_device{}());
  EnsureHistory(conn);
  std::string all = "ARRAY[";
  bool first = true;
  for (const Stage& s : stages) {
    for (const Statement& st : s.statements) {
      all += (first ? "" : ",") + Literal(st.sql);
      first = false;
    }
  }
  all += "]::text[]";

  for (size_t i = 0; i < stages.size(); ++i) {
    const Stage& stage = stages[i];
    if (!stage.transactional) {
      RunOutsideTransaction(conn, stage, i, stages.size(), all, options, rng, out, on_retry);
      continue;
    }
    conn.Exec("BEGIN");
    try {
      TakeLock(conn, options.lock_wait);
      if (out.history_id == 0) {
        const auto rows = conn.Query(fmt::format(
            "INSERT INTO schemac.history (migration, applied_by, target_fingerprint, statements) VALUES ({}, {}, {}, {}) "
            "RETURNING id",
            Migration(options), Literal(options.applied_by), Literal(options.target_fingerprint), all));
        out.history_id = std::stoll(rows[0][0].value_or("0"));
      }
      for (const Statement& st : stage.statements) {
        try {
          RunWithRetries(conn, st, options, rng, out, on_retry);
        } catch (const pg::DbError& e) {
          conn.Exec("ROLLBACK");
          // Record the failure outside the rolled-back transaction (the row itself may have been
          // rolled back with the first stage; then a new one says what was attempted).
          const std::string error = fmt::format("{} [{}] in: {}", e.message, e.sqlstate, st.sql);
          if (i == 0) {
            conn.Exec(fmt::format(
                "INSERT INTO schemac.history (migration, applied_by, target_fingerprint, statements, outcome, error, "
                "finished_at) VALUES ({}, {}, {}, {}, 'failed', {}, clock_timestamp())",
                Migration(options), Literal(options.applied_by), Literal(options.target_fingerprint), all, Literal(error)));
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
    } catch (const LockTimeout&) {
      throw;
    } catch (...) {
      try {
        conn.Exec("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }
  if (stages.empty()) {
    // Nothing to run is still an apply worth recording.
    conn.Exec(fmt::format(
        "INSERT INTO schemac.history (migration, applied_by, target_fingerprint, statements, outcome, finished_at) "
        "VALUES ({}, {}, {}, '{{}}', 'applied', clock_timestamp())",
        Migration(options), Literal(options.applied_by), Literal(options.target_fingerprint)));
  }
  return out;
}

}  // namespace schemac::apply
