// The schemac command line as a library call, so tests drive exactly what users run, in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace schemac::cli {

// Runs schemac with `args` (without the program name), writing to `out` and `err`. Returns the exit
// code: 0 success / valid, 1 errors in the schema or the database, 2 changes pending (plan),
// 64 a usage error on the command line.
// `color`: whether diagnostics may use ANSI colours (the caller decides from isatty).
int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, bool color = false);

// For the schemac executable, which exits right after Run: the large results of plan and apply (the
// compiled schema, both models, the plan) are left to the process exit instead of being freed one
// object at a time (about 0.25 s at 10,000 tables, for memory the exit returns anyway; Clang's
// -disable-free does the same). In-process callers such as the tests leave it off (the default).
void KeepResultsUntilExit(bool keep);

}  // namespace schemac::cli
