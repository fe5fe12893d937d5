#include "runtime/plan/connect.h"

#include <cstdlib>

namespace schemac::plan {

std::string ResolveConninfo(const std::optional<std::string>& db_flag) {
  if (db_flag.has_value() && !db_flag->empty()) return *db_flag;
  if (const char* url = std::getenv("DATABASE_URL"); url != nullptr && *url != '\0') return url;
  return "";  // libpq reads PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, ...
}

bool IsDatabaseArgument(const std::string& word) {
  return word.starts_with("postgres://") || word.starts_with("postgresql://") ||
         word.find("dbname=") != std::string::npos || word.find("host=") != std::string::npos;
}

}  // namespace schemac::plan
