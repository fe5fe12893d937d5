// Tables: create (sqlgen::CreateTable, the same renderer `schemac sql` uses), drop (destructive),
// and the table-level alters of existing tables (logging, row level security, comments).
// Columns are in column_diff.cpp, constraints in constraint_diff.cpp.
#include <fmt/format.h>

#include <map>
#include <set>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/order.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteIdent;
using model::QuoteQualified;

// Row level security switches are decorations: nothing else waits for them, so objects that use
// the table do not either.
void EmitTableStep(Context& ctx, const model::Table& table, Rank rank, char action,
                   std::string summary, std::string sql, std::vector<Hazard> hazards) {
  Role role = rank == Rank::Rls ? Role::Decorate : Role::Create;
  ctx.Emit({.key = {KeyKind::Table, table.name, ""}, .role = role, .phase = Phase::Create,
            .rank = rank, .object = {ObjectKind::Table, table.name}, .action = action,
            .summary = std::move(summary), .sql = std::move(sql), .hazards = std::move(hazards),
            .loc = table.loc});
}

// Row level security switches. ALTER TABLE ... ROW LEVEL SECURITY only changes the catalog but
// takes an ACCESS EXCLUSIVE lock like most ALTER TABLE forms.
void DiffRowLevelSecurity(Context& ctx, const model::Table* live, const model::Table& target) {
  const std::string name = Display(target.name);
  const std::vector<Hazard> lock = {Hazard::AccessExclusiveLock};
  bool enabled = live != nullptr && live->rls_enabled;
  bool forced = live != nullptr && live->rls_forced;
  if (enabled != target.rls_enabled) {
    EmitTableStep(ctx, target, Rank::Rls, '~',
                  fmt::format("table {}: row level security {}", name,
                              target.rls_enabled ? "enabled" : "disabled"),
                  target.rls_enabled
                      ? sqlgen::EnableRowLevelSecurity(target.name)
                      : AlterTable(target.name) + " DISABLE ROW LEVEL SECURITY;",
                  live ? lock : std::vector<Hazard>{});
  }
  if (forced != target.rls_forced) {
    EmitTableStep(ctx, target, Rank::Rls, '~',
                  fmt::format("table {}: row level security {}", name,
                              target.rls_forced ? "forced" : "no longer forced"),
                  target.rls_forced ? sqlgen::ForceRowLevelSecurity(target.name)
                                    : AlterTable(target.name) + " NO FORCE ROW LEVEL SECURITY;",
                  live ? lock : std::vector<Hazard>{});
  }
}

// Which foreign keys of new tables CREATE TABLE can write inline: those whose referenced table
// exists already (or is the table itself), and those sqlgen's creation order writes inline among
// the new tables; the rest (foreign key cycles, keys relying on a unique index of a new table)
// become ALTER TABLE ... ADD CONSTRAINT steps after all tables.
class InlineKeys {
 public:
  explicit InlineKeys(const Context& ctx) : ctx_(ctx) {}
  bool Inline(const model::Table& table, size_t constraint_index) {
    const model::Constraint& c = table.constraints[constraint_index];
    if (c.kind != model::ConstraintKind::ForeignKey) return true;
    if (c.ref_table == table.name || ctx_.live_index->FindTable(c.ref_table) != nullptr) {
      return true;
    }
    if (!order_) {
      order_ = sqlgen::OrderCreation(ctx_.target);
      for (size_t i = 0; i < ctx_.target.tables.size(); ++i) {
        positions_[ctx_.target.tables[i].name] = i;
      }
    }
    return order_->inline_constraints[positions_.at(table.name)][constraint_index];
  }

 private:
  const Context& ctx_;
  std::optional<sqlgen::CreationOrder> order_;
  std::map<QualifiedName, size_t> positions_;
};

void CreateTable(Context& ctx, const model::Table& table, InlineKeys& inline_keys) {
  const Key key{KeyKind::Table, table.name, ""};
  std::vector<bool> inline_constraint(table.constraints.size());
  for (size_t i = 0; i < table.constraints.size(); ++i) {
    inline_constraint[i] = inline_keys.Inline(table, i);
  }
  const std::string sql = sqlgen::CreateTable(table, [&](const model::Constraint& c) {
    return inline_constraint[static_cast<size_t>(&c - table.constraints.data())];
  });
  ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Table,
            .object = {ObjectKind::Table, table.name}, .action = '+',
            .summary = fmt::format("{} {}", table.partition_of ? "partition" : "table",
                                   Display(table.name)),
            .sql = sql, .loc = table.loc, .creates_object = true});
  for (size_t i = 0; i < table.constraints.size(); ++i) {
    if (!inline_constraint[i]) AddConstraintStep(ctx, table, table.constraints[i], false, "");
  }
  DiffRowLevelSecurity(ctx, nullptr, table);
  // Comments wait for CREATE TABLE (decorations of the table's key).
  auto comment = [&](std::string text, const std::string& what) {
    ctx.Emit({.key = key, .role = Role::Decorate, .phase = Phase::Create, .rank = Rank::Comment,
              .object = {ObjectKind::Table, table.name}, .action = '~',
              .summary = fmt::format("comment on {} {}", what, Display(table.name)),
              .sql = std::move(text), .loc = table.loc});
  };
  if (table.comment) comment(sqlgen::CommentOnTable(table), "table");
  for (const model::Column& column : table.columns) {
    if (column.comment) {
      comment(sqlgen::CommentOnColumn(table, column), "column " + column.name + " of");
    }
  }
  for (size_t i = 0; i < table.constraints.size(); ++i) {
    const model::Constraint& c = table.constraints[i];
    if (!c.comment) continue;
    if (inline_constraint[i]) {
      comment(sqlgen::CommentOnConstraint(table, c), "constraint " + c.name + " on");
    } else {
      EmitComment(ctx, {KeyKind::Constraint, table.name, c.name},
                  ObjectOf({KeyKind::Constraint, table.name, c.name}), nullptr, c.comment,
                  [&] { return sqlgen::CommentOnConstraint(table, c); }, c.loc);
    }
  }
}

// Tables dropped together whose foreign keys reference each other in a cycle: DROP TABLE of
// either fails while the other's key points at it, so those keys are dropped first (withheld
// together with the table drops).
std::set<std::pair<QualifiedName, std::string>> CyclicKeys(const Context& ctx,
                                                           const std::set<QualifiedName>& dropped) {
  std::map<QualifiedName, std::set<QualifiedName>> edges;
  for (const QualifiedName& name : dropped) {
    for (const model::Constraint& c : ctx.live_index->FindTable(name)->constraints) {
      if (c.kind == model::ConstraintKind::ForeignKey && c.ref_table != name &&
          dropped.contains(c.ref_table)) {
        edges[name].insert(c.ref_table);
      }
    }
  }
  auto reaches = [&](const QualifiedName& from, const QualifiedName& to) {
    std::set<QualifiedName> seen;
    std::vector<QualifiedName> stack{from};
    while (!stack.empty()) {
      QualifiedName n = stack.back();
      stack.pop_back();
      if (n == to) return true;
      if (!seen.insert(n).second) continue;
      for (const QualifiedName& next : edges[n]) stack.push_back(next);
    }
    return false;
  };
  std::set<std::pair<QualifiedName, std::string>> out;
  for (const QualifiedName& name : dropped) {
    for (const model::Constraint& c : ctx.live_index->FindTable(name)->constraints) {
      if (c.kind == model::ConstraintKind::ForeignKey && edges[name].contains(c.ref_table) &&
          reaches(c.ref_table, name)) {
        out.insert({name, c.name});
      }
    }
  }
  return out;
}

void DropTables(Context& ctx) {
  std::set<QualifiedName> dropped;
  for (const model::Table& live : ctx.live().tables) {
    if (ctx.target_index->FindTable(live.name) == nullptr) dropped.insert(live.name);
  }
  std::set<std::pair<QualifiedName, std::string>> cyclic = CyclicKeys(ctx, dropped);
  for (const QualifiedName& name : dropped) {
    const model::Table& live = *ctx.live_index->FindTable(name);
    size_t drop = ctx.Emit(
        {.key = {KeyKind::Table, name, ""}, .role = Role::Remove, .phase = Phase::LateDrop,
         .rank = Rank::Table, .object = {ObjectKind::Table, name}, .action = '-',
         .summary = fmt::format("{} {} (its rows are lost)",
                                live.partition_of ? "partition" : "table", Display(name)),
         .sql = fmt::format("DROP TABLE {};", QuoteQualified(name)),
         .hazards = {Hazard::DeletesData, Hazard::AccessExclusiveLock}});
    for (const model::Constraint& c : live.constraints) {
      if (!cyclic.contains({name, c.name})) continue;
      size_t step = ctx.Emit(
          {.key = {KeyKind::Constraint, name, c.name}, .role = Role::Remove,
           .phase = Phase::LateDrop, .rank = Rank::ForeignKey,
           .object = ObjectOf({KeyKind::Constraint, name, c.name}), .action = '-',
           .summary = fmt::format(
               "constraint {} on {} (a foreign key cycle between dropped tables)", c.name,
               Display(name)),
           .sql = fmt::format("{} DROP CONSTRAINT {};", AlterTable(name), QuoteIdent(c.name)),
           .hazards = {Hazard::AccessExclusiveLock}});
      ctx.builder.GateWith(step, drop);
    }
  }
}

void AlterExistingTable(Context& ctx, const model::Table& live, const model::Table& target) {
  const std::string name = Display(target.name);
  if (live.unlogged != target.unlogged) {
    // SET LOGGED writes the whole table to the WAL; both forms rewrite it.
    EmitTableStep(ctx, target, Rank::Table, '~',
                  fmt::format("table {}: {}", name, target.unlogged ? "unlogged" : "logged"),
                  fmt::format("{} SET {};", AlterTable(target.name),
                              target.unlogged ? "UNLOGGED" : "LOGGED"),
                  {Hazard::RewritesTable, Hazard::AccessExclusiveLock});
  }
  auto keys = [](const model::Table& t) {
    std::vector<std::string> out;
    for (const auto& k : t.partition_keys) out.push_back(sqlgen::IndexElementSql(k));
    return out;
  };
  const model::ObjectId object{ObjectKind::Table, target.name};
  if (live.partition_strategy != target.partition_strategy || keys(live) != keys(target)) {
    ctx.Report(object,
               fmt::format("table {}: partitioning (strategy or key) changed; PostgreSQL cannot "
                           "change it in place, and recreating a table is not supported",
                           name),
               target.loc);
  }
  auto bound = [](const model::Table& t) {
    return t.partition_default ? std::string("DEFAULT")
                               : (t.partition_bound ? t.partition_bound->text : std::string());
  };
  if (live.partition_of != target.partition_of || bound(live) != bound(target)) {
    ctx.Report(object,
               fmt::format("partition {}: parent or bound changed ({} -> {}); DETACH/ATTACH "
                           "PARTITION is not supported yet",
                           name, bound(live), bound(target)),
               target.loc);
  }
  DiffInheritance(ctx, live, target);
  DiffColumns(ctx, live, target);
  DiffConstraints(ctx, live, target);
  DiffRowLevelSecurity(ctx, &live, target);
  EmitComment(ctx, {KeyKind::Table, target.name, ""}, object, &live.comment, target.comment,
              [&] { return sqlgen::CommentOnTable(target); }, target.loc);
}

}  // namespace

void DiffTables(Context& ctx) {
  InlineKeys inline_keys(ctx);
  for (const model::Table& target : ctx.target.tables) {
    const model::Table* live = ctx.live_index->FindTable(target.name);
    if (live == nullptr) {
      CreateTable(ctx, target, inline_keys);
    } else {
      AlterExistingTable(ctx, *live, target);
    }
  }
  DropTables(ctx);
}

}  // namespace schemac::diff::internal
