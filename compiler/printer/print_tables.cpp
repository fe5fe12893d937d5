// Tables: columns with their single-column constraints, table constraints, indexes, comments and
// row level security in the block; partitions, triggers, policies, grants and the remaining
// comments after it.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "compiler/printer/internal.h"
#include "compiler/sema/naming.h"
#include "compiler/sqlgen/render.h"
#include "compiler/sqltext/sqltext.h"

namespace schemac::printer::internal {
namespace {

using model::ConstraintKind;

// "", "deferrable", "deferrable initially deferred".
std::string DeferralText(model::Deferral d) {
  const std::string sql = Lower(sqlgen::DeferralSql(d));
  return sql.empty() ? sql : sql.substr(1);
}

// `references t (cols) [match full] [on delete ...] [on update ...] [deferrable ...]`
std::string References(const model::Constraint& k) {
  std::string out = "references " + Qualified(k.ref_table);
  if (!k.ref_columns.empty()) out += " (" + IdentList(k.ref_columns) + ")";
  if (k.match == "full") out += " match full";
  if (k.on_delete != model::FkAction::NoAction) {
    out += " on delete " + std::string(model::FkActionName(k.on_delete));
    if (!k.on_delete_set_columns.empty()) out += " (" + IdentList(k.on_delete_set_columns) + ")";
  }
  if (k.on_update != model::FkAction::NoAction) out += " on update " + std::string(model::FkActionName(k.on_update));
  const std::string d = DeferralText(k.deferral);
  if (!d.empty()) out += " " + d;
  if (k.not_valid) out += " not valid";
  return out;
}

// ` no inherit` / ` not valid` after a check's expression.
std::string CheckAttributes(const model::Constraint& k) {
  std::string out;
  if (k.no_inherit) out += " no inherit";
  if (k.not_valid) out += " not valid";
  return out;
}

// True when the parenthesis that opens at `open` closes at the very end of `text`.
bool ClosesAtEnd(const std::string& text, size_t open) {
  int depth = 0;
  char quote = 0;
  for (size_t k = open; k < text.size(); ++k) {
    const char c = text[k];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == 0) return k + 1 == text.size();
    }
  }
  return false;
}

// An element expression is written as it is when it is a function call or already in parentheses
// (the compiler reads the text inside them), else in parentheses.
bool IsFunctionCall(const std::string& text) {
  size_t i = 0;
  auto ident = [&]() {
    if (i < text.size() && text[i] == '"') {
      for (++i; i < text.size(); ++i) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            ++i;
            continue;
          }
          ++i;
          return true;
        }
      }
      return false;
    }
    const size_t start = i;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
    return i > start && !std::isdigit(static_cast<unsigned char>(text[start]));
  };
  if (!ident()) return false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!ident()) return false;
  }
  if (i >= text.size() || text[i] != '(') return false;
  return ClosesAtEnd(text, i);
}

// The text of an element expression as written, and as the compiler reads it back.
std::pair<std::string, std::string> ElementExpr(const std::string& expression) {
  const std::string text = Sql(expression);
  if (IsFunctionCall(text)) return {text, text};
  if (!text.empty() && text[0] == '(' && ClosesAtEnd(text, 0)) return {text, text.substr(1, text.size() - 2)};
  return {"(" + text + ")", text};
}

// Element names as the compiler derives them (implicit_names.cpp's ElementNames).
std::vector<std::string> ElementNames(const std::vector<model::IndexElement>& elements,
                                      const std::vector<std::string>& include) {
  std::vector<std::string> names;
  for (const model::IndexElement& e : elements) {
    names.push_back(e.is_column ? e.expression : sema::FigureIndexColname(ElementExpr(e.expression).second));
  }
  names.insert(names.end(), include.begin(), include.end());
  return sema::IndexColumnNames(names);
}

// The one column of `columns` a check expression references, if exactly one (as sema names
// checks: <table>_<column>_check, else <table>_check).
std::optional<std::string> SingleCheckColumn(const model::Table& table,
                                             const std::vector<model::Column>& columns,
                                             const std::string& text) {
  const sqltext::Result r = sqltext::Analyze(text, sqltext::Context::Expression);
  if (!r.ok) return std::nullopt;
  std::set<std::string> found;
  for (const sqltext::Ref& ref : r.refs) {
    if (ref.kind != sqltext::Ref::Kind::Column || ref.names.empty() || ref.names.size() > 2) continue;
    if (ref.names.size() == 2 && ref.names[0] != table.name.name) continue;
    const std::string& column = ref.names.back();
    if (std::any_of(columns.begin(), columns.end(), [&](const model::Column& c) { return c.name == column; })) {
      found.insert(column);
    }
  }
  if (found.size() != 1) return std::nullopt;
  return *found.begin();
}

std::string Derived(const model::Table& t, std::optional<std::string> addition, const char* label) {
  return sema::MakeObjectName(t.name.name,
                              addition ? std::optional<std::string_view>(*addition) : std::nullopt, label);
}

// What the compiler would name this constraint if it were written without a name.
std::string DerivedName(const model::Table& t, const std::vector<model::Column>& columns,
                        const model::Constraint& k) {
  switch (k.kind) {
    case ConstraintKind::PrimaryKey: return Derived(t, std::nullopt, "pkey");
    case ConstraintKind::Unique: {
      std::vector<std::string> names = k.columns;
      names.insert(names.end(), k.include.begin(), k.include.end());
      return Derived(t, sema::NameAddition(sema::IndexColumnNames(names)), "key");
    }
    case ConstraintKind::Exclude: return Derived(t, sema::NameAddition(ElementNames(k.elements, {})), "excl");
    case ConstraintKind::ForeignKey: return Derived(t, sema::NameAddition(k.columns), "fkey");
    case ConstraintKind::Check:
      return Derived(t, k.expression ? SingleCheckColumn(t, columns, Sql(k.expression->text)) : std::nullopt,
                     "check");
  }
  return "";
}

// `(expr)` around a check-like expression.
std::string Parenthesized(const std::string& text) { return "(" + Sql(text) + ")"; }

// A table-level constraint item.
std::string ConstraintItem(const model::Constraint& k, bool named) {
  const std::string name = Ident(k.name);
  std::string out;
  auto tail = [&](std::string text) {
    const std::string d = DeferralText(k.deferral);
    if (!d.empty()) text += " " + d;
    return text;
  };
  auto include = [&]() { return k.include.empty() ? std::string() : " include (" + IdentList(k.include) + ")"; };
  switch (k.kind) {
    case ConstraintKind::PrimaryKey:
      out = tail((named ? "constraint " + name + " " : "") + "primary key (" + IdentList(k.columns) + ")" + include());
      break;
    case ConstraintKind::Unique:
      out = tail((named ? "constraint " + name + " " : "") + "unique " +
                 (k.nulls_not_distinct ? "nulls not distinct " : "") + "(" + IdentList(k.columns) + ")" +
                 include());
      break;
    case ConstraintKind::ForeignKey:
      out = (named ? "constraint " + name + " " : "") + "foreign key (" + IdentList(k.columns) + ") " + References(k);
      break;
    case ConstraintKind::Check:
      out = "check " + (named ? name + " " : "") + Parenthesized(k.expression ? k.expression->text : "true");
      out += CheckAttributes(k);
      break;
    case ConstraintKind::Exclude: {
      std::vector<std::string> elements;
      for (const model::IndexElement& e : k.elements) elements.push_back(IndexElement(e) + " with " + e.exclude_operator);
      out = "exclude " + (named ? name + " " : "") + "using " + Ident(k.using_method.empty() ? "gist" : k.using_method) +
            " (" + fmt::format("{}", fmt::join(elements, ", ")) + ")" + include();
      if (k.expression) out += " where " + Parenthesized(k.expression->text);
      out = tail(out);
      break;
    }
  }
  return out;
}

// Index options after the element list.
std::string IndexBody(const model::Index& index) {
  std::string out;
  if (index.method != "btree" && !index.method.empty()) out += "using " + Ident(index.method) + " ";
  std::vector<std::string> elements;
  for (const model::IndexElement& e : index.elements) elements.push_back(IndexElement(e));
  out += "(" + fmt::format("{}", fmt::join(elements, ", ")) + ")";
  if (!index.include.empty()) out += " include (" + IdentList(index.include) + ")";
  if (index.nulls_not_distinct) out += " nulls not distinct";
  out += StorageParams(index.storage);
  if (index.where) out += " where " + BareOrParenthesized(index.where->text);
  return out;
}

bool IndexNameDerived(const model::Index& index) {
  const std::string derived =
      sema::MakeObjectName(index.table.name, sema::NameAddition(ElementNames(index.elements, index.include)), "idx");
  return derived == index.name.name;
}

// 'literal'::type with exactly the column's type: the bare literal is coerced to the same.
std::string DefaultText(const model::Column& column) {
  const std::string text = Sql(column.default_expr->text);
  if (text.empty() || text[0] != '\'') return BareOrParenthesized(text);
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '\'') {
      if (i + 1 < text.size() && text[i + 1] == '\'') {
        i += 2;
        continue;
      }
      break;
    }
    ++i;
  }
  const size_t end = i + 1;
  if (end < text.size() && text.compare(end, 2, "::") == 0 && text.substr(end + 2) == column.type.ToSql()) {
    // '-1'::integer is how PostgreSQL prints the constant -1: write the number.
    const std::string inner = text.substr(1, end - 2);
    const bool number = !inner.empty() && inner.find_first_not_of("-0123456789.") == std::string::npos &&
                        std::count(inner.begin(), inner.end(), '-') <= 1 && inner.find('-', 1) == std::string::npos &&
                        std::isdigit(static_cast<unsigned char>(inner.back()));
    const bool numeric_type = column.type.IsBuiltin() && column.type.array_dims == 0 &&
                              (column.type.name == "smallint" || column.type.name == "integer" ||
                               column.type.name == "bigint" || column.type.name == "numeric" ||
                               column.type.name == "real" || column.type.name == "double precision");
    return number && numeric_type ? inner : text.substr(0, end);
  }
  return BareOrParenthesized(text);
}

// FROM (...) TO (...) / IN (...) / WITH (...) with the keywords outside parentheses and strings in
// lower case.
std::string BoundText(const std::string& bound) {
  std::string out;
  int depth = 0;
  char quote = 0;
  for (char c : Sql(bound)) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    out += c;
  }
  return out;
}

}  // namespace

// A serial column: an integer column whose default is nextval of a sequence that it owns, named
// the way PostgreSQL names a serial's sequence, with the default options of its type.
const model::Sequence* SerialSequence(const Context& ctx, const model::Table& t, const model::Column& c) {
  if (!c.default_expr || !c.not_null || c.identity != model::IdentityKind::None || c.type.array_dims != 0) return nullptr;
  if (!c.type.IsBuiltin() || (c.type.name != "smallint" && c.type.name != "integer" && c.type.name != "bigint")) {
    return nullptr;
  }
  const std::string seq_name = sema::MakeObjectName(t.name.name, c.name, "seq");
  const model::QualifiedName seq{t.name.schema, seq_name};
  if (Sql(c.default_expr->text) != "nextval(" + model::QuoteLiteral(model::QuoteQualified(seq)) + "::regclass)") {
    return nullptr;
  }
  const model::Sequence* s = ctx.FindSequence(seq);
  if (s == nullptr || !s->owned_by_table || *s->owned_by_table != t.name || s->owned_by_column != c.name) return nullptr;
  if (s->comment || s->params.type.name != c.type.name || !SequenceOptions(s->params, false).empty()) return nullptr;
  return s;
}

namespace {

// Where each constraint goes.
struct Placement {
  // column -> (kind order, option): primary key, unique, references, check
  std::map<std::string, std::vector<std::pair<int, std::string>>> column_options;
  std::vector<std::string> items;                                 // table constraint items
  std::set<std::string> pk_columns;
};

Placement PlaceConstraints(Context& ctx, const model::Table& t, const std::vector<model::Column>& columns,
                           bool has_column_lines) {
  Placement p;
  // Table items: primary key, unique, foreign keys, checks, exclusions; each kind by name.
  std::map<int, std::vector<std::string>> items_by_kind;
  // Only local columns have lines: a constraint on an inherited column is a table item.
  auto local = [&](const std::string& column) {
    return std::any_of(t.columns.begin(), t.columns.end(),
                       [&](const model::Column& c) { return c.name == column; });
  };
  auto column_option = [&](const std::string& column, std::string option) {
    const int order = option.starts_with("primary") ? 0 : option.starts_with("unique") ? 1
                      : option.starts_with("references") ? 2 : 3;
    p.column_options[column].emplace_back(order, std::move(option));
  };
  for (const model::Constraint& k : t.constraints) {
    if (k.kind == ConstraintKind::PrimaryKey) p.pk_columns.insert(k.columns.begin(), k.columns.end());
    const bool derived = k.name == DerivedName(t, columns, k) && ctx.UniqueConstraintName(t.name.schema, k.name);
    const bool plain = k.deferral == model::Deferral::NotDeferrable && k.include.empty() && !k.nulls_not_distinct;
    if (derived && has_column_lines && (k.columns.size() != 1 || local(k.columns[0]))) {
      if (k.kind == ConstraintKind::PrimaryKey && k.columns.size() == 1 && plain) {
        column_option(k.columns[0], "primary key");
        continue;
      }
      if (k.kind == ConstraintKind::Unique && k.columns.size() == 1 && plain) {
        column_option(k.columns[0], "unique");
        continue;
      }
      if (k.kind == ConstraintKind::ForeignKey && k.columns.size() == 1) {
        column_option(k.columns[0], References(k));
        continue;
      }
      if (k.kind == ConstraintKind::Check && k.expression) {
        if (auto column = SingleCheckColumn(t, columns, Sql(k.expression->text))) {
          column_option(*column, "check " + Parenthesized(k.expression->text) + CheckAttributes(k));
          continue;
        }
      }
    }
    const int order = k.kind == ConstraintKind::PrimaryKey ? 0
                      : k.kind == ConstraintKind::Unique   ? 1
                      : k.kind == ConstraintKind::ForeignKey ? 2
                      : k.kind == ConstraintKind::Check    ? 3
                                                           : 4;
    items_by_kind[order].push_back(ConstraintItem(k, !derived));
  }
  for (auto& [order, items] : items_by_kind) {
    for (std::string& item : items) p.items.push_back(std::move(item));
  }
  return p;
}

std::string ColumnLine(Context& ctx, const model::Table& t, const model::Column& c, const Placement& p, size_t width) {
  std::string out = Ident(c.name);
  out += std::string(width - out.size() + 2, ' ');
  const model::Sequence* serial = SerialSequence(ctx, t, c);
  if (serial != nullptr) {
    out += c.type.name == "bigint" ? "bigserial" : c.type.name == "smallint" ? "smallserial" : "serial";
  } else {
    out += Type(c.type);
    if (c.type.IsBuiltin() && c.type.name.starts_with("interval ")) {
      ctx.Note(fmt::format("column {}.{} is of type {}: the language has no interval fields; written as {}",
                           model::QuoteQualified(t.name), model::QuoteIdent(c.name), c.type.ToSql(), Type(c.type)));
    }
  }
  std::vector<std::string> options;
  if (c.collation) options.push_back("collate " + Collation(*c.collation));
  if (c.identity != model::IdentityKind::None) {
    std::string identity = c.identity == model::IdentityKind::Always ? "generated always as identity"
                                                                     : "generated by default as identity";
    if (c.identity_params) {
      const std::vector<std::string> seq = SequenceOptions(*c.identity_params, false);
      if (!seq.empty()) identity += " (" + fmt::format("{}", fmt::join(seq, " ")) + ")";
    }
    options.push_back(identity);
  }
  if (c.generated) options.push_back("generated always as " + Parenthesized(c.generated->text) + " stored");
  const bool implied_not_null = p.pk_columns.contains(c.name) || c.identity != model::IdentityKind::None || serial;
  if (c.not_null && !implied_not_null) options.push_back("not null");
  if (c.default_expr && serial == nullptr) options.push_back("default " + DefaultText(c));
  if (auto it = p.column_options.find(c.name); it != p.column_options.end()) {
    std::vector<std::pair<int, std::string>> sorted = it->second;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [order, option] : sorted) options.push_back(option);
  }
  if (c.comment) options.push_back("comment " + Literal(*c.comment));
  for (const std::string& o : options) out += " " + o;
  return out;
}

// The table declaration itself (block and all).
std::string TableDecl(Context& ctx, const model::Table& t) {
  std::string head = t.unlogged ? "unlogged table " : "table ";
  head += Qualified(t.name);
  if (t.partition_of) {
    head += " partition of " + Qualified(*t.partition_of);
    head += t.partition_default || !t.partition_bound ? " default" : " for values " + BoundText(t.partition_bound->text);
  }
  if (!t.inherits.empty()) {
    std::vector<std::string> parents;
    for (const model::QualifiedName& parent : t.inherits) parents.push_back(Qualified(parent));
    head += " inherits (" + fmt::format("{}", fmt::join(parents, ", ")) + ")";
  }
  if (t.partition_strategy) {
    std::vector<std::string> keys;
    for (const model::IndexElement& e : t.partition_keys) keys.push_back(IndexElement(e));
    head += " partition by " + std::string(model::PartitionStrategyName(*t.partition_strategy)) + " (" +
            fmt::format("{}", fmt::join(keys, ", ")) + ")";
  }
  head += StorageParams(t.storage);
  const bool is_partition = t.partition_of.has_value();
  const std::vector<model::Column>& columns = ctx.ColumnsOf(t);
  const Placement p = PlaceConstraints(ctx, t, columns, !is_partition);

  std::vector<std::string> lines;
  if (!is_partition) {
    size_t width = 0;
    for (const model::Column& c : t.columns) width = std::max(width, Ident(c.name).size());
    for (const model::Column& c : t.columns) lines.push_back(ColumnLine(ctx, t, c, p, width));
  }
  std::vector<std::string> rest = p.items;
  for (const model::Index* i : ctx.IndexesOn(t.name)) {
    const model::Index& index = *i;
    if (index.invalid) {
      ctx.Note(fmt::format("index {} is invalid (a failed concurrent build): written as a valid index",
                           model::QuoteQualified(index.name)));
    }
    std::string line = index.unique ? "unique index " : "index ";
    if (!IndexNameDerived(index)) line += Ident(index.name.name) + " ";
    rest.push_back(line + IndexBody(index));
  }
  if (t.comment) rest.push_back("comment " + Literal(*t.comment));
  if (t.rls_forced) {
    rest.push_back(t.rls_enabled ? "force row level security" : "force row level security not enabled");
  } else if (t.rls_enabled) {
    rest.push_back("row level security");
  }
  if (lines.empty() && rest.empty()) return head + (is_partition ? "\n" : " {}\n");
  std::string out = head + " {\n";
  for (const std::string& l : lines) out += "  " + l + "\n";
  if (!lines.empty() && !rest.empty()) out += "\n";
  for (const std::string& l : rest) out += "  " + l + "\n";
  return out + "}\n";
}

// What follows a table: comments that cannot go into the block, triggers, policies, grants.
std::string TableExtras(Context& ctx, const model::Table& t) {
  std::string out;
  for (const model::Constraint& k : t.constraints) {
    out += CommentOn("constraint " + Ident(k.name) + " on " + Qualified(t.name), k.comment);
  }
  for (const model::Index* index : ctx.IndexesOn(t.name)) {
    out += CommentOn("index " + Qualified(index->name), index->comment);
  }
  std::string triggers;
  for (const model::Trigger* trigger : ctx.TriggersOn(t.name)) {
    triggers += TriggerDecl(*trigger);
    triggers += CommentOn("trigger " + Ident(trigger->name) + " on " + Qualified(t.name), trigger->comment);
  }
  std::string policies;
  for (const model::Policy* policy : ctx.PoliciesOn(t.name)) {
    policies += PolicyDecl(*policy);
    policies += CommentOn("policy " + Ident(policy->name) + " on " + Qualified(t.name), policy->comment);
  }
  std::string grants = GrantLines(ctx, ctx.TakeGrants(model::ObjectKind::Table, t.name));
  // The sequences of serial and identity columns are the table's: so are their grants.
  for (const model::Column& c : ctx.ColumnsOf(t)) {
    if (t.partition_of) break;
    const model::QualifiedName seq{t.name.schema, sema::MakeObjectName(t.name.name, c.name, "seq")};
    if (c.identity != model::IdentityKind::None || SerialSequence(ctx, t, c) != nullptr) {
      grants += GrantLines(ctx, ctx.TakeGrants(model::ObjectKind::Table, seq));
    }
  }
  for (const std::string* part : {&triggers, &policies, &grants}) {
    if (part->empty()) continue;
    if (!out.empty()) out += "\n";
    out += *part;
  }
  return out;
}

void AppendGroup(Context& ctx, const model::Table& t, std::string& out) {
  out += TableDecl(ctx, t);
  const std::string extras = TableExtras(ctx, t);
  if (!extras.empty()) out += "\n" + extras;
  // One-line partitions follow their parent (or each other) directly, as in docs/language.md.
  bool previous_one_line = extras.empty();
  for (const model::Table* partition : ctx.PartitionsOf(t.name)) {
    if (partition->name.schema != t.name.schema) continue;  // printed in its own schema's file
    std::string part;
    AppendGroup(ctx, *partition, part);
    const bool one_line = part.find('\n') + 1 == part.size();
    if (!one_line || !previous_one_line) out += "\n";
    out += part;
    previous_one_line = one_line;
  }
}

}  // namespace

bool PrintedWithParent(const Context& ctx, const model::Table& table) {
  return table.partition_of && table.partition_of->schema == table.name.schema &&
         ctx.FindTable(*table.partition_of) != nullptr;
}

std::string IndexElement(const model::IndexElement& e) {
  std::string out;
  if (e.is_column) {
    out = Ident(e.expression);
  } else {
    out = ElementExpr(e.expression).first;
  }
  if (e.collation) out += " collate " + Collation(*e.collation);
  if (e.opclass) {
    out += " " + (e.opclass->schema == "pg_catalog" ? Ident(e.opclass->name) : Qualified(*e.opclass));
  }
  if (e.descending) out += " desc";
  if (e.nulls_first && *e.nulls_first != e.descending) out += *e.nulls_first ? " nulls first" : " nulls last";
  return out;
}

std::string TopLevelIndex(const model::Index& index) {
  std::string out = index.unique ? "unique index " : "index ";
  if (!IndexNameDerived(index)) out += Ident(index.name.name) + " ";
  return out + "on " + Qualified(index.table) + " " + IndexBody(index) + "\n" +
         CommentOn("index " + Qualified(index.name), index.comment);
}

std::string TableGroup(Context& ctx, const model::Table& table) {
  std::string out;
  AppendGroup(ctx, table, out);
  return out;
}

}  // namespace schemac::printer::internal
