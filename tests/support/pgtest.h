// Test access to the throwaway PostgreSQL cluster that the ctest fixture `pg` starts
// (scripts/pgtest.sh; see tests/CMakeLists.txt).
#pragma once

#include <string>

namespace schemac::test {

// Connection info of the test cluster's `postgres` database. Read from the env file named by
// $SCHEMAC_PGTEST_ENV (written by the fixture test pg.start), else from $PGTEST_URI. Throws
// std::runtime_error with instructions if neither is available: database tests fail, never skip.
std::string TestConninfo();

// `base` (URI or keyword/value conninfo, may be empty) pointed at database `dbname`.
std::string ConninfoForDatabase(const std::string& base, const std::string& dbname);

// A fresh, empty database for one test: CREATE DATABASE schemac_t_<unique> TEMPLATE template0 on
// construction, DROP DATABASE ... WITH (FORCE) on destruction. Unique across parallel test
// processes, so tests never share state. Set SCHEMAC_KEEP_SCRATCH=1 to keep it for inspection.
class ScratchDatabase {
 public:
  // `label` (optional) is folded into the name to make leftovers recognisable.
  explicit ScratchDatabase(const std::string& label = "");
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& conninfo() const { return conninfo_; }

 private:
  std::string admin_conninfo_;
  std::string name_;
  std::string conninfo_;
};

}  // namespace schemac::test
