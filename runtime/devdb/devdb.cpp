#include "runtime/devdb/devdb.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/pg/connection.h"

extern char** environ;

namespace schemac::devdb {

namespace fs = std::filesystem;

namespace {

// Runs argv[0] (searched in PATH) with its output appended to `log`. Returns the exit status, or -1
// when it could not be started.
int Run(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // The child starts in / so a cwd the postgres user cannot read does not matter.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The first line of a command's output, or "".
std::string Capture(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return "";
  char buf[4096];
  std::string out;
  if (fgets(buf, sizeof buf, p) != nullptr) out = buf;
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

bool HasServerBinaries(const std::string& dir) {
  return !dir.empty() && access((dir + "/initdb").c_str(), X_OK) == 0 &&
         access((dir + "/pg_ctl").c_str(), X_OK) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string QuoteConnValue(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string FindServerBinaries() {
  if (const char* env = std::getenv("SCHEMAC_PG_BINDIR"); env != nullptr && HasServerBinaries(env)) return env;
  // Debian's pg_config (libpq-dev) names the server's bindir; on Debian, PATH usually has only
  // pg_wrapper links for the client tools, not initdb.
  const std::string from_pg_config = Capture("pg_config --bindir 2>/dev/null");
  if (HasServerBinaries(from_pg_config)) return from_pg_config;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!HasServerBinaries(dir)) continue;
      // Resolve symlinks (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) so the
      // binaries run from their own directory and find their libraries.
      std::error_code ec;
      const fs::path real = fs::canonical(fs::path(dir) / "initdb", ec);
      return ec ? dir : real.parent_path().string();
    }
  }
  std::vector<std::string> candidates;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (HasServerBinaries(e.path().string() + "/bin")) candidates.push_back(e.path().string() + "/bin");
  }
  std::sort(candidates.begin(), candidates.end(), [](const std::string& a, const std::string& b) {
    // Numeric version order: 9.6 < 10 < 15.
    return std::stod(fs::path(a).parent_path().filename().string()) <
           std::stod(fs::path(b).parent_path().filename().string());
  });
  return candidates.empty() ? "" : candidates.back();
}

std::string LocalServerVersion() {
  const std::string bindir = FindServerBinaries();
  if (bindir.empty()) return "";
  std::string v = Capture("'" + bindir + "/postgres' --version 2>/dev/null");
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

std::string DevServer::Version() const {
  pg::Connection c(Conninfo("postgres"));
  return c.Query("SELECT version()")[0][0].value_or("");
}

std::unique_ptr<DevServer> DevServer::Remote(const std::string& conninfo) {
  std::unique_ptr<DevServer> s(new DevServer());
  s->base_conninfo_ = conninfo;
  pg::Connection probe(s->Conninfo("postgres"));  // fails early, with a redacted message
  return s;
}

std::unique_ptr<DevServer> DevServer::StartLocal() {
  const std::string bindir = FindServerBinaries();
  if (bindir.empty()) {
    throw DevServerError(
        "no PostgreSQL server binaries (initdb, pg_ctl) found on this machine to start a dev "
        "database; install them (Debian: postgresql-15) or pass --dev-db URL naming a PostgreSQL "
        "server where schemac may create scratch databases");
  }
  std::unique_ptr<DevServer> s(new DevServer());
  s->bindir_ = bindir;
  const char* tmp = std::getenv("TMPDIR");
  // Short paths: a Unix socket path must stay under 107 bytes.
  std::string templ = std::string(tmp != nullptr && std::string(tmp).size() < 40 ? tmp : "/tmp") + "/schemac-dev.XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) throw DevServerError("cannot create a directory for the dev database in " + templ);
  s->dir_ = templ;
  s->data_dir_ = s->dir_ + "/data";
  chmod(s->dir_.c_str(), 0755);
  // Our commands' output goes to setup.log (written by schemac); the server writes server.log itself,
  // as the user it runs as.
  const std::string log = s->dir_ + "/setup.log";
  const std::string server_log = s->dir_ + "/server.log";

  std::vector<std::string> prefix;
  if (geteuid() == 0) {
    // PostgreSQL refuses to run as root: run the throwaway cluster as the postgres system user.
    struct passwd* pw = getpwnam("postgres");
    if (pw == nullptr || access("/usr/sbin/runuser", X_OK) != 0) {
      throw DevServerError(
          "cannot start a dev database as root: PostgreSQL refuses to run as root and there is no "
          "'postgres' system user to run it as; run schemac as a normal user or pass --dev-db URL");
    }
    if (chown(s->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw DevServerError("cannot hand the dev database directory to the postgres user");
    }
    s->as_postgres_user_ = true;
    prefix = {"runuser", "-u", "postgres", "--"};
  }
  auto cmd = [&](std::vector<std::string> args) {
    std::vector<std::string> full = prefix;
    full.insert(full.end(), args.begin(), args.end());
    return full;
  };
  // From here on the destructor cleans up whatever exists.
  if (Run(cmd({bindir + "/initdb", "-D", s->data_dir_, "-U", "postgres", "-A", "trust", "-E", "UTF8",
               "--locale=C.UTF-8", "--no-sync"}),
          log) != 0) {
    throw DevServerError("initdb failed for the dev database:\n" + ReadFile(log));
  }
  const std::string options = fmt::format(
      "-k {} -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off", s->dir_);
  if (Run(cmd({bindir + "/pg_ctl", "-D", s->data_dir_, "-l", server_log, "-w", "-t", "60", "-o", options, "start"}),
          log) != 0) {
    throw DevServerError("the dev database did not start:\n" + ReadFile(log) + ReadFile(server_log));
  }
  s->base_conninfo_ = fmt::format("host={} user=postgres", QuoteConnValue(s->dir_));
  return s;
}

DevServer::~DevServer() {
  if (dir_.empty()) return;
  if (!data_dir_.empty() && access((data_dir_ + "/postmaster.pid").c_str(), F_OK) == 0) {
    // Immediate shutdown: the cluster is thrown away, nothing in it needs to be flushed.
    std::vector<std::string> argv;
    if (as_postgres_user_) argv = {"runuser", "-u", "postgres", "--"};
    const std::vector<std::string> stop = {bindir_ + "/pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "stop"};
    argv.insert(argv.end(), stop.begin(), stop.end());
    Run(argv, "/dev/null");
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string DevServer::Conninfo(const std::string& dbname) const {
  // A URL gets the database appended as a parameter; key=value strings get a dbname keyword (a
  // later keyword overrides an earlier one in libpq).
  if (base_conninfo_.rfind("postgres://", 0) == 0 || base_conninfo_.rfind("postgresql://", 0) == 0) {
    const size_t q = base_conninfo_.find('?');
    const size_t slash = base_conninfo_.find('/', base_conninfo_.find("://") + 3);
    std::string base = base_conninfo_.substr(0, q);
    std::string params = q == std::string::npos ? "" : base_conninfo_.substr(q);
    if (slash != std::string::npos && slash < base.size()) base.resize(slash);
    return base + "/" + dbname + params;
  }
  return base_conninfo_ + " dbname=" + QuoteConnValue(dbname);
}

void DevServer::EnsureRoles(const std::vector<std::string>& roles) {
  if (roles.empty()) return;
  pg::Connection c(Conninfo("postgres"));
  for (const std::string& role : roles) {
    std::string ident = "\"";
    for (char ch : role) ident += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    ident += "\"";
    std::string literal = "'";
    for (char ch : role) literal += ch == '\'' ? std::string("''") : std::string(1, ch);
    literal += "'";
    // Two scratch databases may race to create the same role: tolerate the loser's error.
    c.Exec(fmt::format(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN CREATE ROLE {}; END IF; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        literal, ident));
  }
}

ScratchDatabase::ScratchDatabase(const DevServer& server) : server_(server) {
  static std::atomic<int> counter{0};
  name_ = fmt::format("schemac_dev_{}_{}", static_cast<long>(getpid()), counter++);
  pg::Connection c(server.Conninfo("postgres"));
  c.Exec(fmt::format("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'", name_));
  conninfo_ = server.Conninfo(name_);
}

ScratchDatabase::~ScratchDatabase() {
  try {
    pg::Connection c(server_.Conninfo("postgres"));
    c.Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_));
  } catch (...) {
    // A scratch database that cannot be dropped (server gone) is not worth failing for.
  }
}

}  // namespace schemac::devdb
