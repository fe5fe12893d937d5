// Which database to talk to, the way PostgreSQL users expect: --db (URL or key=value conninfo),
// else $DATABASE_URL, else libpq's own PG* variables (an empty conninfo).
#pragma once

#include <optional>
#include <string>

namespace schemac::plan {

// The conninfo to use. Never printed as is: show pg::RedactConninfo(...) instead.
std::string ResolveConninfo(const std::optional<std::string>& db_flag);

}  // namespace schemac::plan
