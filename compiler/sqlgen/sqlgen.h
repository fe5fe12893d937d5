// SQL generation: renders model objects as PostgreSQL DDL.
#pragma once

#include <string>
#include <vector>

#include "compiler/model/model.h"

namespace schemac::sqlgen {

// The DDL that creates `catalog` in an empty PostgreSQL 15 database, one statement per line group,
// each ending in `;`, in dependency order: extensions and schemas, types, sequences, functions the
// tables need, tables (foreign keys that would form a cycle are added afterwards with ALTER TABLE),
// indexes, views in dependency order, triggers, row level security, policies, comments, grants.
// Deterministic: the same catalog gives the same bytes.
std::string CreateAll(const model::Catalog& catalog);
// The statements of CreateAll, one per element, in the same order.
std::vector<std::string> CreateAllStatements(const model::Catalog& catalog);

}  // namespace schemac::sqlgen
