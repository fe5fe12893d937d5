// Indexes: create, drop, changed definition -> drop + create, comments. Renames are in rename.cpp.
//
// PostgreSQL behaviour: CREATE INDEX (without CONCURRENTLY, which cannot run in a transaction)
// scans the table and takes a SHARE lock, which blocks writes until it finishes; a unique index
// fails when existing rows collide. DROP INDEX takes an ACCESS EXCLUSIVE lock on the table. An
// index that disappears from the schema is dropped late, after the new indexes are built, so the
// table is never left without the index it had.
#include <fmt/format.h>

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
  return sqlgen::CreateIndex(unnamed);
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
    // Building an index on a table that already has rows scans it and blocks writes.
    const bool existing_table = ctx.live_index->FindTable(target.table) != nullptr;
    std::vector<Hazard> build;
    if (existing_table) build = {Hazard::IndexBuild, Hazard::ShareLock};
    if (existing_table && target.unique) build.push_back(Hazard::MayFailOnExistingRows);
    std::string summary = fmt::format("{}index {} on {}", target.unique ? "unique " : "",
                                      Display(name), Display(target.table));
    if (live != nullptr) {
      bool changed = IndexChanged(*live, target);
      if (!changed && !ctx.Forced(key)) {
        EmitComment(ctx, key, object, &live->comment, target.comment,
                    [&] { return sqlgen::CommentOnIndex(target); }, target.loc);
        continue;
      }
      std::string why = live->invalid ? " (invalid: rebuilt)"
                        : changed     ? " (definition changed)"
                                      : ctx.ForcedReason(key);
      ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Index,
                .object = object, .action = '-', .summary = summary + why + "; dropped",
                .sql = fmt::format("DROP INDEX {};", QuoteQualified(name)),
                .hazards = {Hazard::AccessExclusiveLock}, .temporary = true});
      summary += why + "; created again";
      ctx.MarkRecreated(key);
    }
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Index,
              .object = object, .action = '+', .summary = summary,
              .sql = sqlgen::CreateIndex(target), .hazards = build, .loc = target.loc,
              .creates_object = true});
    EmitComment(ctx, key, object, nullptr, target.comment,
                [&] { return sqlgen::CommentOnIndex(target); }, target.loc);
  }
  for (const model::Index& live : ctx.live().indexes) {
    const QualifiedName name = IndexName(live);
    if (ctx.target_index->FindIndex(name) != nullptr || TableDropped(ctx, live.table)) continue;
    ctx.Emit({.key = {KeyKind::Index, name, ""}, .role = Role::Remove, .phase = Phase::LateDrop,
              .rank = Rank::Index, .object = {ObjectKind::Index, name}, .action = '-',
              .summary = fmt::format("index {} on {}", Display(name), Display(live.table)),
              .sql = fmt::format("DROP INDEX {};", QuoteQualified(name)),
              .hazards = {Hazard::AccessExclusiveLock}});
  }
}

}  // namespace schemac::diff::internal
