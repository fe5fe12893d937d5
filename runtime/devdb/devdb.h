// The dev database: where schemac materializes a target schema so that PostgreSQL itself puts every
// expression, default, view and policy into canonical form (the approach of Atlas and pgschema).
//
// Either a server the user names (`--dev-db URL`), or a throwaway local cluster that schemac starts
// from the PostgreSQL binaries on this machine and stops when the DevServer is destroyed. Each use
// gets a fresh scratch database, dropped afterwards.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace schemac::devdb {

// A dev server could not be had. The message says what to do (e.g. pass --dev-db URL).
class DevServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where the PostgreSQL server binaries are: the directory holding initdb, pg_ctl and postgres.
// Looks at $SCHEMAC_PG_BINDIR, `pg_config --bindir`, PATH, then /usr/lib/postgresql/<newest>/bin.
// Returns "" when none is found.
std::string FindServerBinaries();
// What `postgres --version` of those binaries prints ("postgres (PostgreSQL) 15.20"), without
// starting anything; "" when there are none.
std::string LocalServerVersion();

class ScratchDatabase;

class DevServer {
 public:
  // Uses the server at `conninfo` (URL or key=value). Only CREATE DATABASE rights are needed.
  static std::unique_ptr<DevServer> Remote(const std::string& conninfo);
  // Starts a throwaway cluster: initdb into a new directory under $TMPDIR (or /tmp), listening on a
  // Unix socket in that directory only (no TCP port, so it cannot clash with anything), fsync off.
  // As root, the server runs as the `postgres` system user (PostgreSQL refuses to run as root).
  // Throws DevServerError with a clear message when there are no binaries or the start fails.
  static std::unique_ptr<DevServer> StartLocal();
  ~DevServer();
  DevServer(const DevServer&) = delete;
  DevServer& operator=(const DevServer&) = delete;

  // Connection string for database `dbname` on this server.
  std::string Conninfo(const std::string& dbname) const;
  bool is_local() const { return !data_dir_.empty(); }
  // The server's version() string ("PostgreSQL 15.20 on x86_64-pc-linux-gnu, ...").
  std::string Version() const;
  // Creates the roles that do not exist yet (roles are cluster-wide; a local cluster has none).
  void EnsureRoles(const std::vector<std::string>& roles);

 private:
  DevServer() = default;
  std::string base_conninfo_;  // without dbname
  std::string dir_;            // local cluster: its directory (socket, data, log)
  std::string data_dir_;
  std::string bindir_;
  bool as_postgres_user_ = false;
};

// A database created for one use and dropped (WITH FORCE) when the object is destroyed.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const DevServer& server);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }

 private:
  const DevServer& server_;
  std::string name_;
  std::string conninfo_;
};

}  // namespace schemac::devdb
