// The example schemas of schemas/ and what a test needs to load them: the list (each with the
// roles it grants to), creating those roles, and running the schemac command line in-process.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "runtime/pg/connection.h"

namespace schemac::test {

struct ExampleSchema {
  std::string path;                // absolute: a `*.schema` file or a top-level directory of schemas/
  std::string name;                // its file name: "sketch.schema", "shop"
  std::vector<std::string> roles;  // from schemas/<name>.roles or schemas/<dir>/roles.txt
};

// Every schema in schemas/, in sorted order.
std::vector<ExampleSchema> ExampleSchemas();

// The roles a schema needs: <name>.roles next to a `<name>.schema` file, roles.txt inside a
// directory; one role a line, '#' starts a comment. None when there is no such file.
std::vector<std::string> RolesOf(const std::string& schema_path);

// Creates the roles that do not exist yet. Roles are cluster-wide and tests run in parallel, so a
// concurrent creation of the same role is not an error.
void CreateRoles(pg::Connection& conn, const std::vector<std::string>& roles);

// One run of the command line, as users run it.
struct CliResult {
  int exit = 0;
  std::string out, err;
};

inline CliResult RunCli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliResult r;
  r.exit = cli::Run(args, out, err, /*color=*/false);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace schemac::test
