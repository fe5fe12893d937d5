// Collations: create, drop, and drop + create when the definition changes (PostgreSQL cannot alter
// a collation's provider or locales). A collation holds no data, so none of this is destructive;
// the columns, domains and indexes that use one are ordered around it by their dependencies.
#include <fmt/format.h>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteQualified;

bool CollationChanged(const model::Collation& live, const model::Collation& target) {
  return live.provider != target.provider || live.locale != target.locale ||
         live.lc_collate != target.lc_collate || live.lc_ctype != target.lc_ctype ||
         live.deterministic != target.deterministic;
}

std::string Describe(const model::Collation& c) {
  std::string out = c.provider;
  if (c.locale) out += " '" + *c.locale + "'";
  if (c.lc_collate) out += " '" + *c.lc_collate + "'";
  if (c.lc_ctype && c.lc_ctype != c.lc_collate) out += "/'" + *c.lc_ctype + "'";
  if (!c.deterministic) out += " nondeterministic";
  return out;
}

}  // namespace

void DiffCollations(Context& ctx) {
  for (const model::Collation& target : ctx.target.collations) {
    const Key key{KeyKind::Collation, target.name, ""};
    const model::ObjectId object{ObjectKind::Collation, target.name};
    const model::Collation* live = ctx.live_index->FindCollation(target.name);
    if (live != nullptr && !CollationChanged(*live, target)) continue;
    std::string summary = "collation " + Display(target.name);
    if (live != nullptr) {
      // DROP COLLATION fails while a column, domain or index uses it.
      const std::vector<Key>& users = ctx.live_index->UsedBy(key);
      if (!users.empty()) {
        ctx.Report(object,
                   fmt::format("collation {} changed ({} -> {}) but {} uses it; changing a "
                               "collation in use is not supported",
                               Display(target.name), Describe(*live), Describe(target),
                               Display(users.front())),
                   target.loc);
        continue;
      }
      summary += fmt::format(" ({} -> {}; recreated)", Describe(*live), Describe(target));
      ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Type,
                .object = object, .action = '-', .summary = summary + "; dropped",
                .sql = fmt::format("DROP COLLATION {};", QuoteQualified(target.name)),
                .temporary = true});
    }
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Type,
              .object = object, .action = '+', .summary = summary,
              .sql = sqlgen::CreateCollation(target), .loc = target.loc,
              .creates_object = true});
  }
  for (const model::Collation& live : ctx.live().collations) {
    if (ctx.target_index->FindCollation(live.name) != nullptr) continue;
    ctx.Emit({.key = {KeyKind::Collation, live.name, ""}, .role = Role::Remove,
              .phase = Phase::LateDrop, .rank = Rank::Type,
              .object = {ObjectKind::Collation, live.name}, .action = '-',
              .summary = "collation " + Display(live.name),
              .sql = fmt::format("DROP COLLATION {};", QuoteQualified(live.name))});
  }
}

}  // namespace schemac::diff::internal
