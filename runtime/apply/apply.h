// Running a plan against a live database: stage by stage, each transactional stage in one
// transaction (a failure rolls the whole stage back), under an advisory lock held for the whole
// apply so two applies never run at once, recorded in schemac's history table.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/base/source.h"
#include "runtime/pg/connection.h"

namespace schemac::apply {

// One statement and where it came from.
struct Statement {
  std::string sql;
  std::string summary;  // e.g. "+ table public.orders"
  base::Loc loc;        // the .schema location of the object; invalid for drops
  std::string origin;   // the same as text ("shop.schema:12:3"), or "" when unknown
};

struct Stage {
  std::string name;           // "expand", "contract", ...
  bool transactional = true;  // false: statements run one by one (e.g. CREATE INDEX CONCURRENTLY)
  std::vector<Statement> statements;
};

// A statement failed; its stage was rolled back. Carries everything the user needs: the statement,
// PostgreSQL's message and SQLSTATE, and the .schema location of the object it was for.
class StatementError : public std::runtime_error {
 public:
  StatementError(const pg::DbError& cause, Statement statement, std::string stage);
  pg::DbError cause;
  Statement statement;
  std::string stage;
};

// Another apply holds the lock for longer than the wait allowed.
class LockTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by Options::check: the database is no longer in the state the plan was made for (another
// apply ran while this one waited for the lock). Nothing was run; the attempt is recorded.
class PlanOutdated : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What Options::check found, with the lock held.
enum class Recheck {
  Proceed,      // the plan still fits the database: run it
  NothingToDo,  // the database already is what the plan would make it: run nothing
};

struct Options {
  std::chrono::milliseconds lock_wait{10000};  // how long to wait for a concurrent apply
  // Every statement runs under SET LOCAL lock_timeout = statement_lock_timeout: a statement that
  // cannot get its lock in time (SQLSTATE 55P03, e.g. behind a long transaction) is rolled back to
  // a savepoint taken just before it, and retried after a pause that doubles each time (with
  // random jitter of +-50%, from lock_retry_pause up to 10 s), at most lock_retries times. Nothing
  // waits forever, and nobody queues behind an ALTER TABLE that waits forever.
  std::chrono::milliseconds statement_lock_timeout{2000};
  int lock_retries = 5;
  std::chrono::milliseconds lock_retry_pause{250};
  // SET LOCAL statement_timeout for ordinary statements, and for index builds and constraint
  // validation (which scan whole tables). 0: no limit.
  std::chrono::milliseconds statement_timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds long_statement_timeout{std::chrono::hours(2)};
  std::string target_fingerprint;              // recorded in the history
  std::string applied_by;                      // recorded in the history (e.g. the OS user)
  // Called once the lock is held and before anything runs (not when there are no stages), on the
  // apply's connection outside any transaction: whether the plan still fits the database. May
  // throw PlanOutdated. Unset: the plan is run as it is.
  std::function<Recheck(pg::Connection&)> check;
  std::string migration;                       // the migration file this apply runs (schemac migrate)
};

// A statement that could not get its lock in time and was tried again.
struct Retry {
  Statement statement;
  int attempt = 0;                 // the attempt that failed (1 = the first try)
  std::chrono::milliseconds pause; // how long apply waited before the next attempt
  std::string message;             // PostgreSQL's message
};

struct Outcome {
  int64_t history_id = 0;
  size_t statements_run = 0;
  std::vector<Retry> retries;
  // Who held the lock when this apply had to wait for it ("backend pid 123 (user ...)"), and for
  // how long; empty when the lock was free.
  std::string waited_for;
  std::chrono::milliseconds waited{0};
  // Options::check said there was nothing left to do: no statement ran.
  bool nothing_to_do = false;
};

// The advisory lock key all schemac applies share ("schemac" in ASCII).
constexpr int64_t kApplyLockKey = 0x73636865'6d6163;

// Creates schemac's own schema and history table when missing (idempotent).
void EnsureHistory(pg::Connection& conn);

// Runs `stages` in order. First it takes the session-level advisory lock (waiting at most
// Options::lock_wait for a concurrent apply) and keeps it until it returns, so no other apply runs
// between its stages; creates the history table if needed; and asks Options::check whether the
// plan still fits. Each transactional stage: BEGIN; run its statements; COMMIT. The history row is
// written in the same transaction as the first stage's statements, and its outcome is updated as
// stages commit or fail, so what the table says is what happened. Throws StatementError (the
// failing stage rolled back), LockTimeout or PlanOutdated. Stages that are not transactional run
// statement by statement (see RunOutsideTransaction in apply.cpp). Every statement runs under the
// timeouts of Options and is retried when its lock cannot be had; `on_retry`, when set, is told
// about each retry as it happens.
Outcome Apply(pg::Connection& conn, const std::vector<Stage>& stages, const Options& options,
              const std::function<void(const Retry&)>& on_retry = {});

// Whether `sql` builds an index or validates a constraint (the long statement timeout applies).
bool IsLongRunning(const std::string& sql);

}  // namespace schemac::apply
