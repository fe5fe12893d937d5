// Indexes: create, drop, changed definition -> drop + create, comments. Renames are in rename.cpp.
//
// Online (DiffOptions::online, existing tables): CREATE/DROP INDEX CONCURRENTLY, each in its own
// transaction; a changed index is built under a new name before the old one is dropped.
//
// PostgreSQL behaviour: CREATE INDEX (without CONCURRENTLY, which cannot run in a transaction)
// scans the table and takes a SHARE lock, which blocks writes until it finishes; a unique index
// fails when existing rows collide. DROP INDEX takes an ACCESS EXCLUSIVE lock on the table. An
// index that disappears from the schema is dropped late, after the new indexes are built, so the
// table is never left without the index it had.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteQualified;

// Whether the relation an index is on is dropped by this plan (the index goes with it).
bool TableDropped(const Context& ctx, const QualifiedName& table) {
  return ctx.target_index->FindTable(table) == nullptr &&
         ctx.target_index->FindView(table) == nullptr;
}

// Whether `a` and `b` would be the same index on the same table (PostgreSQL attaches a
// partition's index to its parent's index when they match like this).
bool SameDefinitionAnywhere(const model::Index& a, const model::Index& b) {
  model::Index moved = a;
  moved.table = b.table;
  return IndexDefinition(moved) == IndexDefinition(b);
}

// Indexes of partitioned tables and the partitions' own indexes.
//
// PostgreSQL behaviour: CREATE INDEX on a partitioned table looks, on every partition, for an
// index of the same definition that is not attached to anything yet and attaches it instead of
// building one; such an attached index can no longer be dropped on its own (only with the
// parent's index). ALTER INDEX parent ATTACH PARTITION child attaches one explicitly, and an
// index of a partitioned table left invalid (created ON ONLY) becomes valid once every partition
// has one attached.
//
// So a partition's index that leaves the schema while a matching index of its parent is created
// is kept and attached (no build, and no DROP that would fail after the attach); other matching
// ones are dropped before the parent's index is created, so PostgreSQL cannot pick them. An
// invalid parent index of the same definition is completed by attaching the partitions' matching
// indexes when every partition that lacks one has one, instead of being rebuilt.
struct PartitionedPlan {
  std::map<QualifiedName, std::vector<const model::Index*>> attach;  // target parent index -> kept
  std::set<QualifiedName> kept;                                       // live partition indexes
  std::set<QualifiedName> drop_early;                                 // live partition indexes
  std::set<QualifiedName> completed;  // invalid live parent indexes completed by attaching
};

PartitionedPlan PlanPartitioned(const Context& ctx) {
  PartitionedPlan plan;
  // Live indexes that leave the schema, by table.
  std::map<QualifiedName, std::vector<const model::Index*>> leaving;
  for (const model::Index& live : ctx.live().indexes) {
    if (ctx.target_index->FindIndex(IndexName(live)) == nullptr) leaving[live.table].push_back(&live);
  }
  auto same_parent = [&](const QualifiedName& partition, const QualifiedName& parent) {
    const model::Table* l = ctx.live_index->FindTable(partition);
    const model::Table* t = ctx.target_index->FindTable(partition);
    return l != nullptr && t != nullptr && l->partition_of == parent && t->partition_of == parent;
  };
  // The first leaving, valid index of `partition` matching `parent_index` and not taken yet.
  auto candidate = [&](const QualifiedName& partition, const model::Index& parent_index) -> const model::Index* {
    auto it = leaving.find(partition);
    if (it == leaving.end()) return nullptr;
    for (const model::Index* l : it->second) {
      if (!l->invalid && !plan.kept.contains(IndexName(*l)) && SameDefinitionAnywhere(*l, parent_index)) return l;
    }
    return nullptr;
  };
  for (const model::Index& target : ctx.target.indexes) {
    const model::Table* table = ctx.target_index->FindTable(target.table);
    if (table == nullptr || !table->partition_strategy) continue;
    const QualifiedName name = IndexName(target);
    const model::Index* live = ctx.live_index->FindIndex(name);
    const Key key{KeyKind::Index, name, ""};
    std::vector<QualifiedName> partitions;
    if (live != nullptr && live->invalid && !ctx.Forced(key) && IndexDefinition(*live) == IndexDefinition(target) &&
        !live->unattached_partitions.empty()) {
      // Completed by attaching, if every partition without an attached index has a match.
      std::vector<const model::Index*> found;
      for (const QualifiedName& p : live->unattached_partitions) {
        const model::Index* l = same_parent(p, target.table) ? candidate(p, target) : nullptr;
        if (l == nullptr) break;
        found.push_back(l);
      }
      if (found.size() == live->unattached_partitions.size()) {
        plan.completed.insert(name);
        for (const model::Index* l : found) plan.kept.insert(IndexName(*l));
        plan.attach[name] = std::move(found);
        partitions = live->unattached_partitions;
      }
    }
    if (plan.completed.contains(name)) continue;
    // Created (or rebuilt: an invalid index that cannot be completed is IndexChanged).
    if (live == nullptr || IndexChanged(*live, target) || ctx.Forced(key)) {
      for (const model::Table& t : ctx.target.tables) {
        if (t.partition_of != target.table || !same_parent(t.name, target.table)) continue;
        partitions.push_back(t.name);
        if (const model::Index* l = candidate(t.name, target)) {
          plan.kept.insert(IndexName(*l));
          plan.attach[name].push_back(l);
        }
      }
    }
    // The other leaving indexes of these partitions that match: gone before the parent's index.
    for (const QualifiedName& p : partitions) {
      auto it = leaving.find(p);
      if (it == leaving.end()) continue;
      for (const model::Index* l : it->second) {
        if (!plan.kept.contains(IndexName(*l)) && SameDefinitionAnywhere(*l, target)) {
          plan.drop_early.insert(IndexName(*l));
        }
      }
    }
  }
  return plan;
}

// ALTER INDEX parent ATTACH PARTITION child, one step per kept partition index.
void EmitAttaches(Context& ctx, const PartitionedPlan& plan, const model::Index& target, const Key& key,
                  std::optional<size_t> after) {
  const QualifiedName name = IndexName(target);
  auto it = plan.attach.find(name);
  if (it == plan.attach.end()) return;
  for (const model::Index* l : it->second) {
    const QualifiedName child = IndexName(*l);
    const size_t step = ctx.Emit(
        {.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Index,
         .object = {ObjectKind::Index, name}, .action = '~',
         .summary = fmt::format("index {} on {}: the index {} of partition {} attached (kept, not built again)",
                                Display(name), Display(target.table), Display(child), Display(l->table)),
         .sql = fmt::format("ALTER INDEX {} ATTACH PARTITION {};", QuoteQualified(name), QuoteQualified(child)),
         .hazards = {}, .loc = target.loc});
    if (after) ctx.builder.After(step, *after);
  }
}

}  // namespace

std::string IndexDefinition(const model::Index& index) {
  model::Index unnamed = index;
  // assign(), not operator= with a literal, which trips GCC 12's -Wrestrict.
  unnamed.name.name.assign(1, '_');
  // Storage parameters change in place (ALTER INDEX ... SET), without a rebuild.
  unnamed.storage.clear();
  return sqlgen::CreateIndex(unnamed);
}

std::vector<std::string> StorageChanges(const std::string& relation,
                                        const std::vector<std::pair<std::string, std::string>>& live,
                                        const std::vector<std::pair<std::string, std::string>>& target) {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> reset;
  for (const auto& option : target) {
    if (std::find(live.begin(), live.end(), option) == live.end()) set.push_back(option);
  }
  for (const auto& [name, value] : live) {
    const bool kept = std::any_of(target.begin(), target.end(), [&](const auto& t) { return t.first == name; });
    if (!kept) reset.push_back(model::QuoteIdent(name));
  }
  std::vector<std::string> out;
  if (!set.empty()) out.push_back(fmt::format("{} SET {};", relation, sqlgen::StorageParamsSql(set)));
  if (!reset.empty()) out.push_back(fmt::format("{} RESET ({});", relation, fmt::join(reset, ", ")));
  return out;
}

bool IndexChanged(const model::Index& live, const model::Index& target) {
  return live.invalid || IndexDefinition(live) != IndexDefinition(target);
}

void DiffIndexes(Context& ctx) {
  const PartitionedPlan partitioned = PlanPartitioned(ctx);
  for (const model::Index& target : ctx.target.indexes) {
    const QualifiedName name = IndexName(target);
    const Key key{KeyKind::Index, name, ""};
    const model::ObjectId object{ObjectKind::Index, name};
    const model::Index* live = ctx.live_index->FindIndex(name);
    // Building an index on a table that already has rows scans it and blocks writes, unless it is
    // built CONCURRENTLY (online), which only blocks schema changes (and takes two scans).
    const bool existing_table = ctx.live_index->FindTable(target.table) != nullptr;
    const bool online = Online(ctx, target.table);
    std::vector<Hazard> build;
    if (existing_table) build = {Hazard::IndexBuild};
    if (existing_table && !online) build.push_back(Hazard::ShareLock);
    if (existing_table && target.unique) build.push_back(Hazard::MayFailOnExistingRows);
    const std::string create = online ? Concurrently(sqlgen::CreateIndex(target)) : sqlgen::CreateIndex(target);
    const std::vector<Hazard> drop_hazards =
        online ? std::vector<Hazard>{} : std::vector<Hazard>{Hazard::AccessExclusiveLock};
    const std::string drop_sql =
        std::string(online ? "DROP INDEX CONCURRENTLY " : "DROP INDEX ") + QuoteQualified(name) + ";";
    std::string summary = fmt::format("{}index {} on {}", target.unique ? "unique " : "",
                                      Display(name), Display(target.table));
    if (live != nullptr && partitioned.completed.contains(name)) {
      EmitAttaches(ctx, partitioned, target, key, std::nullopt);
      EmitComment(ctx, key, object, &live->comment, target.comment,
                  [&] { return sqlgen::CommentOnIndex(target); }, target.loc);
      continue;
    }
    if (live != nullptr) {
      bool changed = IndexChanged(*live, target);
      if (!changed && !ctx.Forced(key)) {
        for (std::string& sql : StorageChanges("ALTER INDEX " + QuoteQualified(name), live->storage, target.storage)) {
          ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Index,
                    .object = object, .action = '~', .summary = summary + ": storage parameters",
                    .sql = std::move(sql), .hazards = {}, .loc = target.loc});
        }
        EmitComment(ctx, key, object, &live->comment, target.comment,
                    [&] { return sqlgen::CommentOnIndex(target); }, target.loc);
        continue;
      }
      std::string why = live->invalid ? " (invalid: rebuilt)"
                        : changed     ? " (definition changed)"
                                      : ctx.ForcedReason(key);
      if (online && changed && !live->invalid && !ctx.Forced(key)) {
        // Replace without a moment without the index: build the new one under another name,
        // drop the old one, give the new one its name.
        model::Index fresh = target;
        fresh.name.name = TempName(name.name, "_schemac_new");
        const QualifiedName fresh_name{name.schema, fresh.name.name};
        const size_t built = ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create,
                                       .rank = Rank::Index, .object = object, .action = '+',
                                       .summary = summary + why + "; new definition built as " + fresh.name.name,
                                       .sql = Concurrently(sqlgen::CreateIndex(fresh)), .hazards = build,
                                       .loc = target.loc, .creates_object = true, .transactional = false});
        const size_t dropped = ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create,
                                         .rank = Rank::Index, .object = object, .action = '-',
                                         .summary = summary + ": old definition dropped", .sql = drop_sql,
                                         .hazards = {}, .loc = target.loc, .transactional = false});
        const size_t renamed = ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create,
                                         .rank = Rank::Index, .object = object, .action = '>',
                                         .summary = summary + ": " + fresh.name.name + " renamed to " + name.name,
                                         .sql = fmt::format("ALTER INDEX {} RENAME TO {};", QuoteQualified(fresh_name),
                                                            model::QuoteIdent(name.name)),
                                         .hazards = {Hazard::AccessExclusiveLock}, .loc = target.loc});
        ctx.builder.After(dropped, built);
        ctx.builder.After(renamed, dropped);
        ctx.MarkRecreated(key);
        EmitComment(ctx, key, object, nullptr, target.comment,
                    [&] { return sqlgen::CommentOnIndex(target); }, target.loc);
        continue;
      }
      ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Index,
                .object = object, .action = '-', .summary = summary + why + "; dropped",
                .sql = drop_sql, .hazards = drop_hazards, .temporary = true, .transactional = !online});
      summary += why + "; created again";
      ctx.MarkRecreated(key);
    }
    const size_t created = ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Index,
                                     .object = object, .action = '+', .summary = summary,
                                     .sql = create, .hazards = build, .loc = target.loc,
                                     .creates_object = true, .transactional = !online});
    // Already attached by CREATE INDEX; the explicit ATTACH says so and fails if PostgreSQL chose
    // another index (it is a no-op for the right one).
    EmitAttaches(ctx, partitioned, target, key, created);
    EmitComment(ctx, key, object, nullptr, target.comment,
                [&] { return sqlgen::CommentOnIndex(target); }, target.loc);
  }
  for (const model::Index& live : ctx.live().indexes) {
    const QualifiedName name = IndexName(live);
    if (ctx.target_index->FindIndex(name) != nullptr || TableDropped(ctx, live.table)) continue;
    if (partitioned.kept.contains(name)) continue;  // attached to its parent's index instead
    const bool online = Online(ctx, live.table) && ctx.target_index->FindTable(live.table) != nullptr;
    // Dropped late (after the new indexes are built), unless a constraint of the target needs its
    // name for its own index (e.g. an index left behind by an interrupted build).
    const model::Table* table = ctx.target_index->FindTable(live.table);
    const bool name_taken = table != nullptr && ConstraintNamed(*table, name.name) != nullptr;
    // Early, too: a partition's index that the parent's new index would otherwise attach, and an
    // index of a partitioned table, whose partitions' attached indexes (dropped with it) may have
    // the names of indexes the target creates on the partitions.
    const model::Table* live_table = ctx.live_index->FindTable(live.table);
    const bool early = name_taken || partitioned.drop_early.contains(name) ||
                       (live_table != nullptr && live_table->partition_strategy.has_value());
    ctx.Emit({.key = {KeyKind::Index, name, ""}, .role = Role::Remove,
              .phase = early ? Phase::Drop : Phase::LateDrop,
              .rank = Rank::Index, .object = {ObjectKind::Index, name}, .action = '-',
              .summary = fmt::format("index {} on {}", Display(name), Display(live.table)),
              .sql = std::string(online ? "DROP INDEX CONCURRENTLY " : "DROP INDEX ") + QuoteQualified(name) + ";",
              .hazards = online ? std::vector<Hazard>{} : std::vector<Hazard>{Hazard::AccessExclusiveLock},
              .transactional = !online});
  }
}

}  // namespace schemac::diff::internal
