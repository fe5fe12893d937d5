// Schemas, extensions, types, sequences, views, functions, triggers and policies.
#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "compiler/printer/internal.h"
#include "compiler/sema/naming.h"
#include "compiler/sqlgen/render.h"
#include "compiler/sqltext/sqltext.h"

namespace schemac::printer::internal {
namespace {

// A one-line `head { a, b, c }`, or one item per line when that gets long.
std::string Braced(const std::string& head, const std::vector<std::string>& items, const char* open,
                   const char* close) {
  // Braces get inner spaces (`{ a, b }`), parentheses none (`(a int, b text)`).
  const std::string pad = std::string(open) == "{" ? " " : "";
  std::string one = head + " " + open + pad;
  for (size_t i = 0; i < items.size(); ++i) one += (i > 0 ? ", " : "") + items[i];
  one += pad + close;
  if (one.size() <= 100) {
    if (items.empty()) return head + " " + open + close + "\n";
    return one + "\n";
  }
  std::string out = head + " " + open + "\n";
  for (const std::string& item : items) out += "  " + item + ",\n";
  return out + close + "\n";
}

bool IsNumber(const std::string& s) {
  size_t i = s.starts_with('-') ? 1 : 0;
  if (i >= s.size()) return false;
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] == '.' && !dot) {
      dot = true;
    } else if (s[i] < '0' || s[i] > '9') {
      return false;
    }
  }
  return s.back() != '.';
}

// A dotted name of plain or double-quoted identifiers, as `set` accepts it bare.
bool IsDottedName(const std::string& s) {
  size_t i = 0;
  while (true) {
    if (i < s.size() && s[i] == '"') {
      size_t j = i + 1;
      for (; j < s.size(); ++j) {
        if (s[j] == '"') {
          if (j + 1 < s.size() && s[j + 1] == '"') {
            ++j;
            continue;
          }
          break;
        }
      }
      if (j >= s.size() || j == i + 1) return false;
      i = j + 1;
    } else {
      const size_t start = i;
      while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' || (s[i] >= '0' && s[i] <= '9'))) ++i;
      if (i == start || (s[start] >= '0' && s[start] <= '9')) return false;
      if (Ident(s.substr(start, i - start)) != s.substr(start, i - start)) return false;
    }
    if (i == s.size()) return true;
    if (s[i] != '.') return false;
    ++i;
  }
}

// The values of a function's SET option as proconfig stores them ("pg_catalog, sales",
// "\"$user\", public", "64MB"), written as `set` reads them back: names and numbers bare, anything
// else as a string.
std::string SetValues(const std::string& stored) {
  std::vector<std::string> pieces;
  std::string current;
  bool quoted = false;
  for (char c : stored) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      pieces.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  pieces.push_back(current);
  std::string out;
  for (std::string& p : pieces) {
    const size_t b = p.find_first_not_of(' ');
    const size_t e = p.find_last_not_of(' ');
    p = b == std::string::npos ? "" : p.substr(b, e - b + 1);
    out += (out.empty() ? "" : ", ") + (IsNumber(p) || IsDottedName(p) ? p : Literal(p));
  }
  return out;
}

std::string OptionValue(const std::string& value) {
  if (value == "true" || value == "false" || IsNumber(value)) return value;
  if (Ident(value) == value) return value;
  return Literal(value);
}

// A view query under its declaration, its first line indented by two spaces. pg_get_viewdef
// starts the query with one space and aligns the other lines to that (` SELECT`, `   FROM`,
// `  WHERE`): those lines move right with the first. A query that starts at its first word (as
// written in a .schema file) keeps its lines, indented to at least two spaces, so printing a
// printed query again changes nothing. Lines that continue a string literal are left as they are
// (indenting them would change the string).
std::string IndentQuery(const std::string& query) {
  const size_t first_word = query.find_first_not_of(' ');
  const long shift = first_word == std::string::npos ? 0 : static_cast<long>(first_word);
  std::string text = Sql(query);
  while (!text.empty() && (text.back() == ';' || text.back() == ' ' || text.back() == '\n')) text.pop_back();
  std::string out;
  char quote = 0;  // the quote a line starts inside of, if any
  size_t begin = 0;
  for (bool first = true; begin <= text.size(); first = false) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(begin, end - begin);
    if (!first) out += "\n";
    if (quote == 0) {
      const size_t spaces = std::min(line.find_first_not_of(' '), line.size());
      const long wanted = first ? 2 : shift > 0 ? static_cast<long>(spaces) - shift + 2 : static_cast<long>(spaces);
      out += std::string(static_cast<size_t>(std::max(wanted, 2L)), ' ') + line.substr(spaces);
    } else {
      out += line;
    }
    for (char c : line) {
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      }
    }
    begin = end + 1;
  }
  return out;
}

std::string ArgText(const model::FunctionArg& a) {
  std::string out;
  switch (a.mode) {
    case model::ArgMode::In: break;
    case model::ArgMode::Out: out = "out "; break;
    case model::ArgMode::InOut: out = "inout "; break;
    case model::ArgMode::Variadic: out = "variadic "; break;
  }
  // Argument names that are keywords (`out`, `inout`, `setof`) would read as part of the syntax.
  if (!a.name.empty()) out += TypeIdent(a.name) + " ";
  out += Type(a.type);
  if (a.default_expr) out += " default " + BareOrParenthesized(a.default_expr->text);
  return out;
}

}  // namespace

std::string StorageParams(const std::vector<std::pair<std::string, std::string>>& storage) {
  if (storage.empty()) return "";
  std::vector<std::string> items;
  for (const auto& [name, value] : storage) items.push_back(Ident(name) + " = " + OptionValue(value));
  return " with (" + fmt::format("{}", fmt::join(items, ", ")) + ")";
}

std::vector<std::string> SequenceOptions(const model::SequenceParams& params, bool include_type) {
  std::vector<std::string> out;
  for (const std::string& o : sqlgen::SequenceOptions(params, include_type)) out.push_back(Lower(o));
  return out;
}

std::string SchemaGroup(Context& ctx, const model::Schema& schema) {
  std::string out;
  if (schema.name != "public") out += "schema " + Ident(schema.name) + "\n";
  out += CommentOn("schema " + Ident(schema.name), schema.comment);
  out += GrantLines(ctx, ctx.TakeGrants(model::ObjectKind::Schema, {"", schema.name}));
  return out;
}

std::string ExtensionGroup(const model::Extension& extension) {
  std::string out = "extension " + Ident(extension.name);
  if (extension.schema && *extension.schema != "public") out += " schema " + Ident(*extension.schema);
  // The installed version is part of the database's state: without it, the printed schema would
  // mean "whatever version is installed" (or the server's default for a new database).
  if (extension.version) out += " version " + Literal(*extension.version);
  out += "\n";
  return out + CommentOn("extension " + Ident(extension.name), extension.comment);
}

std::string EnumGroup(Context& ctx, const model::Enum& type) {
  std::vector<std::string> values;
  for (const std::string& v : type.values) values.push_back(Ident(v) == v ? v : Literal(v));
  const std::string name = TypeQualified(type.name);
  std::string out = Braced("enum " + name, values, "{", "}");
  out += CommentOn("enum " + name, type.comment);
  out += GrantLines(ctx, ctx.TakeGrants(model::ObjectKind::Enum, type.name));
  return out;
}

std::string DomainGroup(Context& ctx, const model::Domain& d) {
  const std::string name = TypeQualified(d.name);
  std::vector<std::string> parts{"domain " + name + " as " + Type(d.base_type)};
  if (d.collation) parts.push_back("collate " + Collation(*d.collation));
  if (d.default_expr) parts.push_back("default " + BareOrParenthesized(d.default_expr->text));
  if (d.not_null) parts.push_back("not null");
  bool unnamed_used = false;
  for (const model::DomainCheck& check : d.checks) {
    if (check.not_valid) {
      ctx.Note(fmt::format("check {} of domain {} is NOT VALID: written as a valid check", check.name,
                           model::QuoteQualified(d.name)));
    }
    const bool derived = !unnamed_used && check.name == sema::MakeObjectName(d.name.name, std::nullopt, "check") &&
                         ctx.UniqueConstraintName(d.name.schema, check.name);
    unnamed_used = unnamed_used || derived;
    parts.push_back((derived ? "" : "constraint " + Ident(check.name) + " ") + "check (" + Sql(check.expression.text) + ")");
  }
  std::string out = Wrap(parts) + "\n";
  out += CommentOn("domain " + name, d.comment);
  out += GrantLines(ctx, ctx.TakeGrants(model::ObjectKind::Domain, d.name));
  return out;
}

std::string CompositeGroup(Context& ctx, const model::CompositeType& type) {
  const std::string name = TypeQualified(type.name);
  std::vector<std::string> fields;
  for (const model::CompositeField& f : type.fields) {
    std::string field = Ident(f.name) + " " + Type(f.type);
    if (f.collation) field += " collate " + Collation(*f.collation);
    fields.push_back(field);
  }
  std::string out = Braced("type " + name + " as", fields, "(", ")");
  if (out.find('\n') + 1 != out.size()) {
    // Multi-line: the last field takes no comma (a trailing one is accepted, but reads oddly).
    const size_t last = out.rfind(",\n");
    out.erase(last, 1);
  }
  out += CommentOn("type " + name, type.comment);
  out += GrantLines(ctx, ctx.TakeGrants(model::ObjectKind::CompositeType, type.name));
  return out;
}

std::string SequenceGroup(Context& ctx, const model::Sequence& s) {
  std::vector<std::string> parts{"sequence " + Qualified(s.name)};
  for (const std::string& o : SequenceOptions(s.params, true)) parts.push_back(o);
  if (s.owned_by_table && s.owned_by_column) {
    parts.push_back("owned by " + Qualified(*s.owned_by_table) + "." + Ident(*s.owned_by_column));
  }
  std::string out = Wrap(parts) + "\n";
  out += CommentOn("sequence " + Qualified(s.name), s.comment);
  out += GrantLines(ctx, ctx.TakeGrants(model::ObjectKind::Table, s.name));
  return out;
}

std::string ViewGroup(Context& ctx, const model::View& v) {
  const char* kind = v.materialized ? "materialized view" : "view";
  std::string out = std::string(kind) + " " + Qualified(v.name);
  // The column list only when the query does not already name the columns so (pg_get_viewdef
  // writes `expr AS name` wherever a name differs).
  if (!v.column_names.empty() && sqltext::QueryColumnNames(v.query.text) != v.column_names) {
    out += " (" + IdentList(v.column_names) + ")";
  }
  if (!v.options.empty()) {
    std::vector<std::string> options;
    for (const auto& [name, value] : v.options) options.push_back(Ident(name) + " = " + OptionValue(value));
    out += " with (" + fmt::format("{}", fmt::join(options, ", ")) + ")";
  }
  out += " as\n" + IndentQuery(v.query.text) + "\n";
  if (v.check_option) out += *v.check_option == "local" ? "  with local check option\n" : "  with check option\n";
  for (const model::Index* index : ctx.IndexesOn(v.name)) out += TopLevelIndex(*index);
  out += CommentOn(std::string(kind) + " " + Qualified(v.name), v.comment);
  out += GrantLines(ctx, ctx.TakeGrants(model::ObjectKind::Table, v.name));
  for (const model::Trigger* trigger : ctx.TriggersOn(v.name)) {
    out += TriggerDecl(*trigger);
    out += CommentOn("trigger " + Ident(trigger->name) + " on " + Qualified(v.name), trigger->comment);
  }
  return out;
}

std::string FunctionGroup(Context& ctx, const model::Function& f) {
  std::vector<std::string> args;
  for (const model::FunctionArg& a : f.args) args.push_back(ArgText(a));
  std::string head = std::string(f.is_procedure ? "procedure " : "function ") + Qualified(f.name) + "(" +
                     fmt::format("{}", fmt::join(args, ", ")) + ")";
  if (!f.is_procedure) {
    if (!f.returns_table.empty()) {
      std::vector<std::string> columns;
      for (const model::FunctionArg& c : f.returns_table) columns.push_back(TypeIdent(c.name) + " " + Type(c.type));
      head += " returns table (" + fmt::format("{}", fmt::join(columns, ", ")) + ")";
    } else if (f.returns) {
      head += std::string(" returns ") + (f.returns_setof ? "setof " : "") + Type(*f.returns);
    }
  }
  std::vector<std::string> parts{head};
  std::string attributes = "language " + Ident(f.language);
  if (f.volatility != "volatile") attributes += " " + f.volatility;
  if (f.strict) attributes += " strict";
  if (f.security_definer) attributes += " security definer";
  if (f.parallel != "unsafe") attributes += " parallel " + f.parallel;
  if (f.leakproof) attributes += " leakproof";
  if (f.cost) attributes += " cost " + *f.cost;
  if (f.rows) attributes += " rows " + *f.rows;
  parts.push_back(attributes);
  for (const auto& [name, value] : f.set_options) parts.push_back("set " + Ident(name) + " = " + SetValues(value));
  parts.push_back("as " + sqlgen::DollarQuote(f.body.text));
  std::string out = Wrap(parts) + "\n";
  const std::string ref = std::string(f.is_procedure ? "procedure " : "function ") + FunctionRef(ctx, f);
  out += CommentOn(ref, f.comment);
  out += GrantLines(ctx, ctx.TakeGrants(f.is_procedure ? model::ObjectKind::Procedure : model::ObjectKind::Function,
                                        {f.name.schema, f.Signature()}));
  return out;
}

std::string TriggerDecl(const model::Trigger& t) {
  std::vector<std::string> events;
  for (const char* e : {"insert", "update", "delete", "truncate"}) {
    if (std::find(t.events.begin(), t.events.end(), e) == t.events.end()) continue;
    std::string event = e;
    if (event == "update" && !t.update_columns.empty()) event += " of " + IdentList(t.update_columns);
    events.push_back(event);
  }
  const char* timing = model::TriggerTimingName(t.timing);
  std::vector<std::string> parts{std::string(t.constraint_trigger ? "constraint " : "") + "trigger " + Ident(t.name) +
                                 " " + timing + " " + fmt::format("{}", fmt::join(events, " or ")) + " on " +
                                 Qualified(t.table)};
  if (t.deferral != model::Deferral::NotDeferrable) parts.push_back(Lower(sqlgen::DeferralSql(t.deferral)).substr(1));
  if (t.referencing_old || t.referencing_new) {
    std::string referencing = "referencing";
    if (t.referencing_old) referencing += " old table as " + Ident(*t.referencing_old);
    if (t.referencing_new) referencing += " new table as " + Ident(*t.referencing_new);
    parts.push_back(referencing);
  }
  parts.push_back(t.for_each_row ? "for each row" : "for each statement");
  if (t.when) parts.push_back("when (" + Sql(t.when->text) + ")");
  parts.push_back("execute function " + Qualified(t.function) + "(" + fmt::format("{}", fmt::join(t.args, ", ")) + ")");
  return Wrap(parts) + "\n";
}

std::string PolicyDecl(const model::Policy& p) {
  std::string head = "policy " + Ident(p.name) + " on " + Qualified(p.table);
  if (!p.permissive) head += " as restrictive";
  if (p.command != "all") head += " for " + p.command;
  if (!(p.roles.size() == 1 && p.roles[0] == "public") && !p.roles.empty()) {
    std::vector<std::string> roles;
    for (const std::string& r : p.roles) roles.push_back(r == "public" ? "public" : Ident(r));
    head += " to " + fmt::format("{}", fmt::join(roles, ", "));
  }
  std::vector<std::string> parts{head};
  if (p.using_expr) parts.push_back("using (" + Sql(p.using_expr->text) + ")");
  if (p.with_check) parts.push_back("with check (" + Sql(p.with_check->text) + ")");
  return Wrap(parts) + "\n";
}

}  // namespace schemac::printer::internal
