// Embedded SQL: validated with PostgreSQL's own parser (libpg_query, the PostgreSQL 15 grammar) and
// scanned for the objects it references. No database is involved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemac::sqltext {

// What a piece of text is.
enum class Context {
  Expression,  // a scalar expression: default, check, generated, index element, predicate, policy
  Query,       // a SELECT / VALUES / WITH query: view and materialized view bodies
  SqlBody,     // a LANGUAGE sql function body: one or more statements, or a SQL-standard body
               // (`RETURN expr`, `BEGIN ATOMIC stmt; ... END`)
};

// One reference found in the text. `names` are the name parts, already case-folded the way
// PostgreSQL folds them (unquoted lower-cased, quoted exact): {"billing", "invoices"} or {"orders"}.
struct Ref {
  enum class Kind {
    Relation,  // FROM/JOIN item (table, view, materialized view)
    Function,  // function call
    Column,    // column reference (may be qualified: {"o", "status"}); `*` is not reported
    Type,      // type name in a cast: x::order_status, CAST(x AS t)
    Sequence,  // the string argument of nextval/currval/setval, e.g. nextval('billing.invoice_no')
  };
  Kind kind = Kind::Column;
  std::vector<std::string> names;
  uint32_t offset = 0;  // byte offset of the reference within the analyzed text
};

struct Result {
  bool ok = true;
  std::string error;          // PostgreSQL's message, e.g. `syntax error at or near "from"`
  uint32_t error_offset = 0;  // byte offset within the analyzed text
  std::vector<Ref> refs;      // in text order
};

// The names of the columns a query returns, when its text says them plainly: each target of the
// (leftmost) SELECT is `expr AS name` or a column reference (`t.name`, `name`). nullopt for
// anything else (`*`, an expression without an alias, VALUES, a syntax error): then only the
// server knows. pg_get_viewdef writes every view query this way. Never throws.
std::optional<std::vector<std::string>> QueryColumnNames(std::string_view query);

// Parses `text` in the given context and collects its references. Never throws.
// For Context::Expression, the text must be exactly one expression (a trailing `;` or a second
// statement is an error). For Context::Query, exactly one query statement.
Result Analyze(std::string_view text, Context context);

}  // namespace schemac::sqltext
