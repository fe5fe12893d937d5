// Indexes and index elements (shared with exclusion constraints and partition keys).
#include "compiler/sqlgen/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace schemac::sqlgen {

using model::QuoteIdent;
using model::QuoteQualified;

std::string IndexElementSql(const model::IndexElement& element) {
  // An expression must be parenthesized in an index element unless it is a bare function call;
  // parentheses are always accepted, so every expression gets them.
  std::string out = element.is_column ? QuoteIdent(element.expression)
                                      : "(" + ExprSql(element.expression) + ")";
  if (element.collation) out += " COLLATE " + CollationSql(*element.collation);
  if (element.opclass) out += " " + QuoteQualified(*element.opclass);
  if (element.descending) out += " DESC";
  // NULLS LAST is the default for ASC, NULLS FIRST for DESC; only the other choice is written.
  if (element.nulls_first && *element.nulls_first != element.descending) {
    out += *element.nulls_first ? " NULLS FIRST" : " NULLS LAST";
  }
  return out;
}

std::string StorageParamsSql(const std::vector<std::pair<std::string, std::string>>& storage) {
  if (storage.empty()) return "";
  std::vector<std::string> items;
  for (const auto& [name, value] : storage) {
    const bool plain = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '+';
    });
    items.push_back(QuoteIdent(name) + "=" + (plain ? value : model::QuoteLiteral(value)));
  }
  return fmt::format("({})", fmt::join(items, ", "));
}

std::string CreateIndex(const model::Index& index) {
  std::vector<std::string> elements;
  for (const model::IndexElement& element : index.elements) {
    elements.push_back(IndexElementSql(element));
  }
  // The index name takes no schema: an index always lives in its table's schema.
  std::string out = fmt::format("CREATE {}INDEX {} ON {}", index.unique ? "UNIQUE " : "",
                                QuoteIdent(index.name.name), QuoteQualified(index.table));
  if (!index.method.empty() && index.method != "btree") out += " USING " + QuoteIdent(index.method);
  out += fmt::format(" ({})", fmt::join(elements, ", "));
  if (!index.include.empty()) out += " INCLUDE (" + IdentList(index.include) + ")";
  if (index.nulls_not_distinct) out += " NULLS NOT DISTINCT";
  if (!index.storage.empty()) out += " WITH " + StorageParamsSql(index.storage);
  if (index.where) out += " WHERE (" + ExprSql(index.where->text) + ")";
  return out + ";";
}

}  // namespace schemac::sqlgen
