// Embedded SQL: every text is parsed with PostgreSQL's parser (sqltext) and its references are
// resolved against the declared schema. Unknown references are reported only where the compiler
// can know: names in schemas this compilation declares. Unqualified function calls that match no
// declared function are assumed to be built-in; relations named pg_* are catalogs.
//
// Bodies of functions in languages other than sql (plpgsql, ...) are not validated offline:
// PostgreSQL itself only checks them when they run, and doing better needs a plpgsql parser.
#include "compiler/sema/expressions.h"

#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/type_names.h"
#include "compiler/sema/types.h"

namespace schemac::sema {
namespace {

using Kind = sqltext::Ref::Kind;
using model::ObjectKind;

bool IsSystemColumn(const std::string& name) {
  return name == "tableoid" || name == "ctid" || name == "xmin" || name == "xmax" ||
         name == "cmin" || name == "cmax";
}

// Whether a declared extension this compiler knows nothing about installs into `schema`: its
// objects cannot be checked offline.
bool SchemaHasUncheckableExtension(const Context& ctx, const std::string& schema) {
  return std::any_of(ctx.extensions.begin(), ctx.extensions.end(), [&](const auto& e) {
    return e.second.schema == schema && !IsKnownExtension(e.first);
  });
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ".") + n;
  return out;
}

// An unknown reference: an error, or a warning in an unbound function body (SqlScope).
base::Diagnostic& Unknown(Context& ctx, const SqlScope& scope, DiagKind kind, Loc loc,
                          std::string message) {
  if (scope.unbound_body) {
    return ctx.diags.Warning(kind, loc,
                             message + " (the function body is only checked when it runs)");
  }
  return ctx.Error(kind, loc, std::move(message));
}

void Depend(const SqlScope& scope, ObjectKind kind, const QName& name) {
  if (scope.deps == nullptr) return;
  if (scope.self && scope.self->kind == kind && scope.self->name == name) return;
  AddDep(*scope.deps, kind, name);
}

void CheckColumn(Context& ctx, const ast::SqlText& text, const SqlScope& scope,
                 const sqltext::Ref& ref, bool has_subquery) {
  const Loc loc = ctx.SqlLoc(text, ref.offset);
  if (scope.no_columns != nullptr) {
    ctx.Error(DiagKind::InvalidExpression, loc,
              fmt::format("cannot use column reference '{}' in {}", Join(ref.names),
                          scope.no_columns));
    return;
  }
  if (scope.domain_check) {
    if (ref.names.size() == 1 && ref.names[0] != "value") {
      ctx.Error(DiagKind::UnknownColumn, loc,
                fmt::format("unknown column '{}' in domain check: only 'value' can be referenced",
                            ref.names[0]));
    }
    return;
  }
  if (scope.table == nullptr || has_subquery) return;
  std::string column;
  if (scope.trigger_when) {
    if (ref.names.size() != 2 || (ref.names[0] != "new" && ref.names[0] != "old")) return;
    column = ref.names[1];
  } else if (ref.names.size() == 1) {
    column = ref.names[0];
  } else if (ref.names.size() == 2 && ref.names[0] == scope.table->model.name.name) {
    column = ref.names[1];
  } else {
    return;
  }
  if (IsSystemColumn(column) || ctx.FindColumn(*scope.table, column) != nullptr) return;
  ctx.Error(DiagKind::UnknownColumn, loc,
            fmt::format("unknown column '{}' in table '{}'", column,
                        Display(scope.table->model.name)));
}

void CheckRelation(Context& ctx, const ast::SqlText& text, const SqlScope& scope,
                   const sqltext::Ref& ref) {
  if (ref.names.empty() || ref.names.size() > 2) return;
  const bool qualified = ref.names.size() == 2;
  const QName name{qualified ? ref.names[0] : "public", ref.names.back()};
  if (qualified && !ctx.SchemaExists(name.schema)) return;
  if (!qualified && name.name.starts_with("pg_")) return;
  if (TableState* t = ctx.FindTable(name)) {
    Depend(scope, ObjectKind::Table, t->model.name);
    return;
  }
  if (auto v = ctx.view_by_name.find(name); v != ctx.view_by_name.end()) {
    Depend(scope, v->second->ast->materialized ? ObjectKind::MaterializedView : ObjectKind::View,
           name);
    return;
  }
  if (ctx.sequence_by_name.contains(name)) {
    Depend(scope, ObjectKind::Sequence, name);
    return;
  }
  if (const char* ext = ExtensionOfRelation(name.name); ext != nullptr && ctx.extensions.contains(ext)) {
    return;
  }
  if (SchemaHasUncheckableExtension(ctx, name.schema)) return;
  Unknown(ctx, scope, DiagKind::UnknownTable, ctx.SqlLoc(text, ref.offset),
            fmt::format("unknown table or view '{}'", Display(name)));
}

void CheckFunction(Context& ctx, const ast::SqlText& text, const SqlScope& scope,
                   const sqltext::Ref& ref) {
  if (ref.names.empty() || ref.names.size() > 2) return;
  const bool qualified = ref.names.size() == 2;
  const QName name{qualified ? ref.names[0] : "public", ref.names.back()};
  if (qualified && !ctx.SchemaExists(name.schema)) return;
  const std::vector<FunctionState*> found = ctx.FindFunctions(name);
  // Overloads cannot be told apart offline: depend on every one of the name.
  for (const FunctionState* f : found) {
    const model::ObjectId id = FunctionId(*f);
    Depend(scope, id.kind, id.name);
  }
  if (!found.empty() || !qualified || ctx.SchemaHasExtension(name.schema)) return;
  Unknown(ctx, scope, DiagKind::UnknownFunction, ctx.SqlLoc(text, ref.offset),
            fmt::format("unknown function '{}'", Display(name)));
}

void CheckSequence(Context& ctx, const ast::SqlText& text, const SqlScope& scope,
                   const sqltext::Ref& ref) {
  if (ref.names.empty()) return;
  const size_t n = ref.names.size();
  const QName name{n >= 2 ? ref.names[n - 2] : "public", ref.names[n - 1]};
  if (n >= 2 && !ctx.SchemaExists(name.schema)) return;
  if (ctx.sequence_by_name.contains(name)) {
    Depend(scope, ObjectKind::Sequence, name);
    return;
  }
  // Identity and serial sequences belong to their table.
  if (auto it = ctx.implicit_sequences.find(name); it != ctx.implicit_sequences.end()) {
    Depend(scope, ObjectKind::Table, it->second.first->model.name);
    return;
  }
  Unknown(ctx, scope, DiagKind::UnknownSequence, ctx.SqlLoc(text, ref.offset),
            fmt::format("unknown sequence '{}'", Display(name)));
}

void CheckType(Context& ctx, const ast::SqlText& text, const SqlScope& scope,
               const sqltext::Ref& ref) {
  if (ref.names.empty() || ref.names.size() > 2) return;
  std::optional<std::string> schema;
  if (ref.names.size() == 2) schema = ref.names[0];
  const TypeLookup found = LookupType(ctx, schema, ref.names.back());
  const Loc loc = ctx.SqlLoc(text, ref.offset);
  switch (found.status) {
    case TypeLookup::Status::Builtin:
      return;
    case TypeLookup::Status::User:
      Depend(scope, found.kind, found.name);
      return;
    case TypeLookup::Status::Extension:
    case TypeLookup::Status::Unchecked:
      if (!found.extension.empty()) Depend(scope, ObjectKind::Extension, {"", found.extension});
      return;
    case TypeLookup::Status::ExtensionMissing: {
      base::Diagnostic& d = Unknown(ctx, scope, DiagKind::UnknownType, loc,
                                    fmt::format("unknown type '{}'", ref.names.back()));
      Context::Note(d, loc,
                    fmt::format("type '{}' comes from extension '{}'; add `extension {}`",
                                ref.names.back(), found.extension,
                                model::QuoteIdent(found.extension)));
      return;
    }
    case TypeLookup::Status::Unknown:
      Unknown(ctx, scope, DiagKind::UnknownType, loc,
              fmt::format("unknown type '{}'", Join(ref.names)));
      return;
  }
}

}  // namespace

model::ObjectId FunctionId(const FunctionState& f) {
  return model::ObjectId{
      .kind = f.model.is_procedure ? ObjectKind::Procedure : ObjectKind::Function,
      .name = {f.model.name.schema, f.model.Signature()}};
}

const sqltext::Result* CheckSql(Context& ctx, const ast::SqlText& text, const SqlScope& scope) {
  const sqltext::Result* sql = ctx.Sql(text, scope.context);
  if (sql == nullptr) return nullptr;
  const bool has_subquery = std::any_of(sql->refs.begin(), sql->refs.end(), [](const auto& r) {
    return r.kind == Kind::Relation;
  });
  for (const sqltext::Ref& ref : sql->refs) {
    switch (ref.kind) {
      case Kind::Column:
        CheckColumn(ctx, text, scope, ref, has_subquery);
        break;
      case Kind::Relation:
        CheckRelation(ctx, text, scope, ref);
        break;
      case Kind::Function:
        CheckFunction(ctx, text, scope, ref);
        break;
      case Kind::Sequence:
        CheckSequence(ctx, text, scope, ref);
        break;
      case Kind::Type:
        CheckType(ctx, text, scope, ref);
        break;
    }
  }
  return sql;
}

}  // namespace schemac::sema
