// Triggers and row level security policies.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/expressions.h"
#include "compiler/sema/tables.h"
#include "compiler/sema/type_names.h"

namespace schemac::sema {
namespace {

bool ReturnsTrigger(const FunctionState& f) {
  return f.model.returns && f.model.returns->IsBuiltin() && f.model.returns->name == "trigger" &&
         f.model.returns->array_dims == 0 && !f.model.returns_setof;
}

// Resolves `execute function f()`: a declared function without arguments that returns trigger,
// a built-in trigger function, or one of a declared extension.
void ResolveTriggerFunction(Context& ctx, TriggerState& tr) {
  const ast::QualName& written = tr.ast->function;
  const QName name = ctx.Qualify(written);
  tr.model.function = name;
  std::vector<FunctionState*> candidates = ctx.FindFunctions(name);
  std::erase_if(candidates, [](const FunctionState* f) {
    return f->model.is_procedure || !f->input_types.empty();
  });
  if (!candidates.empty()) {
    const FunctionState& f = *candidates.front();
    if (!ReturnsTrigger(f)) {
      base::Diagnostic& d = ctx.Error(
          DiagKind::UnknownFunction, written.loc,
          fmt::format("function '{}' does not return trigger", Display(name)));
      Context::Note(d, f.ast->name.loc, "the function is declared here");
      return;
    }
    AddDep(tr.model.deps, model::ObjectKind::Function, FunctionId(f).name);
    return;
  }
  const bool builtin_schema = !written.schema || name.schema == "pg_catalog";
  if (const char* source = TriggerFunctionSource(name.name); source != nullptr && builtin_schema) {
    if (*source == '\0') {
      tr.model.function = {"pg_catalog", name.name};
      return;
    }
    if (auto ext = ctx.extensions.find(source); ext != ctx.extensions.end()) {
      tr.model.function = {ext->second.schema, name.name};
      AddDep(tr.model.deps, model::ObjectKind::Extension, {"", source});
      return;
    }
    base::Diagnostic& d = ctx.Error(DiagKind::UnknownFunction, written.loc,
                                    fmt::format("unknown function '{}'", Display(name)));
    Context::Note(d, written.loc,
                  fmt::format("function '{}' comes from extension '{}'; add `extension {}`",
                              name.name, source, source));
    return;
  }
  if (name.schema == "pg_catalog") return;
  // Functions of extensions this compiler does not know cannot be checked offline.
  for (const auto& [ext_name, ext] : ctx.extensions) {
    if (ext.schema == name.schema && !IsKnownExtension(ext_name)) return;
  }
  std::string message = fmt::format("unknown function '{}'", Display(name));
  if (!ctx.FindFunctions(name).empty()) {
    message += ": a trigger function takes no declared arguments";
  }
  ctx.Error(DiagKind::UnknownFunction, written.loc, std::move(message));
}

void BuildTrigger(Context& ctx, TriggerState& tr, std::map<std::pair<QName, std::string>, Loc>& seen) {
  const ast::Trigger& a = *tr.ast;
  model::Trigger& m = tr.model;
  m.name = a.name.text;
  m.table = ctx.Qualify(a.table);
  m.loc = a.loc;
  m.constraint_trigger = a.constraint_trigger;
  m.timing = a.timing == ast::TriggerTiming::Before  ? model::TriggerTiming::Before
             : a.timing == ast::TriggerTiming::After ? model::TriggerTiming::After
                                                     : model::TriggerTiming::InsteadOf;
  if (a.referencing_old) m.referencing_old = a.referencing_old->text;
  if (a.referencing_new) m.referencing_new = a.referencing_new->text;
  m.for_each_row = a.for_each_row;
  m.deferral = a.deferral == ast::Deferral::InitiallyDeferred ? model::Deferral::InitiallyDeferred
               : a.deferral == ast::Deferral::InitiallyImmediate
                   ? model::Deferral::InitiallyImmediate
                   : model::Deferral::NotDeferrable;
  for (const ast::SqlText& arg : a.args) m.args.push_back(arg.text);

  tr.table = ctx.FindTable(m.table);
  if (tr.table == nullptr && !ctx.view_by_name.contains(m.table)) {
    ctx.Error(DiagKind::UnknownTable, a.table.loc,
              fmt::format("unknown table '{}'", Display(m.table)));
  }
  auto [it, inserted] = seen.emplace(std::pair{m.table, m.name}, a.name.loc);
  if (!inserted) {
    tr.duplicate = true;
    base::Diagnostic& d = ctx.Error(
        DiagKind::DuplicateObject, a.name.loc,
        fmt::format("duplicate trigger '{}' on table '{}'", m.name, Display(m.table)));
    Context::Note(d, it->second, "previous declaration is here");
  }

  // PostgreSQL stores events as a bit set and prints them in this order.
  static constexpr const char* kEventOrder[] = {"insert", "delete", "truncate", "update"};
  for (const char* event : kEventOrder) {
    for (const ast::TriggerEvent& e : a.events) {
      if (e.event != event) continue;
      if (std::find(m.events.begin(), m.events.end(), e.event) == m.events.end()) {
        m.events.push_back(e.event);
      }
      for (const ast::Name& column : e.columns) {
        if (tr.table != nullptr && ctx.FindColumn(*tr.table, column.text) == nullptr) {
          ReportUnknownColumn(ctx, *tr.table, column.text, column.loc);
        }
        m.update_columns.push_back(column.text);
      }
    }
  }
  if (a.when) {
    m.when = model::Expr{a.when->text, a.when->loc};
    CheckSql(ctx, *a.when,
             {.table = tr.table, .trigger_when = true, .deps = &m.deps, .self = std::nullopt});
  }
  ResolveTriggerFunction(ctx, tr);
}

bool IsRoleKeyword(const std::string& role) {
  return role == "public" || role == "current_user" || role == "session_user" ||
         role == "current_role";
}

void BuildPolicy(Context& ctx, PolicyState& p, std::map<std::pair<QName, std::string>, Loc>& seen) {
  const ast::Policy& a = *p.ast;
  model::Policy& m = p.model;
  m.name = a.name.text;
  m.table = ctx.Qualify(a.table);
  m.loc = a.loc;
  m.permissive = a.permissive;
  m.command = a.command;
  if (a.renamed_from) m.renamed_from = a.renamed_from->text;
  for (const ast::Name& role : a.roles) {
    m.roles.push_back(role.text);
    if (!IsRoleKeyword(role.text)) ctx.roles.insert(role.text);
  }
  if (m.roles.empty()) m.roles.push_back("public");
  std::sort(m.roles.begin(), m.roles.end());
  m.roles.erase(std::unique(m.roles.begin(), m.roles.end()), m.roles.end());

  p.table = ctx.FindTable(m.table);
  if (p.table == nullptr) {
    ctx.Error(DiagKind::UnknownTable, a.table.loc,
              fmt::format("unknown table '{}'", Display(m.table)));
  }
  auto [it, inserted] = seen.emplace(std::pair{m.table, m.name}, a.name.loc);
  if (!inserted) {
    p.duplicate = true;
    base::Diagnostic& d = ctx.Error(
        DiagKind::DuplicateObject, a.name.loc,
        fmt::format("duplicate policy '{}' on table '{}'", m.name, Display(m.table)));
    Context::Note(d, it->second, "previous declaration is here");
  }
  const std::string& cmd = m.command;
  if (cmd != "all" && cmd != "select" && cmd != "insert" && cmd != "update" && cmd != "delete") {
    ctx.Error(DiagKind::InvalidOption, a.loc, fmt::format("invalid policy command '{}'", cmd));
  }
  if (a.with_check && (cmd == "select" || cmd == "delete")) {
    ctx.Error(DiagKind::InvalidOption, a.with_check->loc,
              fmt::format("a {} policy cannot have `with check`; only `using` applies", cmd));
  }
  if (a.using_expr && cmd == "insert") {
    ctx.Error(DiagKind::InvalidOption, a.using_expr->loc,
              "an insert policy cannot have `using`; only `with check` applies");
  }
  const SqlScope scope{.table = p.table, .deps = &m.deps, .self = std::nullopt};
  if (a.using_expr) {
    m.using_expr = model::Expr{a.using_expr->text, a.using_expr->loc};
    CheckSql(ctx, *a.using_expr, scope);
  }
  if (a.with_check) {
    m.with_check = model::Expr{a.with_check->text, a.with_check->loc};
    CheckSql(ctx, *a.with_check, scope);
  }
  if (p.table != nullptr && !p.table->model.rls_enabled) {
    ctx.Warning(DiagKind::InvalidOption, a.name.loc,
                fmt::format("policy '{}' has no effect: row level security is not enabled on '{}'",
                            m.name, Display(m.table)));
  }
}

void CheckPolicyRenames(Context& ctx) {
  for (const PolicyState& p : ctx.policies) {
    if (!p.ast->renamed_from) continue;
    const std::string& from = p.ast->renamed_from->text;
    for (const PolicyState& other : ctx.policies) {
      if (other.model.table != p.model.table || other.model.name != from) continue;
      base::Diagnostic& d = ctx.Error(
          DiagKind::RenameConflict, p.ast->renamed_from->loc,
          fmt::format("policy '{}' is renamed from '{}', but '{}' is also declared on table '{}'",
                      p.model.name, from, from, Display(p.model.table)));
      Context::Note(d, other.ast->name.loc, fmt::format("'{}' is declared here", from));
      break;
    }
  }
}

}  // namespace

void BuildTriggersAndPolicies(Context& ctx) {
  std::map<std::pair<QName, std::string>, Loc> triggers;
  for (TriggerState& tr : ctx.triggers) BuildTrigger(ctx, tr, triggers);
  std::map<std::pair<QName, std::string>, Loc> policies;
  for (PolicyState& p : ctx.policies) BuildPolicy(ctx, p, policies);
  CheckPolicyRenames(ctx);
}

}  // namespace schemac::sema
