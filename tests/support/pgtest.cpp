#include "tests/support/pgtest.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "runtime/pg/connection.h"

namespace schemac::test {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The value of PGTEST_URI=... in a file of `export K=V ...` lines.
std::string UriFromEnvFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::string token;
  while (in >> token) {
    const std::string key = "PGTEST_URI=";
    if (token.rfind(key, 0) == 0) return token.substr(key.size());
  }
  return "";
}

std::string QuoteIdent(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    out += c;
    if (c == '"') out += c;
  }
  return out + "\"";
}

}  // namespace

std::string TestConninfo() {
  const std::string env_file = Env("SCHEMAC_PGTEST_ENV");
  if (!env_file.empty()) {
    std::string uri = UriFromEnvFile(env_file);
    if (!uri.empty()) return uri;
  }
  std::string uri = Env("PGTEST_URI");
  if (!uri.empty()) return uri;
  throw std::runtime_error(
      "no test database: " +
      (env_file.empty() ? std::string("SCHEMAC_PGTEST_ENV is not set")
                        : "the env file '" + env_file + "' (written by the ctest fixture test pg.start) has no PGTEST_URI") +
      " and PGTEST_URI is not set. Run the tests through ctest (the fixture `pg` starts a throwaway "
      "PostgreSQL), or start one yourself: pgenv=$(scripts/pgtest.sh start) && eval \"$pgenv\"");
}

std::string ConninfoForDatabase(const std::string& base, const std::string& dbname) {
  for (const std::string scheme : {"postgresql://", "postgres://"}) {
    if (base.rfind(scheme, 0) != 0) continue;
    size_t authority_end = base.find_first_of("/?", scheme.size());
    if (authority_end == std::string::npos) return base + "/" + dbname;
    size_t query = base.find('?', authority_end);
    std::string rest = query == std::string::npos ? "" : base.substr(query);
    return base.substr(0, authority_end) + "/" + dbname + rest;
  }
  // keyword/value (or empty = environment): a later keyword overrides an earlier one.
  return (base.empty() ? "" : base + " ") + "dbname='" + dbname + "'";
}

ScratchDatabase::ScratchDatabase(const std::string& label) : admin_conninfo_(TestConninfo()) {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  std::ostringstream name;
  name << "schemac_t_" << ::getpid() << "_" << counter++ << "_" << std::hex << (rd() & 0xffffff);
  std::string suffix;
  for (char c : label) {
    if (suffix.size() >= 20) break;
    suffix += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
  }
  if (!suffix.empty()) name << "_" << suffix;
  name_ = name.str().substr(0, 63);
  pg::Connection admin(admin_conninfo_);
  admin.Exec("CREATE DATABASE " + QuoteIdent(name_) + " TEMPLATE template0");
  conninfo_ = ConninfoForDatabase(admin_conninfo_, name_);
}

ScratchDatabase::~ScratchDatabase() {
  if (Env("SCHEMAC_KEEP_SCRATCH") == "1") {
    std::cerr << "SCHEMAC_KEEP_SCRATCH=1: keeping database " << name_ << " (" << pg::RedactConninfo(conninfo_) << ")\n";
    return;
  }
  try {
    pg::Connection admin(admin_conninfo_);
    admin.Exec("DROP DATABASE IF EXISTS " + QuoteIdent(name_) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::cerr << "warning: could not drop scratch database " << name_ << ": " << e.what() << "\n";
  }
}

}  // namespace schemac::test
