// Functions and procedures, identified by schema, name and input argument types (Signature()).
//
// A changed body or attribute is CREATE OR REPLACE, which keeps the function's OID, so views,
// triggers and defaults that use it are untouched. CREATE OR REPLACE cannot change the kind, the
// result type (including OUT arguments and RETURNS TABLE columns), the name of an input argument,
// or remove an argument default; then the function is dropped and created again, with its
// dependents around it (dependents.cpp) and its grants and comment restored. A function with a
// different argument list is a different function: the old one is dropped, the new one created.
#include <fmt/format.h>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ArgMode;
using model::ObjectKind;

ObjectKind KindOf(const model::Function& f) {
  return f.is_procedure ? ObjectKind::Procedure : ObjectKind::Function;
}

std::string Describe(const model::Function& f) {
  return fmt::format("{} {}", model::ObjectKindName(KindOf(f)),
                     Display(QualifiedName{f.name.schema, f.Signature()}));
}

size_t DropRoutine(Context& ctx, const model::Function& f, bool temporary, const std::string& why) {
  return ctx.Emit({.key = RoutineKey(f), .role = Role::Remove,
                   .phase = temporary ? Phase::Drop : Phase::LateDrop, .rank = Rank::Function,
                   .object = {KindOf(f), RoutineKey(f).name}, .action = '-',
                   .summary = Describe(f) + why,
                   .sql = fmt::format("DROP {} {};", f.is_procedure ? "PROCEDURE" : "FUNCTION",
                                      sqlgen::FunctionTarget(f)),
                   .temporary = temporary});
}

bool SameResult(const model::Function& a, const model::Function& b) {
  if (a.returns != b.returns || a.returns_setof != b.returns_setof) return false;
  if (a.returns_table.size() != b.returns_table.size()) return false;
  for (size_t i = 0; i < a.returns_table.size(); ++i) {
    if (a.returns_table[i].name != b.returns_table[i].name ||
        a.returns_table[i].type != b.returns_table[i].type) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool RoutineNeedsDrop(const model::Function& live, const model::Function& target) {
  if (live.is_procedure != target.is_procedure || !SameResult(live, target)) return true;
  if (live.args.size() != target.args.size()) return true;  // OUT arguments added or removed
  for (size_t i = 0; i < live.args.size(); ++i) {
    const model::FunctionArg& a = live.args[i];
    const model::FunctionArg& b = target.args[i];
    if (a.mode != b.mode || a.type != b.type) return true;
    // Names of OUT arguments are part of the result type; names of input arguments may not
    // change either ("cannot change name of input parameter").
    if (a.name != b.name && !(a.name.empty() && a.mode != ArgMode::Out)) return true;
    if (a.default_expr && !b.default_expr) return true;
  }
  return false;
}

void DiffFunctions(Context& ctx) {
  for (const model::Function& target : ctx.target.functions) {
    const Key key = RoutineKey(target);
    const model::ObjectId object{KindOf(target), key.name};
    const model::Function* live = ctx.live_index->FindRoutine(key.name);
    std::string summary = Describe(target);
    if (live != nullptr) {
      const std::string live_sql = sqlgen::CreateFunction(*live);
      const std::string target_sql = sqlgen::CreateFunction(target);
      bool must_drop = RoutineNeedsDrop(*live, target);
      if (!must_drop && !ctx.Forced(key)) {
        if (live_sql != target_sql) {
          // "CREATE FUNCTION ..." -> "CREATE OR REPLACE FUNCTION ..."
          ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create,
                    .rank = Rank::Function, .object = object, .action = '~',
                    .summary = summary + ": replaced (body or attributes changed)",
                    .sql = "CREATE OR REPLACE " + target_sql.substr(7), .loc = target.loc});
        }
        EmitComment(ctx, key, object, &live->comment, target.comment,
                    [&] { return sqlgen::CommentOnFunction(target); }, target.loc);
        continue;
      }
      std::string why = must_drop ? " (result type, argument names or kind changed)"
                                  : ctx.ForcedReason(key);
      DropRoutine(ctx, *live, true, why + "; dropped");
      summary += why + "; created again";
      ctx.MarkRecreated(key);
    }
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Function,
              .object = object, .action = '+', .summary = summary,
              .sql = sqlgen::CreateFunction(target), .loc = target.loc, .creates_object = true});
    EmitComment(ctx, key, object, nullptr, target.comment,
                [&] { return sqlgen::CommentOnFunction(target); }, target.loc);
  }
  for (const model::Function& live : ctx.live().functions) {
    if (ctx.target_index->FindRoutine(RoutineKey(live).name) == nullptr) {
      DropRoutine(ctx, live, false, "");
    }
  }
}

}  // namespace schemac::diff::internal
