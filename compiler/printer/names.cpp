// Spelling: identifiers, literals, types and embedded SQL as a `.schema` file writes them.
#include <algorithm>
#include <iterator>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "compiler/printer/internal.h"
#include "compiler/sema/type_names.h"
#include "compiler/sqlgen/render.h"

namespace schemac::printer {

namespace {

// Words a bare name can never be: PostgreSQL 15's RESERVED_KEYWORD and TYPE_FUNC_NAME_KEYWORD
// lists (src/include/parser/kwlist.h), plus `between`, which the language reserves itself (every
// other word the language reserves is in these lists). Sorted.
constexpr std::string_view kReserved[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "binary", "both", "case", "cast", "check", "collate", "collation", "column",
    "concurrently", "constraint", "create", "cross", "current_catalog", "current_date",
    "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
    "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in",
    "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left",
    "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset",
    "on", "only", "or", "order", "outer", "overlaps", "placing", "primary", "references",
    "returning", "right", "select", "session_user", "similar", "some", "symmetric", "table",
    "tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic",
    "verbose", "when", "where", "window", "with"};

bool IsPlainLower(const std::string& name) {
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

std::string Ident(const std::string& name) {
  if (IsPlainLower(name) && !std::binary_search(std::begin(kReserved), std::end(kReserved), name)) return name;
  // Every word above is one quote_ident quotes too.
  return model::QuoteIdent(name);
}

std::string Literal(const std::string& text) {
  const bool escape = std::any_of(text.begin(), text.end(), [](char c) {
    return c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f';
  });
  if (!escape) return model::QuoteLiteral(text);
  std::string out = "E'";
  for (char c : text) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\\': out += "\\\\"; break;
      case '\'': out += "''"; break;
      default: out += c;
    }
  }
  return out + "'";
}

std::string FileName(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '$';
    out += keep ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return out.empty() ? "%" : out;
}

namespace internal {

std::string TypeIdent(const std::string& name) {
  const std::string quoted = model::QuoteIdent(name);
  return quoted == name ? Ident(name) : quoted;
}

std::string Qualified(const model::QualifiedName& name) {
  if (name.schema.empty() || name.schema == "public") return Ident(name.name);
  return Ident(name.schema) + "." + Ident(name.name);
}

std::string TypeQualified(const model::QualifiedName& name) {
  // A bare name that is also a built-in type's spelling would mean the built-in.
  const bool builtin_spelling =
      sema::CanonicalBuiltinType(name.name, {}, 0).has_value() || sema::IsBuiltinTypeName(name.name);
  if ((name.schema.empty() || name.schema == "public") && !builtin_spelling) return TypeIdent(name.name);
  return Ident(name.schema.empty() ? "public" : name.schema) + "." + TypeIdent(name.name);
}

std::string Type(const model::TypeName& type) {
  std::string out;
  if (type.IsBuiltin()) {
    // format_type's names, written the short way people write them.
    static const std::map<std::string, std::string, std::less<>> kShort = {
        {"timestamp with time zone", "timestamptz"}, {"timestamp without time zone", "timestamp"},
        {"time with time zone", "timetz"},           {"time without time zone", "time"},
        {"character varying", "varchar"},            {"character", "char"},
        {"bit varying", "varbit"}};
    auto it = kShort.find(type.name);
    if (it != kShort.end()) {
      out = it->second + type.modifiers;
    } else if (type.name.starts_with("interval ")) {
      // `interval day to second`: the language has no interval fields (the printer notes it).
      out = "interval" + type.modifiers;
    } else {
      model::TypeName plain = type;
      plain.array_dims = 0;
      out = plain.ToSql();
    }
  } else {
    out = TypeQualified({type.schema, type.name}) + type.modifiers;
  }
  for (int i = 0; i < type.array_dims; ++i) out += "[]";
  return out;
}

std::string IdentList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + Ident(n);
  return out;
}

std::string Collation(const std::string& collation) { return sqlgen::CollationSql(collation); }

std::string Sql(const std::string& text) { return sqlgen::ExprSql(text); }

std::string BareOrParenthesized(const std::string& text) { return sqlgen::DefaultExprSql(text); }

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string Wrap(const std::vector<std::string>& parts) {
  size_t length = 0;
  bool multiline = false;
  for (const std::string& p : parts) {
    length += p.size() + 1;
    multiline = multiline || p.find('\n') != std::string::npos;
  }
  std::string out;
  const bool wrap = length > 100 || multiline;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += wrap ? "\n  " : " ";
    out += parts[i];
  }
  return out;
}

}  // namespace internal

}  // namespace schemac::printer
