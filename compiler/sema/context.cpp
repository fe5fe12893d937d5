#include "compiler/sema/context.h"

#include <fmt/format.h>

#include <algorithm>

namespace schemac::sema {

std::string Display(const QName& name) {
  if (name.schema.empty() || name.schema == "public") return name.name;
  return name.schema + "." + name.name;
}

void AddDep(std::vector<model::ObjectId>& deps, model::ObjectKind kind, const QName& name) {
  model::ObjectId id{.kind = kind, .name = name};
  if (std::find(deps.begin(), deps.end(), id) == deps.end()) deps.push_back(std::move(id));
}

base::Diagnostic& Context::Error(DiagKind kind, Loc loc, std::string message) {
  return diags.Error(kind, loc, std::move(message));
}

void Context::Warning(DiagKind kind, Loc loc, std::string message) {
  diags.Warning(kind, loc, std::move(message));
}

void Context::Note(base::Diagnostic& diag, Loc loc, std::string message) {
  diag.notes.push_back(base::DiagNote{.loc = loc, .message = std::move(message)});
}

std::string Context::SchemaOf(const ast::QualName& name) {
  if (!name.schema) return "public";
  const std::string& schema = name.schema->text;
  if (!SchemaExists(schema)) {
    Error(DiagKind::UnknownSchema, name.schema->loc, fmt::format("unknown schema '{}'", schema));
  }
  return schema;
}

bool Context::SchemaHasExtension(const std::string& schema) const {
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](const auto& e) { return e.second.schema == schema; });
}

TableState* Context::FindTable(const QName& name) const {
  auto it = table_by_name.find(name);
  return it == table_by_name.end() ? nullptr : it->second;
}

const std::vector<model::Column>& Context::ColumnsOf(const TableState& table) const {
  const TableState* t = &table;
  // Partitions of partitions: follow the chain to the table that declares the columns. The depth
  // bound guards against a (reported) cycle.
  for (int depth = 0; t->parent != nullptr && depth < 64; ++depth) t = t->parent;
  return t->model.columns;
}

namespace {
// A column of `table` or, through `inherits`, of one of its ancestors. The depth bound guards
// against a (reported) inheritance cycle.
const model::Column* FindColumnIn(const Context& ctx, const TableState& table,
                                  const std::string& column, int depth) {
  for (const model::Column& c : ctx.ColumnsOf(table)) {
    if (c.name == column) return &c;
  }
  if (depth >= 64) return nullptr;
  for (const TableState* parent : table.inherits) {
    if (const model::Column* c = FindColumnIn(ctx, *parent, column, depth + 1)) return c;
  }
  return nullptr;
}
}  // namespace

const model::Column* Context::FindColumn(const TableState& table, const std::string& column) const {
  return FindColumnIn(*this, table, column, 0);
}

std::vector<FunctionState*> Context::FindFunctions(const QName& name) const {
  std::vector<FunctionState*> out;
  auto [begin, end] = function_by_name.equal_range(name);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

const sqltext::Result* Context::Sql(const ast::SqlText& text, sqltext::Context context) {
  auto it = sql_cache_.find(&text);
  if (it != sql_cache_.end()) return it->second ? &*it->second : nullptr;
  sqltext::Result result = sqltext::Analyze(text.text, context);
  if (!result.ok) {
    Error(DiagKind::SqlSyntax, SqlLoc(text, result.error_offset, /*single_char=*/true),
          result.error);
    sql_cache_.emplace(&text, std::nullopt);
    return nullptr;
  }
  auto [pos, inserted] = sql_cache_.emplace(&text, std::move(result));
  return &*pos->second;
}

namespace {

bool IsWordChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

// Length of the (possibly dotted, possibly quoted) name or the string literal at `offset`.
size_t TokenLength(std::string_view s, size_t offset) {
  size_t i = offset;
  if (i < s.size() && s[i] == '\'') {
    for (++i; i < s.size(); ++i) {
      if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
        ++i;
      } else if (s[i] == '\'') {
        return i + 1 - offset;
      }
    }
    return i - offset;
  }
  while (i < s.size()) {
    if (s[i] == '"') {
      for (++i; i < s.size(); ++i) {
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') {
          ++i;
        } else if (s[i] == '"') {
          ++i;
          break;
        }
      }
    } else if (IsWordChar(s[i])) {
      while (i < s.size() && IsWordChar(s[i])) ++i;
    } else {
      break;
    }
    if (i + 1 < s.size() && s[i] == '.' && (IsWordChar(s[i + 1]) || s[i + 1] == '"')) {
      ++i;
      continue;
    }
    break;
  }
  return std::max<size_t>(i - offset, 1);
}

}  // namespace

Loc Context::SqlLoc(const ast::SqlText& text, uint32_t offset, bool single_char) const {
  // Only texts that are the source bytes themselves can be mapped offset by offset; string
  // literals (comments, quoted bodies) have had their quotes unescaped.
  if (sources.Text(text.loc) != text.text) return text.loc;
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.text.size()));
  Loc loc = text.loc;
  loc.begin = text.loc.begin + offset;
  const size_t length = single_char ? 1 : TokenLength(text.text, offset);
  loc.end = loc.begin + static_cast<uint32_t>(length);
  return loc;
}

}  // namespace schemac::sema
