// Views, materialized views, functions and procedures.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/context.h"
#include "compiler/sema/types.h"

namespace schemac::sema {
namespace {

void BuildView(Context& ctx, ViewState& v) {
  const ast::View& a = *v.ast;
  model::View& m = v.model;
  m.materialized = a.materialized;
  m.query = model::Expr{a.query.text, a.query.loc};
  if (a.renamed_from) {
    m.renamed_from = QName{a.renamed_from->schema ? a.renamed_from->schema->text : m.name.schema,
                           a.renamed_from->name.text};
  }
  std::map<std::string, Loc> seen;
  for (const ast::Name& c : a.column_names) {
    auto [it, inserted] = seen.emplace(c.text, c.loc);
    if (!inserted) {
      base::Diagnostic& d = ctx.Error(
          DiagKind::DuplicateColumn, c.loc,
          fmt::format("duplicate column '{}' in view '{}'", c.text, Display(m.name)));
      Context::Note(d, it->second, "previous declaration is here");
    }
    m.column_names.push_back(c.text);
  }
  for (const auto& [name, value] : a.options) m.options.emplace_back(name.text, value);
  std::stable_sort(m.options.begin(), m.options.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  if (a.check_option) {
    if (a.materialized) {
      ctx.Error(DiagKind::InvalidOption, a.loc,
                "a materialized view cannot have a check option");
    }
    m.check_option = *a.check_option;
  }
}

model::ArgMode ModeOf(ast::ArgMode mode) {
  switch (mode) {
    case ast::ArgMode::In: return model::ArgMode::In;
    case ast::ArgMode::Out: return model::ArgMode::Out;
    case ast::ArgMode::InOut: return model::ArgMode::InOut;
    case ast::ArgMode::Variadic: return model::ArgMode::Variadic;
  }
  return model::ArgMode::In;
}

// PostgreSQL drops type modifiers from function signatures (f(varchar(10)) is f(character
// varying)), so the model keeps none.
std::optional<model::TypeName> ResolveSignatureType(Context& ctx, const ast::TypeRef& ref,
                                                    std::vector<model::ObjectId>& deps) {
  std::optional<model::TypeName> type = ResolveType(ctx, ref, TypeUse::Other, &deps);
  if (type) type->modifiers.clear();
  return type;
}

model::FunctionArg BuildArg(Context& ctx, FunctionState& f, const ast::FunctionArg& a) {
  model::FunctionArg arg;
  arg.mode = ModeOf(a.mode);
  if (a.name) arg.name = a.name->text;
  if (auto type = ResolveSignatureType(ctx, a.type, f.model.deps)) arg.type = *type;
  if (a.default_expr) arg.default_expr = model::Expr{a.default_expr->text, a.default_expr->loc};
  return arg;
}

void CheckChoice(Context& ctx, const std::optional<std::string>& value, const char* what,
                 std::initializer_list<const char*> allowed, Loc loc) {
  if (!value) return;
  for (const char* a : allowed) {
    if (*value == a) return;
  }
  ctx.Error(DiagKind::InvalidOption, loc, fmt::format("invalid {} '{}'", what, *value));
}

void BuildFunction(Context& ctx, FunctionState& f) {
  const ast::Function& a = *f.ast;
  model::Function& m = f.model;
  m.name = ctx.Qualify(a.name);
  m.loc = a.loc;
  m.is_procedure = a.is_procedure;
  for (const ast::FunctionArg& arg : a.args) {
    m.args.push_back(BuildArg(ctx, f, arg));
    if (arg.mode != ast::ArgMode::Out) f.input_types.push_back(m.args.back().type);
  }
  if (a.returns) m.returns = ResolveSignatureType(ctx, *a.returns, m.deps);
  m.returns_setof = a.returns_setof;
  for (const ast::FunctionArg& arg : a.returns_table) {
    model::FunctionArg out = BuildArg(ctx, f, arg);
    out.mode = model::ArgMode::Out;
    m.returns_table.push_back(std::move(out));
  }
  m.language = a.language;
  m.body = model::Expr{a.body.text, a.body.loc};
  CheckChoice(ctx, a.volatility, "volatility", {"immutable", "stable", "volatile"}, a.loc);
  CheckChoice(ctx, a.parallel, "parallel mode", {"safe", "restricted", "unsafe"}, a.loc);
  m.volatility = a.volatility.value_or("volatile");
  m.parallel = a.parallel.value_or("unsafe");
  m.strict = a.strict.value_or(false);
  m.security_definer = a.security_definer.value_or(false);
  m.leakproof = a.leakproof.value_or(false);
  m.cost = a.cost;
  m.rows = a.rows;
  for (const auto& [name, value] : a.set_options) m.set_options.emplace_back(name.text, value);
  if (m.returns && m.returns->IsBuiltin() && m.returns->name == "trigger" && !f.input_types.empty()) {
    ctx.Error(DiagKind::InvalidOption, a.args.front().loc,
              fmt::format("trigger function '{}' cannot have declared arguments; use TG_ARGV",
                          Display(m.name)));
  }
}

}  // namespace

void BuildViewsAndFunctions(Context& ctx) {
  for (ViewState& v : ctx.views) BuildView(ctx, v);
  for (FunctionState& f : ctx.functions) BuildFunction(ctx, f);
  // Functions and procedures share one namespace, keyed by name and input argument types.
  for (FunctionState& f : ctx.functions) {
    const FunctionState* earlier = nullptr;
    for (FunctionState* other : ctx.FindFunctions(f.model.name)) {
      std::vector<model::TypeName> a = other->input_types;
      std::vector<model::TypeName> b = f.input_types;
      if (a == b) earlier = other;
    }
    if (earlier != nullptr) {
      f.duplicate = true;
      base::Diagnostic& d = ctx.Error(
          DiagKind::DuplicateObject, f.ast->name.loc,
          fmt::format("duplicate {} '{}'", f.model.is_procedure ? "procedure" : "function",
                      f.model.Signature().insert(0, f.model.name.schema == "public"
                                                        ? ""
                                                        : f.model.name.schema + ".")));
      Context::Note(d, earlier->ast->name.loc, "previous declaration is here");
      continue;
    }
    ctx.function_by_name.emplace(f.model.name, &f);
  }
}

}  // namespace schemac::sema
