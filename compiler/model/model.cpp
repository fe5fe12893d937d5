#include "compiler/model/model.h"

#include <tuple>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace schemac::model {

const char* ObjectKindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Extension: return "extension";
    case ObjectKind::Schema: return "schema";
    case ObjectKind::Enum: return "enum";
    case ObjectKind::Domain: return "domain";
    case ObjectKind::CompositeType: return "type";
    case ObjectKind::Sequence: return "sequence";
    case ObjectKind::Table: return "table";
    case ObjectKind::Index: return "index";
    case ObjectKind::View: return "view";
    case ObjectKind::MaterializedView: return "materialized view";
    case ObjectKind::Function: return "function";
    case ObjectKind::Procedure: return "procedure";
    case ObjectKind::Trigger: return "trigger";
    case ObjectKind::Policy: return "policy";
    case ObjectKind::Constraint: return "constraint";
    case ObjectKind::Collation: return "collation";
  }
  return "object";
}

const char* FkActionName(FkAction action) {
  switch (action) {
    case FkAction::NoAction: return "no action";
    case FkAction::Restrict: return "restrict";
    case FkAction::Cascade: return "cascade";
    case FkAction::SetNull: return "set null";
    case FkAction::SetDefault: return "set default";
  }
  return "no action";
}

const char* PartitionStrategyName(PartitionStrategy strategy) {
  switch (strategy) {
    case PartitionStrategy::Range: return "range";
    case PartitionStrategy::List: return "list";
    case PartitionStrategy::Hash: return "hash";
  }
  return "range";
}

const char* TriggerTimingName(TriggerTiming timing) {
  switch (timing) {
    case TriggerTiming::Before: return "before";
    case TriggerTiming::After: return "after";
    case TriggerTiming::InsteadOf: return "instead of";
  }
  return "before";
}

std::string TypeName::ToSql() const {
  std::string out;
  if (IsBuiltin()) {
    // Time types carry their precision between the name and "with/without time zone".
    constexpr std::string_view kWith = " with time zone";
    constexpr std::string_view kWithout = " without time zone";
    std::string_view n = name;
    std::string_view suffix;
    if (n.size() > kWith.size() && n.substr(n.size() - kWith.size()) == kWith) {
      suffix = kWith;
    } else if (n.size() > kWithout.size() && n.substr(n.size() - kWithout.size()) == kWithout) {
      suffix = kWithout;
    }
    if (!suffix.empty()) {
      out = fmt::format("{}{}{}", n.substr(0, n.size() - suffix.size()), modifiers, suffix);
    } else if (name.starts_with("interval ") && !modifiers.empty()) {
      out = name + modifiers;  // interval day to second(3)
    } else {
      out = name + modifiers;
    }
  } else {
    out = QuoteQualified({schema, name}) + modifiers;
  }
  for (int i = 0; i < array_dims; ++i) out += "[]";
  return out;
}

std::string Function::Signature() const {
  std::string out = name.name + "(";
  bool first = true;
  for (const FunctionArg& a : args) {
    if (a.mode == ArgMode::Out) continue;
    if (!first) out += ", ";
    first = false;
    if (a.mode == ArgMode::Variadic) out += "VARIADIC ";
    out += a.type.ToSql();
  }
  return out + ")";
}

namespace {

// Keywords that quote_ident() quotes: every PostgreSQL 15 keyword that is not UNRESERVED
// (reserved, type_func_name and col_name keywords; see src/include/parser/kwlist.h). Sorted.
constexpr std::array<std::string_view, 140> kQuotedKeywords = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc", "distinct",
    "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for", "foreign",
    "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having", "ilike", "in",
    "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into", "is", "isnull",
    "join", "lateral", "leading", "least", "left", "like", "limit", "localtime", "localtimestamp",
    "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
    "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing", "position",
    "precision", "primary", "real", "references", "returning", "right", "row", "select",
    "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric", "table",
    "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim", "true", "union",
    "unique", "user", "using", "values", "varchar", "variadic", "verbose", "when", "where", "window",
    "with"};

// The xml* col_name keywords.
bool IsXmlKeyword(std::string_view s) {
  static constexpr std::array<std::string_view, 11> kXml = {
      "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces",
      "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable"};
  return std::find(kXml.begin(), kXml.end(), s) != kXml.end();
}

}  // namespace

std::string QuoteIdent(const std::string& ident) {
  bool safe = !ident.empty() && ((ident[0] >= 'a' && ident[0] <= 'z') || ident[0] == '_');
  for (char c : ident) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) safe = false;
  }
  if (safe && (std::binary_search(kQuotedKeywords.begin(), kQuotedKeywords.end(), ident) ||
               IsXmlKeyword(ident))) {
    safe = false;
  }
  if (safe) return ident;
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteQualified(const QualifiedName& name) {
  if (name.schema.empty()) return QuoteIdent(name.name);
  return QuoteIdent(name.schema) + "." + QuoteIdent(name.name);
}

std::string QuoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

void SortCatalog(Catalog& c) {
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  auto by_table = [](const auto& a, const auto& b) { return std::tie(a.table, a.name) < std::tie(b.table, b.name); };
  std::stable_sort(c.extensions.begin(), c.extensions.end(), by_name);
  std::stable_sort(c.schemas.begin(), c.schemas.end(), by_name);
  std::stable_sort(c.collations.begin(), c.collations.end(), by_name);
  std::stable_sort(c.enums.begin(), c.enums.end(), by_name);
  std::stable_sort(c.domains.begin(), c.domains.end(), by_name);
  std::stable_sort(c.composite_types.begin(), c.composite_types.end(), by_name);
  std::stable_sort(c.sequences.begin(), c.sequences.end(), by_name);
  std::stable_sort(c.tables.begin(), c.tables.end(), by_name);
  for (auto& t : c.tables) std::stable_sort(t.constraints.begin(), t.constraints.end(), by_name);
  std::stable_sort(c.indexes.begin(), c.indexes.end(), by_table);
  std::stable_sort(c.views.begin(), c.views.end(), by_name);
  std::stable_sort(c.functions.begin(), c.functions.end(), [](const Function& a, const Function& b) {
    return std::tuple(a.name, a.Signature()) < std::tuple(b.name, b.Signature());
  });
  std::stable_sort(c.triggers.begin(), c.triggers.end(), by_table);
  std::stable_sort(c.policies.begin(), c.policies.end(), by_table);
  std::stable_sort(c.grants.begin(), c.grants.end(), [](const Grant& a, const Grant& b) {
    return std::tie(a.object, a.column, a.grantee, a.privilege) < std::tie(b.object, b.column, b.grantee, b.privilege);
  });
}

}  // namespace schemac::model
