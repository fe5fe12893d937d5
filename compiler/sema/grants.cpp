// `row level security on t` and grants. A grant expands to one model::Grant per privilege, grantee
// and column, the way aclexplode() lists privileges.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "compiler/sema/expressions.h"
#include "compiler/sema/tables.h"
#include "compiler/sema/types.h"

namespace schemac::sema {
namespace {

using model::ObjectKind;

const std::vector<std::string> kTablePrivileges = {"SELECT", "INSERT", "UPDATE", "DELETE",
                                                   "TRUNCATE", "REFERENCES", "TRIGGER"};
const std::vector<std::string> kColumnPrivileges = {"SELECT", "INSERT", "UPDATE", "REFERENCES"};
const std::vector<std::string> kSequencePrivileges = {"USAGE", "SELECT", "UPDATE"};
const std::vector<std::string> kSchemaPrivileges = {"USAGE", "CREATE"};
const std::vector<std::string> kFunctionPrivileges = {"EXECUTE"};
const std::vector<std::string> kTypePrivileges = {"USAGE"};

// What a grant resolved to.
struct GrantTarget {
  ObjectKind kind = ObjectKind::Table;
  QName name;
  std::string what;  // for messages: "table", "sequence", ...
  const std::vector<std::string>* privileges = nullptr;
  const TableState* table = nullptr;  // tables: columns can be checked
};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

// `on x` with the kind written (or Table, which also covers views, materialized views and
// sequences, as GRANT ... ON TABLE does).
std::optional<GrantTarget> ResolveRelation(Context& ctx, const ast::ObjectRef& o) {
  const QName name = ctx.Qualify(o.name);
  const ast::ObjectKind k = o.kind;
  if (k == ast::ObjectKind::Table) {
    if (const TableState* t = ctx.FindTable(name)) {
      return GrantTarget{ObjectKind::Table, name, "table", &kTablePrivileges, t};
    }
  }
  if (auto v = ctx.view_by_name.find(name); v != ctx.view_by_name.end()) {
    const bool mat = v->second->ast->materialized;
    if (k == ast::ObjectKind::Table || (k == ast::ObjectKind::View && !mat) ||
        (k == ast::ObjectKind::MaterializedView && mat)) {
      return GrantTarget{ObjectKind::Table, name, mat ? "materialized view" : "view",
                         &kTablePrivileges, nullptr};
    }
  }
  if (k == ast::ObjectKind::Table || k == ast::ObjectKind::Sequence) {
    if (ctx.sequence_by_name.contains(name) || ctx.implicit_sequences.contains(name)) {
      return GrantTarget{ObjectKind::Table, name, "sequence", &kSequencePrivileges, nullptr};
    }
  }
  switch (k) {
    case ast::ObjectKind::Sequence:
      ctx.Error(DiagKind::UnknownSequence, o.name.loc,
                fmt::format("unknown sequence '{}'", Display(name)));
      break;
    case ast::ObjectKind::View:
    case ast::ObjectKind::MaterializedView:
      ctx.Error(DiagKind::UnknownObject, o.name.loc,
                fmt::format("unknown {} '{}'",
                            k == ast::ObjectKind::View ? "view" : "materialized view",
                            Display(name)));
      break;
    default:
      ctx.Error(DiagKind::UnknownTable, o.name.loc, fmt::format("unknown table '{}'", Display(name)));
  }
  return std::nullopt;
}

std::optional<GrantTarget> ResolveTypeTarget(Context& ctx, const ast::ObjectRef& o) {
  const QName name = ctx.Qualify(o.name);
  const bool any = o.kind == ast::ObjectKind::Type;
  if ((any || o.kind == ast::ObjectKind::Domain) && ctx.domain_by_name.contains(name)) {
    return GrantTarget{ObjectKind::Domain, name, "domain", &kTypePrivileges, nullptr};
  }
  if ((any || o.kind == ast::ObjectKind::Enum) && ctx.enum_by_name.contains(name)) {
    return GrantTarget{ObjectKind::Enum, name, "enum", &kTypePrivileges, nullptr};
  }
  if (any && ctx.composite_by_name.contains(name)) {
    return GrantTarget{ObjectKind::CompositeType, name, "type", &kTypePrivileges, nullptr};
  }
  ctx.Error(DiagKind::UnknownType, o.name.loc,
            fmt::format("unknown {} '{}'", o.kind == ast::ObjectKind::Domain ? "domain" : "type",
                        Display(name)));
  return std::nullopt;
}

std::optional<GrantTarget> ResolveTarget(Context& ctx, const ast::ObjectRef& o) {
  switch (o.kind) {
    case ast::ObjectKind::Table:
    case ast::ObjectKind::View:
    case ast::ObjectKind::MaterializedView:
    case ast::ObjectKind::Sequence:
      return ResolveRelation(ctx, o);
    case ast::ObjectKind::Schema: {
      const std::string& schema = o.name.name.text;
      if (!ctx.SchemaExists(schema)) {
        ctx.Error(DiagKind::UnknownSchema, o.name.loc, fmt::format("unknown schema '{}'", schema));
        return std::nullopt;
      }
      return GrantTarget{ObjectKind::Schema, {"", schema}, "schema", &kSchemaPrivileges, nullptr};
    }
    case ast::ObjectKind::Function:
    case ast::ObjectKind::Procedure: {
      const FunctionState* f = ResolveFunctionRef(ctx, o);
      if (f == nullptr) return std::nullopt;
      const model::ObjectId id = FunctionId(*f);
      return GrantTarget{id.kind, id.name, f->model.is_procedure ? "procedure" : "function",
                         &kFunctionPrivileges, nullptr};
    }
    case ast::ObjectKind::Type:
    case ast::ObjectKind::Domain:
    case ast::ObjectKind::Enum:
      return ResolveTypeTarget(ctx, o);
    default:
      ctx.Error(DiagKind::InvalidOption, o.loc, "privileges cannot be granted on this kind of object");
      return std::nullopt;
  }
}

// One `grant` statement with different column lists per privilege arrives as several ast::Grant
// sharing one object; it is resolved (and reported) once.
using TargetCache = std::map<std::tuple<uint32_t, uint32_t, uint32_t>, std::optional<GrantTarget>>;

void BuildGrant(Context& ctx, const ast::Grant& g, TargetCache& cache) {
  const auto key = std::tuple{g.object.loc.file, g.object.loc.begin, g.object.loc.end};
  auto cached = cache.find(key);
  if (cached == cache.end() || !g.object.loc.IsValid()) {
    cached = cache.insert_or_assign(key, ResolveTarget(ctx, g.object)).first;
  }
  const std::optional<GrantTarget>& target = cached->second;
  for (const ast::Name& grantee : g.grantees) {
    if (grantee.text != "public" && grantee.text != "current_user" &&
        grantee.text != "session_user" && grantee.text != "current_role") {
      ctx.roles.insert(grantee.text);
    }
  }
  if (!target) return;
  const bool columns = !g.columns.empty();
  if (columns && target->privileges != &kTablePrivileges) {
    ctx.Error(DiagKind::InvalidOption, g.columns.front().loc,
              fmt::format("column privileges can only be granted on tables and views, not on {} "
                          "'{}'",
                          target->what, Display(target->name)));
    return;
  }
  const std::vector<std::string>& valid = columns ? kColumnPrivileges : *target->privileges;
  std::vector<std::string> privileges;
  for (const std::string& p : g.privileges) {
    if (p == "all" || p == "all privileges") {
      privileges.insert(privileges.end(), valid.begin(), valid.end());
      continue;
    }
    const std::string upper = Upper(p);
    if (std::find(valid.begin(), valid.end(), upper) == valid.end()) {
      ctx.Error(DiagKind::InvalidOption, g.loc,
                fmt::format("privilege '{}' is not valid for {}{} '{}'", p,
                            columns ? "columns of " : "", target->what, Display(target->name)));
      continue;
    }
    privileges.push_back(upper);
  }
  std::vector<std::optional<std::string>> column_list;
  for (const ast::Name& c : g.columns) {
    if (target->table != nullptr && ctx.FindColumn(*target->table, c.text) == nullptr) {
      ReportUnknownColumn(ctx, *target->table, c.text, c.loc);
      continue;
    }
    column_list.emplace_back(c.text);
  }
  if (!columns) column_list.emplace_back(std::nullopt);
  for (const std::string& privilege : privileges) {
    for (const ast::Name& grantee : g.grantees) {
      for (const std::optional<std::string>& column : column_list) {
        ctx.grants.push_back(model::Grant{.object_kind = target->kind,
                                          .object = target->name,
                                          .column = column,
                                          .privilege = privilege,
                                          .grantee = grantee.text,
                                          .with_grant_option = g.with_grant_option,
                                          .loc = g.loc});
      }
    }
  }
}

}  // namespace

FunctionState* ResolveFunctionRef(Context& ctx, const ast::ObjectRef& ref) {
  const QName name = ctx.Qualify(ref.name);
  const bool procedure = ref.kind == ast::ObjectKind::Procedure;
  const char* what = procedure ? "procedure" : "function";
  std::vector<FunctionState*> candidates = ctx.FindFunctions(name);
  std::erase_if(candidates,
                [&](const FunctionState* f) { return f->model.is_procedure != procedure; });
  if (ref.signature) {
    std::vector<model::TypeName> types;
    std::string shown;
    for (const ast::TypeRef& t : *ref.signature) {
      std::optional<model::TypeName> type = ResolveType(ctx, t, TypeUse::Other, nullptr);
      if (!type) return nullptr;
      type->modifiers.clear();
      shown += (shown.empty() ? "" : ", ") + DisplayType(*type);
      types.push_back(*type);
    }
    for (FunctionState* f : candidates) {
      if (f->input_types == types) return f;
    }
    ctx.Error(DiagKind::UnknownFunction, ref.name.loc,
              fmt::format("unknown {} '{}({})'", what, Display(name), shown));
    return nullptr;
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) {
    ctx.Error(DiagKind::UnknownFunction, ref.name.loc,
              fmt::format("unknown {} '{}'", what, Display(name)));
    return nullptr;
  }
  base::Diagnostic& d = ctx.Error(
      DiagKind::UnknownFunction, ref.name.loc,
      fmt::format("{} name '{}' is not unique; give its argument types", what, Display(name)));
  for (const FunctionState* f : candidates) {
    Context::Note(d, f->ast->name.loc, fmt::format("candidate '{}'", f->model.Signature()));
  }
  return nullptr;
}

void ApplyRowLevelSecurity(Context& ctx, const std::vector<ast::File>& files) {
  // Tables declared `force row level security not enabled`, with the first such declaration.
  std::map<TableState*, Loc> not_enabled;
  for (TableState& table : ctx.tables) {
    if (table.ast != nullptr && table.ast->rls_not_enabled) not_enabled.emplace(&table, table.ast->rls_loc);
  }
  for (const ast::File& file : files) {
    for (const ast::Decl& decl : file.decls) {
      const auto* rls = std::get_if<ast::RowLevelSecurity>(&decl);
      if (rls == nullptr) continue;
      const QName name = ctx.Qualify(rls->table);
      TableState* table = ctx.FindTable(name);
      if (table == nullptr) {
        ctx.Error(DiagKind::UnknownTable, rls->table.loc,
                  fmt::format("unknown table '{}'", Display(name)));
        continue;
      }
      if (rls->not_enabled) {
        not_enabled.emplace(table, rls->loc);
      } else {
        table->model.rls_enabled = true;
      }
      if (rls->force) table->model.rls_forced = true;
    }
  }
  for (TableState& table : ctx.tables) {  // declaration order, not pointer order
    auto it = not_enabled.find(&table);
    if (it == not_enabled.end() || !table.model.rls_enabled) continue;
    ctx.Error(DiagKind::InvalidOption, it->second,
              fmt::format("row level security of table '{}' is declared both enabled and not enabled",
                          Display(table.model.name)));
  }
}

void BuildGrants(Context& ctx, const std::vector<ast::File>& files) {
  TargetCache cache;
  for (const ast::File& file : files) {
    for (const ast::Decl& decl : file.decls) {
      if (const auto* g = std::get_if<ast::Grant>(&decl)) BuildGrant(ctx, *g, cache);
    }
  }
  auto key = [](const model::Grant& g) {
    return std::tie(g.object, g.object_kind, g.column, g.grantee, g.privilege);
  };
  std::stable_sort(ctx.grants.begin(), ctx.grants.end(),
                   [&](const model::Grant& a, const model::Grant& b) { return key(a) < key(b); });
  // The same privilege granted twice is one privilege; with grant option if either says so.
  std::vector<model::Grant> merged;
  for (model::Grant& g : ctx.grants) {
    if (!merged.empty() && key(merged.back()) == key(g)) {
      merged.back().with_grant_option = merged.back().with_grant_option || g.with_grant_option;
      continue;
    }
    merged.push_back(std::move(g));
  }
  ctx.grants = std::move(merged);
}

}  // namespace schemac::sema
