// The embedded SQL of tables, indexes, domains, views and sql functions, checked once every
// declaration (and every implicit sequence name) is known.
#include <cctype>
#include <fmt/format.h>

#include "compiler/sema/context.h"
#include "compiler/sema/expressions.h"

namespace schemac::sema {
namespace {

using model::ObjectId;
using model::ObjectKind;

// A generated column cannot use another generated column (or itself).
void CheckGenerated(Context& ctx, const TableState& table, const ast::Column& column,
                    const sqltext::Result& sql) {
  for (const sqltext::Ref& ref : sql.refs) {
    if (ref.kind != sqltext::Ref::Kind::Column || ref.names.size() != 1) continue;
    const model::Column* used = ctx.FindColumn(table, ref.names[0]);
    if (used == nullptr || !used->generated) continue;
    ctx.Error(DiagKind::InvalidExpression, ctx.SqlLoc(*column.generated, ref.offset),
              fmt::format("generated column '{}' cannot use generated column '{}'",
                          column.name.text, used->name));
  }
}

void CheckTable(Context& ctx, TableState& table) {
  model::Table& m = table.model;
  const ObjectId self{.kind = ObjectKind::Table, .name = m.name};
  const SqlScope local{.table = &table, .deps = &m.deps, .self = self};
  const SqlScope no_columns{.no_columns = "a default expression", .deps = &m.deps, .self = self};
  for (const ast::Column& c : table.ast->columns) {
    if (c.default_expr) CheckSql(ctx, *c.default_expr, no_columns);
    if (c.generated) {
      if (const sqltext::Result* sql = CheckSql(ctx, *c.generated, local)) {
        CheckGenerated(ctx, table, c, *sql);
      }
    }
  }
  for (const ConstraintState& c : table.constraints) {
    if (c.check != nullptr) CheckSql(ctx, *c.check, local);
    if (c.ast == nullptr || c.model.kind != model::ConstraintKind::Exclude) continue;
    for (const ast::IndexElem& e : c.ast->elements) {
      if (!e.is_column) CheckSql(ctx, e.expr, local);
    }
    if (c.ast->where) CheckSql(ctx, *c.ast->where, local);
  }
  if (table.ast->partition_by) {
    for (const ast::IndexElem& key : table.ast->partition_by->keys) {
      if (!key.is_column) CheckSql(ctx, key.expr, local);
    }
  }
}

void CheckIndex(Context& ctx, IndexState& index) {
  const SqlScope scope{.table = index.table, .deps = &index.model.deps, .self = std::nullopt};
  for (const ast::IndexElem& e : index.ast->elements) {
    if (!e.is_column) CheckSql(ctx, e.expr, scope);
  }
  if (index.ast->where) CheckSql(ctx, *index.ast->where, scope);
}

void CheckDomain(Context& ctx, DomainState& d) {
  const ObjectId self{.kind = ObjectKind::Domain, .name = d.model.name};
  if (d.ast->default_expr) {
    CheckSql(ctx, *d.ast->default_expr,
             {.no_columns = "a default expression", .deps = &d.model.deps, .self = self});
  }
  for (const ast::CheckClause& check : d.ast->checks) {
    CheckSql(ctx, check.expr, {.domain_check = true, .deps = &d.model.deps, .self = self});
  }
}

void CheckView(Context& ctx, ViewState& v) {
  const ObjectKind kind = v.model.materialized ? ObjectKind::MaterializedView : ObjectKind::View;
  CheckSql(ctx, v.ast->query,
           {.context = sqltext::Context::Query, .deps = &v.model.deps,
            .self = ObjectId{.kind = kind, .name = v.model.name}});
}

// `RETURN expr` or `BEGIN ATOMIC ...`: parsed and bound by PostgreSQL when the function is created.
bool SqlStandardBody(const std::string& text) {
  std::string words;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (words.empty() || words.back() == ' ')) continue;
    words += space ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (words.size() >= 12) break;
  }
  return words.starts_with("return") || words.starts_with("begin atomic");
}

void CheckFunction(Context& ctx, FunctionState& f) {
  const ObjectId self = FunctionId(f);
  for (const ast::FunctionArg& arg : f.ast->args) {
    if (arg.default_expr) {
      CheckSql(ctx, *arg.default_expr,
               {.no_columns = "a parameter default", .deps = &f.model.deps, .self = self});
    }
  }
  // Only sql bodies can be checked offline (see expressions.cpp).
  if (f.model.language != "sql") return;
  CheckSql(ctx, f.ast->body,
           {.context = sqltext::Context::SqlBody, .unbound_body = !SqlStandardBody(f.ast->body.text),
            .deps = &f.model.deps, .self = self});
}

}  // namespace

void CheckExpressions(Context& ctx) {
  for (DomainState& d : ctx.domains) CheckDomain(ctx, d);
  for (TableState& t : ctx.tables) CheckTable(ctx, t);
  for (IndexState& i : ctx.indexes) CheckIndex(ctx, i);
  for (ViewState& v : ctx.views) CheckView(ctx, v);
  for (FunctionState& f : ctx.functions) CheckFunction(ctx, f);
}

}  // namespace schemac::sema
