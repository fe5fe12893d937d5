// Internal to compiler/sema: checking the references of embedded SQL.
#pragma once

#include <optional>
#include <vector>

#include "compiler/sema/context.h"

namespace schemac::sema {

// How to check one piece of embedded SQL.
struct SqlScope {
  sqltext::Context context = sqltext::Context::Expression;
  // Table-local expressions: one-part column references (and `table.column`) must be columns of
  // this table, unless the expression has a subquery.
  const TableState* table = nullptr;
  bool domain_check = false;  // a domain's check: `value` is the only column
  bool trigger_when = false;  // a trigger's `when`: new.x / old.x must be columns of `table`
  // Set where columns cannot be referenced at all, e.g. "a default expression".
  const char* no_columns = nullptr;
  // A function body given as a string constant (`as $$ ... $$`, not a SQL-standard body): PostgreSQL
  // resolves its names only when it runs (and, with check_function_bodies, when it is created), so
  // a database can hold one whose tables are gone. Unknown tables, functions, sequences and types
  // in it are warnings, not errors.
  bool unbound_body = false;
  // Declared objects the text uses are added here (when set), except `self`.
  std::vector<model::ObjectId>* deps = nullptr;
  std::optional<model::ObjectId> self;
};

// Parses `text` (reporting sql-syntax) and checks its references: unknown columns, tables,
// sequences, functions (in declared schemas) and types are reported at the reference. Returns the
// analysis, or nullptr when the text does not parse.
const sqltext::Result* CheckSql(Context& ctx, const ast::SqlText& text, const SqlScope& scope);

// The id a dependency on a declared function uses: its schema and signature.
model::ObjectId FunctionId(const FunctionState& f);

}  // namespace schemac::sema
