// Views and materialized views.
#include "compiler/sqlgen/render.h"

#include <fmt/format.h>

namespace schemac::sqlgen {

using model::QuoteQualified;

namespace {

// The query as written, without surrounding whitespace and without one terminating `;` (the
// statement gets its own).
std::string QuerySql(const std::string& text) {
  std::string query = ExprSql(text);
  if (!query.empty() && query.back() == ';') query = ExprSql(query.substr(0, query.size() - 1));
  return query;
}

}  // namespace

std::string CreateView(const model::View& view) {
  std::string out = fmt::format("CREATE {}VIEW {}", view.materialized ? "MATERIALIZED " : "",
                                QuoteQualified(view.name));
  if (!view.column_names.empty()) out += " (" + IdentList(view.column_names) + ")";
  if (!view.options.empty()) {
    std::vector<std::string> options;
    for (const auto& [name, value] : view.options) options.push_back(name + "=" + value);
    out += fmt::format(" WITH ({})", fmt::join(options, ", "));
  }
  out += " AS\n" + QuerySql(view.query.text);
  // WITH DATA is the default for materialized views, and they take no check option.
  if (view.check_option && !view.materialized) {
    out += fmt::format("\nWITH {} CHECK OPTION", Upper(*view.check_option));
  }
  return out + ";";
}

}  // namespace schemac::sqlgen
