// Internal to runtime/catalog: the rows of the catalog queries and the readers that turn them into
// model objects. Readers address a query's columns by the names its SELECT list gives them (see
// introspect.cpp for how the names travel); values arrive as text. Lists and nested records are
// built as JSON by the queries (json_agg, json_build_object) and read with the Json overloads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/model/model.h"
#include "runtime/catalog/introspect.h"

namespace schemac::catalog::internal {

using Json = nlohmann::json;

// Column name -> position in a row.
using Columns = std::map<std::string, size_t, std::less<>>;
using Values = std::vector<std::optional<std::string>>;  // one row; SQL NULL is nullopt

// One row of a query result; valid as long as the Rows it came from.
class Row {
 public:
  Row(const Columns* columns, const Values* values) : columns_(columns), values_(values) {}
  // The value of column `key`; throws std::runtime_error if the query has no such column.
  const std::optional<std::string>& Get(std::string_view key) const;

 private:
  const Columns* columns_;
  const Values* values_;
};

// The rows of one query.
class Rows {
 public:
  Rows() = default;
  // `columns` maps names to positions in each of `values`.
  Rows(Columns columns, std::vector<Values> values);
  std::vector<Row>::const_iterator begin() const { return rows_.begin(); }
  std::vector<Row>::const_iterator end() const { return rows_.end(); }
  size_t size() const { return rows_.size(); }

 private:
  std::unique_ptr<Columns> columns_ = std::make_unique<Columns>();  // stable address for Row
  std::vector<Values> values_;
  std::vector<Row> rows_;
};

// ---- value access -------------------------------------------------------------------------------
// Each throws std::runtime_error naming the key when a value is missing or of the wrong type
// (a query and its reader disagree: a bug, not a user error). Overloaded for query rows (text
// values) and for the JSON objects queries build inside a row.

std::string Str(const Row& row, std::string_view key);
std::string Str(const Json& row, std::string_view key);
// Unset for SQL NULL.
std::optional<std::string> OptStr(const Row& row, std::string_view key);
std::optional<std::string> OptStr(const Json& row, std::string_view key);
bool Bool(const Row& row, std::string_view key);
bool Bool(const Json& row, std::string_view key);
int64_t Int(const Row& row, std::string_view key);
int64_t Int(const Json& row, std::string_view key);
// A list of strings: a JSON array, or (query rows only) a one-dimensional PostgreSQL array such as
// name[]; empty for SQL NULL (json_agg over no rows).
std::vector<std::string> Strings(const Row& row, std::string_view key);
// "name=value" as reloptions and proconfig store settings.
std::pair<std::string, std::string> SplitSetting(const std::string& setting);
// A reloptions array (JSON) as storage parameters, sorted by name.
std::vector<std::pair<std::string, std::string>> StorageOf(const Row& row, std::string_view key);
std::vector<std::string> Strings(const Json& row, std::string_view key);
// A JSON value (array or object); JSON null for SQL NULL.
Json JsonOf(const Row& row, std::string_view key);
// A JSON array; empty for SQL NULL.
Json Array(const Row& row, std::string_view key);
const Json& Array(const Json& row, std::string_view key);

// A type from the five keys <prefix>schema, <prefix>typname, <prefix>full, <prefix>typmod and
// <prefix>dims (see queries/types.sql): built-ins by format_type's spelling with the modifiers
// split off ("timestamp(3) with time zone" -> "timestamp with time zone" + "(3)"), other types by
// schema and name.
model::TypeName TypeFrom(const Row& row, std::string_view prefix);
model::TypeName TypeFrom(const Json& row, std::string_view prefix);

// Sequence parameters from the keys type, start, increment, min_value, max_value, cache, cycle.
model::SequenceParams SequenceParamsFrom(const Row& row);
model::SequenceParams SequenceParamsFrom(const Json& row);

// A text split at top-level commas: commas inside parentheses, brackets, 'strings' and
// "identifiers" do not split. Pieces are trimmed.
std::vector<std::string> SplitTopLevel(std::string_view text);

// An Expr holding PostgreSQL's canonical text, without a source location.
model::Expr CanonicalExpr(std::string text);

// ---- readers ------------------------------------------------------------------------------------
// Called in this order; later readers use what earlier ones stored.

struct Reader {
  model::Catalog catalog;
  std::vector<Unsupported> unsupported;
  std::map<model::QualifiedName, TableStats> table_stats;

  // Index of each table in catalog.tables, for columns and constraints.
  std::map<model::QualifiedName, size_t> table_index;
  // Indexes behind constraints, by (table, constraint name): elements, include, method, ...
  std::map<std::pair<model::QualifiedName, std::string>, model::Index> constraint_indexes;
  // Function or procedure by pg_proc oid, as index into catalog.functions (for grants).
  std::map<std::string, size_t> function_by_oid;

  void ReadSchemas(const Rows& rows);      // schemas.sql: schemas and extensions
  void ReadCollations(const Rows& rows);   // collations.sql
  void ReadTypes(const Rows& rows);        // types.sql: enums, domains, composite types
  void ReadSequences(const Rows& rows);    // sequences.sql
  void ReadTables(const Rows& rows);       // tables.sql
  void ReadColumns(const Rows& rows);      // columns.sql
  void ReadIndexes(const Rows& rows);      // indexes.sql
  void ReadConstraints(const Rows& rows);  // constraints.sql
  void ReadViews(const Rows& rows);        // views.sql
  void ReadFunctions(const Rows& rows);    // functions.sql
  void ReadTriggers(const Rows& rows);     // triggers.sql
  void ReadPolicies(const Rows& rows);     // policies.sql
  void ReadGrants(const Rows& rows);       // grants.sql
  void ReadUnsupported(const Rows& rows);  // unsupported.sql

  // Sorts every vector as model.h says and fills catalog.roles.
  void Finish();
};

// The WHEN condition of a trigger from pg_get_triggerdef's text: what is inside `WHEN (...)`.
// Empty if there is none.
std::string TriggerWhen(std::string_view definition);
// Trigger arguments from tgargs as hex: `nargs` strings, each terminated by a zero byte.
std::vector<std::string> TriggerArgs(std::string_view hex, int64_t nargs);

}  // namespace schemac::catalog::internal
