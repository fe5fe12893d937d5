// Which database to talk to, the way PostgreSQL users expect: --db (URL or key=value conninfo),
// else $DATABASE_URL, else libpq's own PG* variables (an empty conninfo).
#pragma once

#include <optional>
#include <string>

namespace schemac::plan {

// The conninfo to use. Never printed as is: show pg::RedactConninfo(...) instead.
std::string ResolveConninfo(const std::optional<std::string>& db_flag);

// True when a command-line word names a database rather than a path: a postgres:// or
// postgresql:// URL, or a key=value conninfo with dbname= or host=.
bool IsDatabaseArgument(const std::string& word);

}  // namespace schemac::plan
