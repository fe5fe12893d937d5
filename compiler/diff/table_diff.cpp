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
// become ALTER TABLE ... ADD CONSTRAINT steps after all tables, as do NOT VALID constraints.
class InlineKeys {
 public:
  explicit InlineKeys(const Context& ctx) : ctx_(ctx) {}
  bool Inline(const model::Table& table, size_t constraint_index) {
    const model::Constraint& c = table.constraints[constraint_index];
    if (c.not_valid) return false;  // CREATE TABLE would validate it: added NOT VALID afterwards
    if (c.kind != model::ConstraintKind::ForeignKey) return true;
    // A table the plan recreates is created again like a new one.
    if (c.ref_table == table.name || (ctx_.live_index->FindTable(c.ref_table) != nullptr &&
                                      !ctx_.TableRecreated(c.ref_table))) {
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

// `recreated`: the reason the live table of the same name was dropped just before (its comments,
// grants and row level security are gone with it and are restored from the target).
void CreateTable(Context& ctx, const model::Table& table, InlineKeys& inline_keys,
                 const std::string* recreated = nullptr) {
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
            .summary = fmt::format("{} {}{}", table.partition_of ? "partition" : "table",
                                   Display(table.name),
                                   recreated ? fmt::format(" (recreated: {}); created again",
                                                           *recreated)
                                             : std::string()),
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

// A table PostgreSQL cannot alter into the target (PartitioningChanged, or a partition recreated
// with its parent or leaving it): DROP TABLE and CREATE TABLE. The rows are lost, so the drop is
// destructive and withheld without --allow-drop, together with everything recreated around it
// (dependents.cpp chose those: views, policies, triggers, indexes, foreign keys of other tables
// pointing at it, its partitions).
void RecreateTable(Context& ctx, const model::Table& live, const model::Table& target,
                   InlineKeys& inline_keys) {
  const Key key{KeyKind::Table, target.name, ""};
  const std::string& reason = ctx.recreations.tables.at(target.name);
  const size_t drop = ctx.Emit(
      {.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Table,
       .object = {ObjectKind::Table, target.name}, .action = '-',
       .summary = fmt::format("{} {} (recreated: {}; its rows are lost); dropped",
                              live.partition_of ? "partition" : "table", Display(target.name),
                              reason),
       .sql = fmt::format("DROP TABLE {};", QuoteQualified(live.name)),
       .hazards = {Hazard::DeletesData, Hazard::AccessExclusiveLock,
                   Hazard::RecreatesDependents},
       .loc = target.loc, .temporary = true});
  // Its foreign keys to tables the plan also drops or recreates go first: DROP TABLE of the
  // referenced table fails while they point at it (a cycle of keys between recreated tables).
  for (const model::Constraint& c : live.constraints) {
    if (c.kind != model::ConstraintKind::ForeignKey || c.ref_table == live.name) continue;
    if (ctx.target_index->FindTable(c.ref_table) != nullptr && !ctx.TableRecreated(c.ref_table)) {
      continue;
    }
    const Key fk{KeyKind::Constraint, live.name, c.name};
    size_t step = ctx.Emit(
        {.key = fk, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::ForeignKey,
         .object = ObjectOf(fk), .action = '-',
         .summary = fmt::format("constraint {} on {} (its table and {} are dropped)", c.name,
                                Display(live.name), Display(c.ref_table)),
         .sql = fmt::format("{} DROP CONSTRAINT {};", AlterTable(live.name), QuoteIdent(c.name)),
         .hazards = {Hazard::AccessExclusiveLock}, .temporary = true});
    ctx.builder.GateWith(step, drop);
  }
  // Sequences it owns (serial columns) would go with DROP TABLE: they are let go of before and
  // owned again after, so they keep their current values.
  for (const model::Sequence& seq : ctx.live().sequences) {
    const model::Sequence* kept = ctx.target_index->FindSequence(seq.name);
    if (seq.owned_by_table != live.name || kept == nullptr) continue;
    const Key seq_key{KeyKind::Sequence, seq.name, ""};
    const model::ObjectId seq_object{ObjectKind::Sequence, seq.name};
    const size_t disown = ctx.Emit(
        {.key = seq_key, .role = Role::Decorate, .phase = Phase::Drop, .rank = Rank::Sequence,
         .object = seq_object, .action = '~',
         .summary = fmt::format("sequence {}: owned by none while {} is recreated",
                                Display(seq.name), Display(live.name)),
         .sql = fmt::format("ALTER SEQUENCE {} OWNED BY NONE;", QuoteQualified(seq.name))});
    ctx.builder.After(drop, disown);
    ctx.builder.GateWith(disown, drop);
    if (kept->owned_by_table != target.name || !kept->owned_by_column ||
        ColumnNamed(target, *kept->owned_by_column) == nullptr) {
      continue;  // a new owner: sequence_diff.cpp sets it
    }
    const size_t own = ctx.Emit(
        {.key = seq_key, .role = Role::Decorate, .phase = Phase::Create, .rank = Rank::Sequence,
         .object = seq_object, .action = '~',
         .summary = fmt::format("sequence {}: owned by {}.{} again", Display(seq.name),
                                Display(target.name), *kept->owned_by_column),
         .sql = sqlgen::AlterSequenceOwnedBy(*kept)});
    ctx.builder.After(own, disown);
    ctx.after_steps_of.emplace_back(own, key, Role::Create);
  }
  ctx.MarkRecreated(key);
  for (const model::Column& c : target.columns) ctx.MarkRecreated({KeyKind::Column, target.name, c.name});
  for (const model::Constraint& c : target.constraints) {
    ctx.MarkRecreated({KeyKind::Constraint, target.name, c.name});
  }
  CreateTable(ctx, target, inline_keys, &reason);
}

std::string BoundSql(const model::Table& t) {
  if (t.partition_default) return "DEFAULT";
  return "FOR VALUES " + sqlgen::ExprSql(t.partition_bound ? t.partition_bound->text : "");
}

// Steps of DETACH and ATTACH PARTITION: every ATTACH runs after every DETACH, so a new bound never
// overlaps the old bound of a sibling that moves too.
struct PartitionMoves {
  std::vector<size_t> detached;
  std::vector<size_t> attached;
};

// A partition whose bound changes (DETACH, then ATTACH with the new bound), or a plain table that
// becomes a partition (ATTACH). Both keep the rows; ATTACH scans the table to check that they fit
// the bound (and the parent's default partition, if any, that it holds none of them).
void MovePartition(Context& ctx, const model::Table& live, const model::Table& target,
                   PartitionMoves& moves) {
  const Key key{KeyKind::Table, target.name, ""};
  const std::string name = Display(target.name);
  const QualifiedName& parent = *target.partition_of;
  std::string summary;
  std::optional<size_t> detach;
  if (live.partition_of) {
    detach = ctx.Emit(
        {.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Table,
         .object = {ObjectKind::Table, target.name}, .action = '-',
         .summary = fmt::format("partition {}: detached from {} (its bound changes)", name,
                                Display(*live.partition_of)),
         .sql = fmt::format("{} DETACH PARTITION {};", AlterTable(*live.partition_of),
                            QuoteQualified(live.name)),
         .hazards = {Hazard::AccessExclusiveLock}, .loc = target.loc, .temporary = true});
    moves.detached.push_back(*detach);
    summary = fmt::format("partition {}: attached again to {} ({} -> {})", name, Display(parent),
                          BoundSql(live), BoundSql(target));
  } else {
    summary = fmt::format("table {}: attached as a partition of {} ({})", name, Display(parent),
                          BoundSql(target));
  }
  // A decoration of the table rather than a create step: the table's own alters (its columns
  // made to match the parent's) wait for the table's create steps and must run before it.
  const size_t attach = ctx.Emit(
      {.key = key, .role = Role::Decorate, .phase = Phase::Create, .rank = Rank::Table,
       .object = {ObjectKind::Table, target.name}, .action = '~', .summary = summary,
       .sql = fmt::format("{} ATTACH PARTITION {} {};", AlterTable(parent),
                          QuoteQualified(target.name), BoundSql(target)),
       .hazards = {Hazard::AccessExclusiveLock, Hazard::ValidatesConstraint,
                   Hazard::MayFailOnExistingRows},
       .loc = target.loc});
  moves.attached.push_back(attach);
  ctx.after_steps_of.emplace_back(attach, Key{KeyKind::Table, parent, ""}, Role::Create);
  if (detach) {
    ctx.builder.After(attach, *detach);
    ctx.builder.GateWith(*detach, attach);  // never detached without being attached again
    return;
  }
  // A plain table must match its parent before ATTACH: its columns are the parent's, and what it
  // has that the partition does not (constraints, indexes, triggers it would inherit under the
  // same name) is removed first.
  const model::Table* live_table = ctx.live_index->FindTable(live.name);
  for (const model::Column& c : live_table->columns) {
    ctx.after_steps_of.emplace_back(attach, Key{KeyKind::Column, live.name, c.name}, Role::Remove);
    ctx.after_steps_of.emplace_back(attach, Key{KeyKind::Column, live.name, c.name}, Role::Create);
  }
  if (const model::Table* p = ctx.target_index->FindTable(parent)) {
    for (const model::Column& c : p->columns) {
      ctx.after_steps_of.emplace_back(attach, Key{KeyKind::Column, target.name, c.name},
                                      Role::Create);
    }
  }
  for (const model::Constraint& c : live.constraints) {
    ctx.after_steps_of.emplace_back(attach, Key{KeyKind::Constraint, live.name, c.name},
                                    Role::Remove);
  }
  for (const model::Index& i : ctx.live().indexes) {
    if (i.table == live.name) {
      // Dropped before; created again after (an index ATTACH would adopt, dependents.cpp).
      ctx.after_steps_of.emplace_back(attach, Key{KeyKind::Index, IndexName(i), ""}, Role::Remove);
      ctx.before_steps_of.emplace_back(Key{KeyKind::Index, IndexName(i), ""}, Role::Create, attach);
    }
  }
  for (const model::Trigger& t : ctx.live().triggers) {
    if (t.table == live.name) {
      ctx.after_steps_of.emplace_back(attach, Key{KeyKind::Trigger, t.table, t.name}, Role::Remove);
    }
  }
}

void AlterExistingTable(Context& ctx, const model::Table& live, const model::Table& target,
                        PartitionMoves& moves) {
  const std::string name = Display(target.name);
  if (live.unlogged != target.unlogged) {
    // SET LOGGED writes the whole table to the WAL; both forms rewrite it.
    EmitTableStep(ctx, target, Rank::Table, '~',
                  fmt::format("table {}: {}", name, target.unlogged ? "unlogged" : "logged"),
                  fmt::format("{} SET {};", AlterTable(target.name),
                              target.unlogged ? "UNLOGGED" : "LOGGED"),
                  {Hazard::RewritesTable, Hazard::AccessExclusiveLock});
  }
  for (std::string& sql : StorageChanges(AlterTable(target.name), live.storage, target.storage)) {
    // SHARE UPDATE EXCLUSIVE for the usual parameters (fillfactor, autovacuum_*): reads and writes
    // go on.
    EmitTableStep(ctx, target, Rank::Table, '~', fmt::format("table {}: storage parameters", name),
                  std::move(sql), {});
  }
  const model::ObjectId object{ObjectKind::Table, target.name};
  // Partitioning changes recreate the table (RecreateTable); a partition whose parent changes is
  // recreated too. What is left: a new bound, or a plain table that becomes a partition.
  if (target.partition_of && (!live.partition_of || BoundSql(live) != BoundSql(target))) {
    MovePartition(ctx, live, target, moves);
  }
  DiffInheritance(ctx, live, target);
  if (target.partition_of && !live.partition_of) {
    // The partition's columns are its parent's: the plain table is made to match them.
    if (const model::Table* parent = ctx.target_index->FindTable(*target.partition_of)) {
      model::Table as_parent = target;
      as_parent.columns = parent->columns;
      DiffColumns(ctx, live, as_parent);
    }
  } else {
    DiffColumns(ctx, live, target);
  }
  DiffConstraints(ctx, live, target);
  DiffRowLevelSecurity(ctx, &live, target);
  EmitComment(ctx, {KeyKind::Table, target.name, ""}, object, &live.comment, target.comment,
              [&] { return sqlgen::CommentOnTable(target); }, target.loc);
}

std::vector<std::string> PartitionKeyTexts(const model::Table& t) {
  std::vector<std::string> out;
  for (const auto& k : t.partition_keys) out.push_back(sqlgen::IndexElementSql(k));
  return out;
}

}  // namespace

bool PartitioningChanged(const model::Table& live, const model::Table& target) {
  return live.partition_strategy != target.partition_strategy ||
         PartitionKeyTexts(live) != PartitionKeyTexts(target);
}

void DiffTables(Context& ctx) {
  InlineKeys inline_keys(ctx);
  PartitionMoves moves;
  for (const model::Table& target : ctx.target.tables) {
    const model::Table* live = ctx.live_index->FindTable(target.name);
    if (live == nullptr) {
      CreateTable(ctx, target, inline_keys);
    } else if (ctx.TableRecreated(target.name)) {
      RecreateTable(ctx, *live, target, inline_keys);
    } else {
      AlterExistingTable(ctx, *live, target, moves);
    }
  }
  for (size_t attach : moves.attached) {
    for (size_t detach : moves.detached) ctx.builder.After(attach, detach);
  }
  DropTables(ctx);
}

}  // namespace schemac::diff::internal
