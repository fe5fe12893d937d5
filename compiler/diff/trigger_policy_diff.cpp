// Triggers and row level security policies.
//
// A changed trigger is dropped and created again (there is no ALTER for its definition). A
// changed policy is altered in place with ALTER POLICY when only its roles and expressions
// change and no expression is removed; otherwise (command, PERMISSIVE/RESTRICTIVE, a removed
// USING or WITH CHECK) it is dropped and created again. CREATE TRIGGER takes a SHARE ROW EXCLUSIVE
// lock on the table (blocks writes, reported as share-lock); DROP TRIGGER/POLICY and ALTER POLICY
// take ACCESS EXCLUSIVE for their short duration.
#include <fmt/format.h>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteIdent;
using model::QuoteQualified;

// Whether the table (or view) the object is on is dropped by this plan: the object goes with it.
bool OnDroppedRelation(const Context& ctx, const QualifiedName& table) {
  return ctx.target_index->FindTable(table) == nullptr &&
         ctx.target_index->FindView(table) == nullptr;
}

std::optional<std::string> Text(const std::optional<model::Expr>& e) {
  return e ? std::optional<std::string>(e->text) : std::nullopt;
}

}  // namespace

void DiffTriggers(Context& ctx) {
  for (const model::Trigger& target : ctx.target.triggers) {
    const Key key{KeyKind::Trigger, target.table, target.name};
    const model::ObjectId object = ObjectOf(key);
    const model::Trigger* live = ctx.live_index->FindTrigger(target.table, target.name);
    std::string summary = fmt::format("trigger {} on {}", target.name, Display(target.table));
    if (live != nullptr) {
      bool changed = sqlgen::CreateTrigger(*live) != sqlgen::CreateTrigger(target);
      if (!changed && !ctx.Forced(key)) {
        EmitComment(ctx, key, object, &live->comment, target.comment,
                    [&] { return sqlgen::CommentOnTrigger(target); }, target.loc);
        continue;
      }
      std::string why = changed ? " (definition changed)" : ctx.ForcedReason(key);
      ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Trigger,
                .object = object, .action = '-', .summary = summary + why + "; dropped",
                .sql = fmt::format("DROP TRIGGER {} ON {};", QuoteIdent(live->name),
                                   QuoteQualified(live->table)),
                .hazards = {Hazard::AccessExclusiveLock}, .temporary = true});
      summary += why + "; created again";
      ctx.MarkRecreated(key);
    }
    bool existing_table = ctx.live_index->FindTable(target.table) != nullptr;
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Trigger,
              .object = object, .action = '+', .summary = summary,
              .sql = sqlgen::CreateTrigger(target),
              .hazards = existing_table ? std::vector<Hazard>{Hazard::ShareLock}
                                        : std::vector<Hazard>{},
              .loc = target.loc, .creates_object = true});
    EmitComment(ctx, key, object, nullptr, target.comment,
                [&] { return sqlgen::CommentOnTrigger(target); }, target.loc);
  }
  for (const model::Trigger& live : ctx.live().triggers) {
    if (ctx.target_index->FindTrigger(live.table, live.name) != nullptr ||
        OnDroppedRelation(ctx, live.table)) {
      continue;
    }
    const Key key{KeyKind::Trigger, live.table, live.name};
    ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Trigger,
              .object = ObjectOf(key), .action = '-',
              .summary = fmt::format("trigger {} on {}", live.name, Display(live.table)),
              .sql = fmt::format("DROP TRIGGER {} ON {};", QuoteIdent(live.name),
                                 QuoteQualified(live.table)),
              .hazards = {Hazard::AccessExclusiveLock}});
  }
}

namespace {

// ALTER POLICY for what changed, or nullopt when ALTER POLICY cannot do it.
std::optional<std::string> AlterPolicySql(const model::Policy& live, const model::Policy& target,
                                          std::vector<std::string>& what) {
  if (live.permissive != target.permissive || live.command != target.command) return std::nullopt;
  if ((live.using_expr && !target.using_expr) || (live.with_check && !target.with_check)) {
    return std::nullopt;
  }
  std::string sql = fmt::format("ALTER POLICY {} ON {}", QuoteIdent(target.name),
                                QuoteQualified(target.table));
  if (live.roles != target.roles) {
    std::vector<std::string> roles;
    for (const std::string& role : target.roles) roles.push_back(sqlgen::RoleSql(role));
    if (roles.empty()) roles.push_back("PUBLIC");
    sql += fmt::format(" TO {}", fmt::join(roles, ", "));
    what.push_back("roles");
  }
  if (Text(live.using_expr) != Text(target.using_expr)) {
    sql += " USING (" + sqlgen::ExprSql(target.using_expr->text) + ")";
    what.push_back("using");
  }
  if (Text(live.with_check) != Text(target.with_check)) {
    sql += " WITH CHECK (" + sqlgen::ExprSql(target.with_check->text) + ")";
    what.push_back("with check");
  }
  return sql + ";";
}

}  // namespace

void DiffPolicies(Context& ctx) {
  for (const model::Policy& target : ctx.target.policies) {
    const Key key{KeyKind::Policy, target.table, target.name};
    const model::ObjectId object = ObjectOf(key);
    const model::Policy* live = ctx.live_index->FindPolicy(target.table, target.name);
    std::string summary = fmt::format("policy {} on {}", target.name, Display(target.table));
    if (live != nullptr) {
      bool changed = sqlgen::CreatePolicy(*live) != sqlgen::CreatePolicy(target);
      if (!changed && !ctx.Forced(key)) {
        EmitComment(ctx, key, object, &live->comment, target.comment,
                    [&] { return sqlgen::CommentOnPolicy(target); }, target.loc);
        continue;
      }
      std::vector<std::string> what;
      std::optional<std::string> alter = AlterPolicySql(*live, target, what);
      if (changed && !ctx.Forced(key) && alter) {
        ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Policy,
                  .object = object, .action = '~',
                  .summary = fmt::format("{}: {} changed", summary, fmt::join(what, ", ")),
                  .sql = *alter, .hazards = {Hazard::AccessExclusiveLock}, .loc = target.loc});
        EmitComment(ctx, key, object, &live->comment, target.comment,
                    [&] { return sqlgen::CommentOnPolicy(target); }, target.loc);
        continue;
      }
      std::string why = changed ? " (command or kind changed)" : ctx.ForcedReason(key);
      ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Policy,
                .object = object, .action = '-', .summary = summary + why + "; dropped",
                .sql = fmt::format("DROP POLICY {} ON {};", QuoteIdent(live->name),
                                   QuoteQualified(live->table)),
                .hazards = {Hazard::AccessExclusiveLock}, .temporary = true});
      summary += why + "; created again";
      ctx.MarkRecreated(key);
    }
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Policy,
              .object = object, .action = '+', .summary = summary,
              .sql = sqlgen::CreatePolicy(target), .loc = target.loc, .creates_object = true});
    EmitComment(ctx, key, object, nullptr, target.comment,
                [&] { return sqlgen::CommentOnPolicy(target); }, target.loc);
  }
  for (const model::Policy& live : ctx.live().policies) {
    if (ctx.target_index->FindPolicy(live.table, live.name) != nullptr ||
        OnDroppedRelation(ctx, live.table)) {
      continue;
    }
    const Key key{KeyKind::Policy, live.table, live.name};
    ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Policy,
              .object = ObjectOf(key), .action = '-',
              .summary = fmt::format("policy {} on {}", live.name, Display(live.table)),
              .sql = fmt::format("DROP POLICY {} ON {};", QuoteIdent(live.name),
                                 QuoteQualified(live.table)),
              .hazards = {Hazard::AccessExclusiveLock}});
  }
}

}  // namespace schemac::diff::internal
