// Views and materialized views: create, drop, and drop + create for any change of definition.
//
// Views hold no data, so a changed view is simply dropped and created again (CREATE OR REPLACE
// VIEW only allows appending columns, which is the rarer case). A materialized view holds its
// rows: dropping it is destructive, even though REFRESH could compute them again. Objects that
// depend on a recreated view (other views, functions, triggers) are recreated around it
// (dependents.cpp), as are its indexes; grants and comments are restored afterwards.
#include <fmt/format.h>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteQualified;

const char* Keyword(const model::View& view) {
  return view.materialized ? "MATERIALIZED VIEW" : "VIEW";
}

ObjectKind KindOf(const model::View& view) {
  return view.materialized ? ObjectKind::MaterializedView : ObjectKind::View;
}

size_t DropView(Context& ctx, const model::View& view, bool temporary, const std::string& why) {
  std::vector<Hazard> hazards = {Hazard::AccessExclusiveLock};
  std::string summary = fmt::format("{} {}{}", model::ObjectKindName(KindOf(view)),
                                    Display(view.name), why);
  if (view.materialized) {
    hazards.push_back(Hazard::DeletesData);
    summary += " (its stored rows are lost until it is refreshed)";
  }
  return ctx.Emit({.key = {KeyKind::View, view.name, ""}, .role = Role::Remove,
                   .phase = Phase::Drop, .rank = Rank::View, .object = {KindOf(view), view.name},
                   .action = '-', .summary = summary,
                   .sql = fmt::format("DROP {} {};", Keyword(view), QuoteQualified(view.name)),
                   .hazards = hazards, .temporary = temporary});
}

}  // namespace

bool ViewChanged(const model::View& live, const model::View& target) {
  return live.materialized != target.materialized || live.column_names != target.column_names ||
         live.options != target.options || live.check_option != target.check_option ||
         live.query.text != target.query.text;
}

void DiffViews(Context& ctx) {
  for (const model::View& target : ctx.target.views) {
    const Key key{KeyKind::View, target.name, ""};
    const model::ObjectId object{KindOf(target), target.name};
    const model::View* live = ctx.live_index->FindView(target.name);
    std::string summary = fmt::format("{} {}", model::ObjectKindName(KindOf(target)),
                                      Display(target.name));
    if (live != nullptr) {
      bool changed = ViewChanged(*live, target);
      if (!changed && !ctx.Forced(key)) {
        EmitComment(ctx, key, object, &live->comment, target.comment,
                    [&] { return sqlgen::CommentOnView(target); }, target.loc);
        continue;
      }
      std::string why = changed ? " (definition changed)" : ctx.ForcedReason(key);
      DropView(ctx, *live, true, why + "; dropped");
      summary += why + "; created again";
      ctx.MarkRecreated(key);
    }
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::View,
              .object = object, .action = '+', .summary = summary,
              .sql = sqlgen::CreateView(target), .loc = target.loc, .creates_object = true});
    EmitComment(ctx, key, object, nullptr, target.comment,
                [&] { return sqlgen::CommentOnView(target); }, target.loc);
  }
  for (const model::View& live : ctx.live().views) {
    if (ctx.target_index->FindView(live.name) == nullptr) DropView(ctx, live, false, "");
  }
}

}  // namespace schemac::diff::internal
