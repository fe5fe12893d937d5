// The database commands (plan, apply, inspect, diff): option values and entry points. cli.cpp parses the command
// line; these run a command and return its exit code.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace schemac::apply {
struct Options;
}
namespace schemac::base {
class SourceManager;
struct Loc;
}

namespace schemac::cli {

// Exit codes shared by the commands (docs/cli.md).
constexpr int kExitOk = 0;           // success, nothing (left) to do
constexpr int kExitError = 1;        // errors in the schema or the database
constexpr int kExitChanges = 2;      // plan: changes pending
constexpr int kExitWithheld = 3;     // apply: destructive changes withheld (pass --allow-drop)
constexpr int kExitStalePlan = 4;    // apply of a saved plan: the database changed since the plan
constexpr int kExitUsage = 64;       // a mistake on the command line

struct DbArgs {
  std::vector<std::string> paths;
  std::optional<std::string> db;      // --db
  std::optional<std::string> dev_db;  // --dev-db
  std::vector<std::string> schemas;   // --schema
  bool no_cache = false;              // --no-cache
  bool no_online = false;             // --no-online: plain DDL on existing tables
};

struct PlanArgs {
  DbArgs db;
  std::string format = "text";  // text | sql | json
  std::string out_file;          // --out: also save the plan there (cli/saved_plan.h)
  std::string out_dir;           // --out-dir: write the plan as the next migration file there
  std::string migration_name = "migration";  // --name: the file's label
  bool allow_drop = false;       // --allow-drop: with --out-dir, destructive steps go into the file
};

struct MigrateArgs {
  std::string dir;
  std::optional<std::string> db;
  bool allow_drop = false;
  int lock_wait_seconds = 10;
  double lock_timeout_seconds = 2;
  int lock_retries = 5;
};

struct ApplyArgs {
  DbArgs db;
  bool allow_drop = false;
  bool yes = false;
  int lock_wait_seconds = 10;
  double lock_timeout_seconds = 2;    // --lock-timeout: per statement
  int lock_retries = 5;               // --lock-retries
  int statement_timeout_seconds = 600;  // --statement-timeout (index builds: at least 2 h)
};

struct DiffArgs {
  std::string from, to;               // each a .schema path or a database (plan::IsDatabaseArgument)
  bool allow_drop = false;
  std::string format = "text";        // text | sql | json
  std::optional<std::string> dev_db;  // --dev-db
  bool no_cache = false;              // --no-cache
  bool online = false;                // --online
};

struct InspectArgs {
  std::optional<std::string> db;     // --db
  std::vector<std::string> schemas;  // --schema
  std::optional<std::string> output; // -o DIR; unset: standard output
  bool split = false;                // --split: one file per table
};

int RunPlan(const PlanArgs& args, std::ostream& out, std::ostream& err, bool color);
int RunMigrate(const MigrateArgs& args, std::ostream& out, std::ostream& err);
// `schemac diff FROM TO`: the plan that turns FROM into TO.
int RunDiff(const DiffArgs& args, std::ostream& out, std::ostream& err, bool color);
// `schemac inspect`: the live database as .schema files.
int RunInspect(const InspectArgs& args, std::ostream& out, std::ostream& err);
int RunApply(const ApplyArgs& args, std::istream& in, std::ostream& out, std::ostream& err, bool color,
             bool interactive);

// Inside a catch block: reports the exception being handled (a database error with its SQLSTATE,
// detail and hint; a dev server error; anything else) and returns kExitError.
int ReportFailure(std::ostream& err);

// "file:line:col" of `loc` in `sources`; "" when it has none.
std::string Where(const base::SourceManager& sources, const base::Loc& loc);

// The apply options apply and migrate take from their lock flags (--lock-wait, --lock-timeout,
// --lock-retries), with the applying user recorded from $USER.
apply::Options LockOptions(int lock_wait_seconds, double lock_timeout_seconds, int lock_retries);

}  // namespace schemac::cli
