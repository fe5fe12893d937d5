// The dev database: a throwaway local cluster started from the machine's PostgreSQL binaries, and
// scratch databases on it. Runs for real (as root the cluster runs as the postgres system user).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "runtime/devdb/devdb.h"
#include "runtime/pg/connection.h"

using schemac::devdb::DevServer;
using schemac::devdb::ScratchDatabase;

TEST_CASE("a local dev server starts, hosts scratch databases and is removed afterwards", "[devdb]") {
  REQUIRE_FALSE(schemac::devdb::FindServerBinaries().empty());
  std::string socket_dir;
  {
    std::unique_ptr<DevServer> server = DevServer::StartLocal();
    REQUIRE(server->is_local());
    const std::string conninfo = server->Conninfo("postgres");
    socket_dir = conninfo.substr(conninfo.find("host='") + 6);
    socket_dir = socket_dir.substr(0, socket_dir.find('\''));
    REQUIRE(std::filesystem::exists(socket_dir));

    server->EnsureRoles({"app_user", "app_user", "Mixed Case"});
    std::string first_name;
    {
      ScratchDatabase a(*server);
      ScratchDatabase b(*server);
      first_name = a.name();
      CHECK(a.name() != b.name());
      schemac::pg::Connection c(a.conninfo());
      c.Exec("CREATE TABLE t (id int); GRANT SELECT ON t TO app_user, \"Mixed Case\"");
      CHECK(c.Query("SELECT count(*) FROM pg_class WHERE relname = 't'")[0][0] == "1");
      CHECK(c.ServerVersion().rfind("15", 0) == 0);
    }
    schemac::pg::Connection admin(server->Conninfo("postgres"));
    const auto rows = admin.Query("SELECT count(*) FROM pg_database WHERE datname = '" + first_name + "'");
    CHECK(rows[0][0] == "0");  // dropped with its handle
  }
  CHECK_FALSE(std::filesystem::exists(socket_dir));  // stopped and removed with the server
}

TEST_CASE("a remote dev server is used as given", "[devdb]") {
  // The test fixture's server stands in for a user's --dev-db.
  const char* env = std::getenv("SCHEMAC_PGTEST_ENV");
  REQUIRE(env != nullptr);
  std::ifstream in(env);
  std::string line, uri;
  while (std::getline(in, line)) {
    const auto p = line.find("PGTEST_URI=");
    if (p != std::string::npos) uri = line.substr(p + 11);
  }
  REQUIRE_FALSE(uri.empty());
  std::unique_ptr<DevServer> server = DevServer::Remote(uri);
  CHECK_FALSE(server->is_local());
  ScratchDatabase s(*server);
  schemac::pg::Connection c(s.conninfo());
  CHECK(c.Query("SELECT current_database()")[0][0] == s.name());
}

TEST_CASE("an unreachable dev server is a clear error without the password", "[devdb]") {
  try {
    DevServer::Remote("postgresql://someone:s3cret@127.0.0.1:1/db");
    FAIL("connected to a closed port");
  } catch (const schemac::pg::DbError& e) {
    CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
    CHECK(e.IsConnectionError());
  }
}
