// What the command-line integration tests share: one value of a query, a file's text, and a
// workspace (a scratch database and a directory for schema files, both removed afterwards).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/pg/connection.h"
#include "tests/support/examples.h"
#include "tests/support/pgtest.h"

namespace schemac::test {

// The first column of the first row of `sql`, or "NULL".
inline std::string One(pg::Connection& c, const std::string& sql) { return c.Query(sql)[0][0].value_or("NULL"); }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Workspace {
  ScratchDatabase db;
  std::string dir;
  // `prefix` names the directory (under the temporary directory, followed by the database's name).
  explicit Workspace(const std::string& prefix) : dir(std::filesystem::temp_directory_path() / (prefix + db.name())) {
    std::filesystem::create_directories(dir);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() { std::filesystem::remove_all(dir); }
  // Writes `text` to `name` in the directory; returns the file's path.
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir + "/" + name) << text;
    return dir + "/" + name;
  }
  // `args` followed by --db <the scratch database> --dev-db <the test server>.
  std::vector<std::string> Args(std::vector<std::string> args) const {
    for (const std::string& a : {std::string("--db"), db.conninfo(), std::string("--dev-db"), TestConninfo()}) {
      args.push_back(a);
    }
    return args;
  }
};

}  // namespace schemac::test
