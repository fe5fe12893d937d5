#include "runtime/plan/connect.h"

#include <cstdlib>

namespace schemac::plan {

std::string ResolveConninfo(const std::optional<std::string>& db_flag) {
  if (db_flag.has_value() && !db_flag->empty()) return *db_flag;
  if (const char* url = std::getenv("DATABASE_URL"); url != nullptr && *url != '\0') return url;
  return "";  // libpq reads PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, ...
}

}  // namespace schemac::plan
