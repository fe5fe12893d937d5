// Names in embedded SQL (sql_names.cpp). Internal to compiler/diff.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schemac::diff::internal {

// A name as embedded SQL spells it: `orders` (qualifier empty) or `sales.orders`.
struct NameRef {
  std::string qualifier;
  std::string name;
};

// Every identifier of `text` (unquoted ones folded to lower case, quoted ones as written), and
// every `a.b` pair. String literal contents are scanned too: nextval('s.seq'::regclass) names
// s.seq.
// Over-approximates on purpose: a name that appears is taken as a possible reference.
std::vector<NameRef> NameRefs(std::string_view text);
// Whether `identifier` appears in `text` as a whole identifier.
bool Mentions(std::string_view text, std::string_view identifier);

// `text` (an expression as PostgreSQL prints it) with every reference to column `from` spelled as
// `to` (quoted where needed): the way PostgreSQL prints the expression after RENAME COLUMN.
// Rewritten are bare identifiers and, when `qualifiers` lists them (`new`, `old` in a trigger's
// WHEN), identifiers qualified by one of those; not string literals, function names (followed by
// `(`), types (after `::`) or names qualified by anything else. Conservative: a reference it
// misses leaves the text different, which only recreates the object.
std::string RenameColumnRefs(std::string_view text, const std::string& from, const std::string& to,
                             const std::vector<std::string>& qualifiers = {});

}  // namespace schemac::diff::internal
