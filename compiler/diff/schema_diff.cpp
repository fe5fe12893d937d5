// Schemas and extensions.
#include <fmt/format.h>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteIdent;

bool HoldsTables(const model::Catalog& catalog, const std::string& schema) {
  for (const model::Table& t : catalog.tables) {
    if (t.name.schema == schema) return true;
  }
  return false;
}

}  // namespace

void DiffSchemas(Context& ctx) {
  for (const model::Schema& target : ctx.target.schemas) {
    const Key key{KeyKind::Schema, {"", target.name}, ""};
    const model::ObjectId object{ObjectKind::Schema, {"", target.name}};
    const model::Schema* live = ctx.live_index->FindSchema(target.name);
    // `public` exists in every database; it is never created (nor dropped).
    if (live == nullptr && target.name != "public") {
      ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Schema,
                .object = object, .action = '+', .summary = "schema " + target.name,
                .sql = sqlgen::CreateSchema(target), .loc = target.loc, .creates_object = true});
    }
    EmitComment(ctx, key, object, live ? &live->comment : nullptr, target.comment,
                [&] { return sqlgen::CommentOnSchema(target); }, target.loc);
  }
  for (const model::Schema& live : ctx.live().schemas) {
    if (ctx.target_index->FindSchema(live.name) != nullptr || live.name == "public") continue;
    // DROP SCHEMA without CASCADE fails while anything is left in it; the plan drops its objects
    // first. Its tables' rows go with them, so the schema's drop is destructive when it has any.
    std::vector<Hazard> hazards;
    std::string summary = "schema " + live.name;
    if (HoldsTables(ctx.live(), live.name)) {
      hazards.push_back(Hazard::DeletesData);
      summary += " (holds tables)";
    }
    ctx.Emit({.key = {KeyKind::Schema, {"", live.name}, ""}, .role = Role::Remove,
              .phase = Phase::LateDrop, .rank = Rank::Schema,
              .object = {ObjectKind::Schema, {"", live.name}}, .action = '-', .summary = summary,
              .sql = fmt::format("DROP SCHEMA {};", QuoteIdent(live.name)), .hazards = hazards});
  }
}

void DiffExtensions(Context& ctx) {
  for (const model::Extension& target : ctx.target.extensions) {
    const Key key{KeyKind::Extension, {"", target.name}, ""};
    const model::ObjectId object{ObjectKind::Extension, {"", target.name}};
    const model::Extension* live = ctx.live_index->FindExtension(target.name);
    if (live == nullptr) {
      ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Extension,
                .object = object, .action = '+', .summary = "extension " + target.name,
                .sql = sqlgen::CreateExtension(target), .loc = target.loc, .creates_object = true});
    } else {
      // An unset version or schema in the target means "whatever is installed".
      if (target.version && live->version != target.version) {
        ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Extension,
                  .object = object, .action = '~',
                  .summary = fmt::format("extension {}: version {} -> {}", target.name,
                                         live->version.value_or("?"), *target.version),
                  .sql = fmt::format("ALTER EXTENSION {} UPDATE TO {};", QuoteIdent(target.name),
                                     model::QuoteLiteral(*target.version)),
                  .hazards = {Hazard::AccessExclusiveLock}, .loc = target.loc});
      }
      if (target.schema && live->schema != target.schema) {
        // Only relocatable extensions can move; PostgreSQL says so if this one cannot.
        ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Extension,
                  .object = object, .action = '~',
                  .summary = fmt::format("extension {}: schema {} -> {}", target.name,
                                         live->schema.value_or("?"), *target.schema),
                  .sql = fmt::format("ALTER EXTENSION {} SET SCHEMA {};", QuoteIdent(target.name),
                                     QuoteIdent(*target.schema)),
                  .loc = target.loc});
      }
    }
    EmitComment(ctx, key, object, live ? &live->comment : nullptr, target.comment,
                [&] { return sqlgen::CommentOnExtension(target); }, target.loc);
  }
  for (const model::Extension& live : ctx.live().extensions) {
    // plpgsql is installed by initdb in every database; a target never has to say so.
    if (ctx.target_index->FindExtension(live.name) != nullptr || live.name == "plpgsql") continue;
    ctx.Emit({.key = {KeyKind::Extension, {"", live.name}, ""}, .role = Role::Remove,
              .phase = Phase::LateDrop, .rank = Rank::Extension,
              .object = {ObjectKind::Extension, {"", live.name}}, .action = '-',
              .summary = "extension " + live.name,
              .sql = fmt::format("DROP EXTENSION {};", QuoteIdent(live.name))});
  }
}

}  // namespace schemac::diff::internal
