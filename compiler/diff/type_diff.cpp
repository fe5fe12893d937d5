// Enums, domains and composite types.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "compiler/diff/internal/context.h"
#include "compiler/diff/type_change.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteIdent;
using model::QuoteLiteral;
using model::QuoteQualified;

bool IsType(const model::TypeName& type, const QualifiedName& name) {
  return !type.IsBuiltin() && type.schema == name.schema && type.name == name.name;
}

// Live columns of type `name` (arrays included).
std::vector<ColumnRef> ColumnsOfType(const model::Catalog& catalog, const QualifiedName& name) {
  std::vector<ColumnRef> out;
  for (const model::Table& t : catalog.tables) {
    for (const model::Column& c : t.columns) {
      if (IsType(c.type, name)) out.push_back({t.name, c.name});
    }
  }
  return out;
}

// Dropping a type is destructive when a column that holds values of it is dropped with it (the
// column's drop deletes the data; the type's drop cannot run before it). Columns that keep
// existing with another type are converted first and lose nothing.
std::vector<Hazard> TypeDropHazards(const Context& ctx, const QualifiedName& name,
                                    std::string& summary) {
  for (const auto& [table, column] : ColumnsOfType(ctx.live(), name)) {
    if (ctx.target_index->FindColumn(table, column) == nullptr) {
      summary += fmt::format(" (in use by {}.{}, which is dropped)", Display(table), column);
      return {Hazard::DeletesData};
    }
  }
  return {};
}

void EmitTypeDrop(Context& ctx, const QualifiedName& name, ObjectKind kind, const char* keyword) {
  std::string summary = fmt::format("{} {}", model::ObjectKindName(kind), Display(name));
  std::vector<Hazard> hazards = TypeDropHazards(ctx, name, summary);
  ctx.Emit({.key = {KeyKind::Type, name, ""}, .role = Role::Remove, .phase = Phase::LateDrop,
            .rank = Rank::Type, .object = {kind, name}, .action = '-', .summary = summary,
            .sql = fmt::format("DROP {} {};", keyword, QuoteQualified(name)), .hazards = hazards});
}

// A name for the old type while the new one is created: "<name>_schemac_old", within 63 bytes.
std::string OldName(const std::string& name) {
  constexpr size_t kSuffix = 12;  // "_schemac_old"
  std::string base = name.size() + kSuffix > 63 ? name.substr(0, 63 - kSuffix) : name;
  while (!base.empty() && (static_cast<unsigned char>(base.back()) & 0xC0) == 0x80) base.pop_back();
  if (!base.empty() && static_cast<unsigned char>(base.back()) >= 0xC0) base.pop_back();
  return base + "_schemac_old";
}

// Drop-and-create of a type that columns use, which neither ALTER TYPE nor ALTER DOMAIN can do:
// rename the old type away, create the new one, convert every column that keeps the type
// (`USING col::<cast>::new`; defaults were dropped before by column_diff.cpp, because they hold
// casts to the old type), then drop the old type. Views, functions, checks and indexes that name
// the type were dropped before (dependents.cpp) and are created again afterwards.
void RecreateType(Context& ctx, const QualifiedName& name, ObjectKind kind, const char* keyword,
                  const std::string& create_sql, const std::string& via_cast,
                  const std::string& why, std::vector<Hazard> hazards, base::Loc loc) {
  const Key key{KeyKind::Type, name, ""};
  const model::ObjectId object{kind, name};
  const std::string old_name = OldName(name.name);
  const QualifiedName old{name.schema, old_name};
  hazards.push_back(Hazard::RecreatesDependents);
  std::string summary = fmt::format("{} {}: {}; recreated", model::ObjectKindName(kind),
                                    Display(name), why);
  ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = Rank::Type,
            .object = object, .action = '~', .summary = summary + " (old type renamed away)",
            .sql = fmt::format("ALTER {} {} RENAME TO {};", keyword, QuoteQualified(name),
                               QuoteIdent(old_name)),
            .hazards = hazards, .loc = loc, .temporary = true});
  size_t create = ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create,
                            .rank = Rank::Type, .object = object, .action = '+',
                            .summary = summary, .sql = create_sql, .loc = loc,
                            .creates_object = true});
  std::vector<size_t> conversions;
  std::vector<Hazard> column_hazards = hazards;
  column_hazards.push_back(Hazard::RewritesTable);
  column_hazards.push_back(Hazard::AccessExclusiveLock);
  for (const auto& [table, column] : ColumnsOfType(ctx.live(), name)) {
    const model::Column* target = ctx.target_index->FindColumn(table, column);
    if (target == nullptr || !IsType(target->type, name)) continue;
    // Enums go through text (text[] for arrays); domains cast straight from the old one.
    std::string cast = via_cast;
    for (int i = 0; !cast.empty() && i < target->type.array_dims; ++i) cast += "[]";
    size_t step = ctx.Emit(
        {.key = {KeyKind::Column, table, column}, .role = Role::Create, .phase = Phase::Create,
         .rank = Rank::Column, .object = {ObjectKind::Table, table}, .action = '~',
         .summary = fmt::format("column {}.{}: converted to the recreated {}", Display(table),
                                column, Display(name)),
         .sql = fmt::format("{} ALTER COLUMN {} TYPE {} USING {}{}::{};", AlterTable(table),
                            QuoteIdent(column), target->type.ToSql(), QuoteIdent(column), cast,
                            target->type.ToSql()),
         .hazards = column_hazards, .loc = target->loc});
    ctx.builder.After(step, create);
    conversions.push_back(step);
  }
  // The old type's drop is keyed by the old name: it is no part of the new type that users of the
  // type wait for.
  size_t drop = ctx.Emit({.key = {KeyKind::Type, old, ""}, .role = Role::Remove,
                          .phase = Phase::Create, .rank = Rank::Type, .object = object,
                          .action = '-',
                          .summary = fmt::format("{} {}: old type dropped",
                                                 model::ObjectKindName(kind), Display(name)),
                          .sql = fmt::format("DROP {} {};", keyword, QuoteQualified(old)),
                          .hazards = hazards, .loc = loc});
  ctx.builder.After(drop, create);
  for (size_t step : conversions) ctx.builder.After(drop, step);
  // Columns converted to another type altogether (column_diff.cpp) also leave the old type first.
  for (const auto& [table, column] : ColumnsOfType(ctx.live(), name)) {
    ctx.after_steps_of.emplace_back(drop, Key{KeyKind::Column, table, column}, Role::Create);
  }
  ctx.MarkRecreated(key);
}

// ALTER TYPE ... ADD VALUE for each value of `target` that `live` lacks, each placed next to a
// value that exists by then, so the order matches the target.
void AddEnumValues(Context& ctx, const model::Enum& live, const model::Enum& target) {
  const Key key{KeyKind::Type, target.name, ""};
  auto exists = [&](const std::string& v) {
    return std::find(live.values.begin(), live.values.end(), v) != live.values.end();
  };
  for (size_t i = 0; i < target.values.size(); ++i) {
    const std::string& value = target.values[i];
    if (exists(value)) continue;
    std::string where;
    if (i > 0) {
      where = " AFTER " + QuoteLiteral(target.values[i - 1]);
    } else {
      auto anchor = std::find_if(target.values.begin(), target.values.end(), exists);
      if (anchor != target.values.end()) where = " BEFORE " + QuoteLiteral(*anchor);
    }
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Type,
              .object = {ObjectKind::Enum, target.name}, .action = '~',
              .summary = fmt::format("enum {}: add value {}{}", Display(target.name),
                                     QuoteLiteral(value), where),
              .sql = fmt::format("ALTER TYPE {} ADD VALUE {}{};", QuoteQualified(target.name),
                                 QuoteLiteral(value), where),
              .loc = target.loc, .transactional = false});
  }
}

}  // namespace

bool EnumNeedsRecreate(const model::Enum& live, const model::Enum& target) {
  // Every live value must appear in the target, in the same relative order.
  size_t next = 0;
  for (const std::string& value : live.values) {
    auto it = std::find(target.values.begin() + static_cast<std::ptrdiff_t>(next),
                        target.values.end(), value);
    if (it == target.values.end()) return true;
    next = static_cast<size_t>(it - target.values.begin()) + 1;
  }
  return false;
}

bool DomainNeedsRecreate(const model::Domain& live, const model::Domain& target) {
  return live.base_type != target.base_type || live.collation != target.collation;
}

void DiffEnums(Context& ctx) {
  for (const model::Enum& target : ctx.target.enums) {
    const Key key{KeyKind::Type, target.name, ""};
    const model::ObjectId object{ObjectKind::Enum, target.name};
    const model::Enum* live = ctx.live_index->FindEnum(target.name);
    if (live == nullptr) {
      ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Type,
                .object = object, .action = '+', .summary = "enum " + Display(target.name),
                .sql = sqlgen::CreateEnum(target), .loc = target.loc, .creates_object = true});
    } else if (EnumNeedsRecreate(*live, target)) {
      std::vector<std::string> removed;
      for (const std::string& v : live->values) {
        if (std::find(target.values.begin(), target.values.end(), v) == target.values.end()) {
          removed.push_back(QuoteLiteral(v));
        }
      }
      std::string why = removed.empty()
                            ? "values reordered (the sort order of stored values changes)"
                            : fmt::format("values removed ({}): rows holding them cannot be "
                                          "converted", fmt::join(removed, ", "));
      RecreateType(ctx, target.name, ObjectKind::Enum, "TYPE", sqlgen::CreateEnum(target),
                   "::text", why, {Hazard::DeletesData}, target.loc);
    } else {
      AddEnumValues(ctx, *live, target);
    }
    bool fresh = live == nullptr || ctx.Recreated(key);
    EmitComment(ctx, key, object, fresh ? nullptr : &live->comment, target.comment,
                [&] { return sqlgen::CommentOnEnum(target); }, target.loc);
  }
  for (const model::Enum& live : ctx.live().enums) {
    if (ctx.target_index->FindEnum(live.name) == nullptr) {
      EmitTypeDrop(ctx, live.name, ObjectKind::Enum, "TYPE");
    }
  }
}

namespace {

void AlterDomain(Context& ctx, const model::Domain& live, const model::Domain& target) {
  const Key key{KeyKind::Type, target.name, ""};
  const model::ObjectId object{ObjectKind::Domain, target.name};
  const std::string alter = "ALTER DOMAIN " + QuoteQualified(target.name);
  auto emit = [&](std::string summary, std::string sql, std::vector<Hazard> hazards) {
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Type,
              .object = object, .action = '~',
              .summary = fmt::format("domain {}: {}", Display(target.name), summary),
              .sql = std::move(sql), .hazards = std::move(hazards), .loc = target.loc});
  };
  auto text = [](const std::optional<model::Expr>& e) {
    return e ? std::optional<std::string>(e->text) : std::nullopt;
  };
  if (text(live.default_expr) != text(target.default_expr)) {
    if (target.default_expr) {
      emit("default set", fmt::format("{} SET DEFAULT {};", alter,
                                      sqlgen::DefaultExprSql(target.default_expr->text)), {});
    } else {
      emit("default dropped", alter + " DROP DEFAULT;", {});
    }
  }
  // Adding NOT NULL or a check scans every column of the domain's type (the check must hold for
  // stored values).
  const std::vector<Hazard> scan = {Hazard::ValidatesConstraint, Hazard::MayFailOnExistingRows};
  if (live.not_null != target.not_null) {
    if (target.not_null) {
      emit("not null", alter + " SET NOT NULL;", scan);
    } else {
      emit("nullable", alter + " DROP NOT NULL;", {});
    }
  }
  auto find = [](const model::Domain& d, const std::string& name) -> const model::DomainCheck* {
    for (const auto& c : d.checks) {
      if (c.name == name) return &c;
    }
    return nullptr;
  };
  // A derived name (<domain>_check) follows the domain: after a rename of the domain, a live check
  // with the same expression under a name the target does not use is the same check, renamed
  // rather than dropped and added again (which would scan every column of the type).
  std::map<std::string, std::string> renamed;  // target name -> live name
  std::set<std::string> taken;                 // live names renamed away
  for (const model::DomainCheck& check : target.checks) {
    if (check.name_explicit || find(live, check.name) != nullptr) continue;
    for (const model::DomainCheck& l : live.checks) {
      if (l.expression.text != check.expression.text || find(target, l.name) != nullptr ||
          taken.contains(l.name)) {
        continue;
      }
      taken.insert(l.name);
      renamed[check.name] = l.name;
      emit(fmt::format("check {} renamed from {}", check.name, l.name),
           fmt::format("{} RENAME CONSTRAINT {} TO {};", alter, QuoteIdent(l.name),
                       QuoteIdent(check.name)),
           {});
      break;
    }
  }
  for (const model::DomainCheck& check : live.checks) {
    if (taken.contains(check.name)) continue;
    const model::DomainCheck* t = find(target, check.name);
    if (t != nullptr && t->expression.text == check.expression.text) continue;
    emit("check " + check.name + " dropped",
         fmt::format("{} DROP CONSTRAINT {};", alter, QuoteIdent(check.name)), {});
  }
  for (const model::DomainCheck& check : target.checks) {
    auto r = renamed.find(check.name);
    const model::DomainCheck* l = find(live, r == renamed.end() ? check.name : r->second);
    if (l != nullptr && l->expression.text == check.expression.text) {
      if (l->not_valid && !check.not_valid) {
        emit("check " + check.name + " validated",
             fmt::format("{} VALIDATE CONSTRAINT {};", alter, QuoteIdent(check.name)), scan);
      }
      continue;
    }
    emit("check " + check.name + " added",
         fmt::format("{} ADD CONSTRAINT {} CHECK ({});", alter, QuoteIdent(check.name),
                     sqlgen::ExprSql(check.expression.text)),
         scan);
  }
}

}  // namespace

void DiffDomains(Context& ctx) {
  for (const model::Domain& target : ctx.target.domains) {
    const Key key{KeyKind::Type, target.name, ""};
    const model::ObjectId object{ObjectKind::Domain, target.name};
    const model::Domain* live = ctx.live_index->FindDomain(target.name);
    if (live == nullptr) {
      ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Type,
                .object = object, .action = '+', .summary = "domain " + Display(target.name),
                .sql = sqlgen::CreateDomain(target), .loc = target.loc, .creates_object = true});
    } else if (DomainNeedsRecreate(*live, target)) {
      TypeChange change = ClassifyTypeChange(live->base_type, target.base_type);
      std::vector<Hazard> hazards;
      std::string why = live->base_type != target.base_type
                            ? fmt::format("base type {} -> {}", live->base_type.ToSql(),
                                          target.base_type.ToSql())
                            : "collation changed";
      if (change.lossy) {
        hazards.push_back(Hazard::DeletesData);
        why += " (" + change.reason + ")";
      }
      RecreateType(ctx, target.name, ObjectKind::Domain, "DOMAIN", sqlgen::CreateDomain(target), "",
                   why, hazards, target.loc);
    } else {
      AlterDomain(ctx, *live, target);
    }
    bool fresh = live == nullptr || ctx.Recreated(key);
    EmitComment(ctx, key, object, fresh ? nullptr : &live->comment, target.comment,
                [&] { return sqlgen::CommentOnDomain(target); }, target.loc);
  }
  for (const model::Domain& live : ctx.live().domains) {
    if (ctx.target_index->FindDomain(live.name) == nullptr) {
      EmitTypeDrop(ctx, live.name, ObjectKind::Domain, "DOMAIN");
    }
  }
}

namespace {

void AlterComposite(Context& ctx, const model::CompositeType& live,
                    const model::CompositeType& target) {
  const Key key{KeyKind::Type, target.name, ""};
  const model::ObjectId object{ObjectKind::CompositeType, target.name};
  const std::string alter = "ALTER TYPE " + QuoteQualified(target.name);
  const std::vector<ColumnRef> users = ColumnsOfType(ctx.live(), target.name);
  auto find = [](const model::CompositeType& t,
                 const std::string& name) -> const model::CompositeField* {
    for (const auto& f : t.fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  };
  auto emit = [&](std::string summary, std::string sql, std::vector<Hazard> hazards) {
    ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Type,
              .object = object, .action = '~',
              .summary = fmt::format("type {}: {}", Display(target.name), summary),
              .sql = std::move(sql), .hazards = std::move(hazards), .loc = target.loc});
  };
  auto field_sql = [](const model::CompositeField& f) {
    std::string out = QuoteIdent(f.name) + " " + f.type.ToSql();
    if (f.collation) out += " COLLATE " + sqlgen::CollationSql(*f.collation);
    return out;
  };
  // Attributes keep their order: dropped ones leave a gap, added ones go to the end.
  std::vector<std::string> order;
  for (const model::CompositeField& f : live.fields) {
    const model::CompositeField* t = find(target, f.name);
    if (t == nullptr) {
      std::vector<Hazard> hazards;
      std::string summary = "attribute " + f.name + " dropped";
      if (!users.empty()) {
        hazards.push_back(Hazard::DeletesData);
        summary += fmt::format(" (its values in {}.{} are lost)", Display(users[0].first),
                               users[0].second);
      }
      emit(summary, fmt::format("{} DROP ATTRIBUTE {};", alter, QuoteIdent(f.name)), hazards);
      continue;
    }
    order.push_back(f.name);
    if (t->type == f.type && t->collation == f.collation) continue;
    if (!users.empty()) {
      ctx.Report(object,
                 fmt::format("type {}: attribute {} changes type ({} -> {}) while column {}.{} "
                             "uses the type; PostgreSQL cannot convert stored values of a "
                             "composite type (not supported)",
                             Display(target.name), f.name, f.type.ToSql(), t->type.ToSql(),
                             Display(users[0].first), users[0].second),
                 target.loc);
      continue;
    }
    emit(fmt::format("attribute {}: type {} -> {}", f.name, f.type.ToSql(), t->type.ToSql()),
         fmt::format("{} ALTER ATTRIBUTE {} TYPE {}{};", alter, QuoteIdent(f.name), t->type.ToSql(),
                     t->collation ? " COLLATE " + sqlgen::CollationSql(*t->collation) : ""),
         {});
  }
  for (const model::CompositeField& f : target.fields) {
    if (find(live, f.name) != nullptr) continue;
    order.push_back(f.name);
    emit("attribute " + f.name + " added", fmt::format("{} ADD ATTRIBUTE {};", alter, field_sql(f)),
         {});
  }
  std::vector<std::string> wanted;
  for (const model::CompositeField& f : target.fields) wanted.push_back(f.name);
  if (order != wanted) {
    ctx.Report(object,
               fmt::format("type {}: attribute order {} differs from the target's {}; "
                           "ALTER TYPE cannot reorder attributes (not supported)",
                           Display(target.name), fmt::join(order, ", "), fmt::join(wanted, ", ")),
               target.loc);
  }
}

}  // namespace

void DiffCompositeTypes(Context& ctx) {
  for (const model::CompositeType& target : ctx.target.composite_types) {
    const Key key{KeyKind::Type, target.name, ""};
    const model::ObjectId object{ObjectKind::CompositeType, target.name};
    const model::CompositeType* live = ctx.live_index->FindComposite(target.name);
    if (live == nullptr) {
      ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Type,
                .object = object, .action = '+', .summary = "type " + Display(target.name),
                .sql = sqlgen::CreateCompositeType(target), .loc = target.loc,
                .creates_object = true});
    } else {
      AlterComposite(ctx, *live, target);
    }
    EmitComment(ctx, key, object, live ? &live->comment : nullptr, target.comment,
                [&] { return sqlgen::CommentOnCompositeType(target); }, target.loc);
  }
  for (const model::CompositeType& live : ctx.live().composite_types) {
    if (ctx.target_index->FindComposite(live.name) == nullptr) {
      EmitTypeDrop(ctx, live.name, ObjectKind::CompositeType, "TYPE");
    }
  }
}

}  // namespace schemac::diff::internal
