// The database commands (plan, apply, inspect, diff): option values and entry points. cli.cpp parses the command
// line; these run a command and return its exit code.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace schemac::cli {

// Exit codes shared by the commands (docs/cli.md).
constexpr int kExitOk = 0;           // success, nothing (left) to do
constexpr int kExitError = 1;        // errors in the schema or the database
constexpr int kExitChanges = 2;      // plan: changes pending
constexpr int kExitWithheld = 3;     // apply: destructive changes withheld (pass --allow-drop)
constexpr int kExitUsage = 64;       // a mistake on the command line

struct DbArgs {
  std::vector<std::string> paths;
  std::optional<std::string> db;      // --db
  std::optional<std::string> dev_db;  // --dev-db
  std::vector<std::string> schemas;   // --schema
  bool no_cache = false;              // --no-cache
};

struct PlanArgs {
  DbArgs db;
  std::string format = "text";  // text | sql | json
};

struct ApplyArgs {
  DbArgs db;
  bool allow_drop = false;
  bool yes = false;
  int lock_wait_seconds = 10;
};

struct DiffArgs {
  std::string from, to;               // each a .schema path or a database (plan::IsDatabaseArgument)
  bool allow_drop = false;
  std::string format = "text";        // text | sql | json
  std::optional<std::string> dev_db;  // --dev-db
  bool no_cache = false;              // --no-cache
};

struct InspectArgs {
  std::optional<std::string> db;     // --db
  std::vector<std::string> schemas;  // --schema
  std::optional<std::string> output; // -o DIR; unset: standard output
  bool split = false;                // --split: one file per table
};

int RunPlan(const PlanArgs& args, std::ostream& out, std::ostream& err, bool color);
// `schemac diff FROM TO`: the plan that turns FROM into TO.
int RunDiff(const DiffArgs& args, std::ostream& out, std::ostream& err, bool color);
// `schemac inspect`: the live database as .schema files.
int RunInspect(const InspectArgs& args, std::ostream& out, std::ostream& err);
int RunApply(const ApplyArgs& args, std::istream& in, std::ostream& out, std::ostream& err, bool color,
             bool interactive);

// Inside a catch block: reports the exception being handled (a database error with its SQLSTATE,
// detail and hint; a dev server error; anything else) and returns kExitError.
int ReportFailure(std::ostream& err);

}  // namespace schemac::cli
