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
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Index,
              .object = object, .action = '+', .summary = summary,
              .sql = create, .hazards = build, .loc = target.loc,
              .creates_object = true, .transactional = !online});
    EmitComment(ctx, key, object, nullptr, target.comment,
                [&] { return sqlgen::CommentOnIndex(target); }, target.loc);
  }
  for (const model::Index& live : ctx.live().indexes) {
    const QualifiedName name = IndexName(live);
    if (ctx.target_index->FindIndex(name) != nullptr || TableDropped(ctx, live.table)) continue;
    const bool online = Online(ctx, live.table) && ctx.target_index->FindTable(live.table) != nullptr;
    // Dropped late (after the new indexes are built), unless a constraint of the target needs its
    // name for its own index (e.g. an index left behind by an interrupted build).
    const model::Table* table = ctx.target_index->FindTable(live.table);
    const bool name_taken = table != nullptr && ConstraintNamed(*table, name.name) != nullptr;
    ctx.Emit({.key = {KeyKind::Index, name, ""}, .role = Role::Remove,
              .phase = name_taken ? Phase::Drop : Phase::LateDrop,
              .rank = Rank::Index, .object = {ObjectKind::Index, name}, .action = '-',
              .summary = fmt::format("index {} on {}", Display(name), Display(live.table)),
              .sql = std::string(online ? "DROP INDEX CONCURRENTLY " : "DROP INDEX ") + QuoteQualified(name) + ";",
              .hazards = online ? std::vector<Hazard>{} : std::vector<Hazard>{Hazard::AccessExclusiveLock},
              .transactional = !online});
  }
}

}  // namespace schemac::diff::internal
