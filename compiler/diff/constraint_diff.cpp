// Table constraints of existing tables: added and dropped by name; a changed definition is a drop
// plus an add (constraints hold no data). A NOT VALID constraint the target declares valid is
// validated (VALIDATE CONSTRAINT); a valid one the target declares `not valid` is dropped and
// added again NOT VALID; a target's NOT VALID constraint is added NOT VALID and left so. Online
// (DiffOptions::online): CHECK and FOREIGN KEY are added NOT VALID and validated in the validate
// stage; PRIMARY KEY and UNIQUE get a unique index built CONCURRENTLY, then ADD ... USING INDEX.
//
// PostgreSQL behaviour: ADD CONSTRAINT checks every existing row (a CHECK or FOREIGN KEY scans
// the table; PRIMARY KEY, UNIQUE and EXCLUDE build an index) and fails if a row violates it.
// CHECK, PRIMARY KEY, UNIQUE and EXCLUDE take an ACCESS EXCLUSIVE lock; FOREIGN KEY takes SHARE
// ROW EXCLUSIVE on both tables, which blocks writes (reported as share-lock).
#include <fmt/format.h>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ConstraintKind;
using model::QuoteIdent;

const char* KindName(ConstraintKind kind) {
  switch (kind) {
    case ConstraintKind::PrimaryKey: return "primary key";
    case ConstraintKind::Unique: return "unique constraint";
    case ConstraintKind::ForeignKey: return "foreign key";
    case ConstraintKind::Check: return "check constraint";
    case ConstraintKind::Exclude: return "exclusion constraint";
  }
  return "constraint";
}

std::vector<Hazard> AddHazards(ConstraintKind kind) {
  switch (kind) {
    case ConstraintKind::PrimaryKey:
    case ConstraintKind::Unique:
    case ConstraintKind::Exclude:
      return {Hazard::AccessExclusiveLock, Hazard::IndexBuild, Hazard::MayFailOnExistingRows};
    case ConstraintKind::ForeignKey:
      return {Hazard::ShareLock, Hazard::ValidatesConstraint, Hazard::MayFailOnExistingRows};
    case ConstraintKind::Check:
      return {Hazard::AccessExclusiveLock, Hazard::ValidatesConstraint,
              Hazard::MayFailOnExistingRows};
  }
  return {};
}

Rank RankOf(const model::Constraint& c) {
  return c.kind == ConstraintKind::ForeignKey ? Rank::ForeignKey : Rank::Constraint;
}

}  // namespace

bool ConstraintChanged(const model::Constraint& live, const model::Constraint& target) {
  return sqlgen::ConstraintDefinition(live) != sqlgen::ConstraintDefinition(target);
}

size_t AddConstraintStep(Context& ctx, const model::Table& table,
                         const model::Constraint& constraint, bool existing, std::string reason) {
  const Key key{KeyKind::Constraint, table.name, constraint.name};
  const std::string summary =
      fmt::format("{} {} on {}{}", KindName(constraint.kind), constraint.name, Display(table.name), reason);
  const std::string add = sqlgen::AddConstraint(table.name, constraint);
  if (constraint.not_valid) {
    // Declared NOT VALID: existing rows are not checked (no scan, cannot fail on them), only rows
    // written from now on; it stays NOT VALID.
    std::vector<Hazard> hazards;
    if (existing) {
      hazards.push_back(constraint.kind == ConstraintKind::ForeignKey ? Hazard::ShareLock
                                                                      : Hazard::AccessExclusiveLock);
    }
    return ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = RankOf(constraint),
                     .object = ObjectOf(key), .action = '+', .summary = summary + " (NOT VALID)",
                     .sql = add, .hazards = hazards, .loc = constraint.loc, .creates_object = true});
  }
  // A foreign key that references a partitioned table is added valid at once: PostgreSQL 15
  // clones it for every partition of the referenced table, and VALIDATE CONSTRAINT does not
  // reach those clones (they would stay NOT VALID for good).
  const bool references_partitioned = [&] {
    if (constraint.kind != ConstraintKind::ForeignKey) return false;
    const model::Table* ref = ctx.target_index->FindTable(constraint.ref_table);
    return ref != nullptr && ref->partition_strategy.has_value();
  }();
  if (existing && Online(ctx, table.name) && !references_partitioned) {
    switch (constraint.kind) {
      case ConstraintKind::Check:
      case ConstraintKind::ForeignKey: {
        // Added NOT VALID (a short lock, no scan: new rows are checked from now on), then
        // validated in the validate stage, which scans under a lock that lets writes go on.
        const size_t added = ctx.Emit(
            {.key = key, .role = Role::Create, .phase = Phase::Create, .rank = RankOf(constraint),
             .object = ObjectOf(key), .action = '+', .summary = summary + " (NOT VALID, validated later)",
             .sql = NotValid(add),
             .hazards = {constraint.kind == ConstraintKind::Check ? Hazard::AccessExclusiveLock : Hazard::ShareLock},
             .loc = constraint.loc, .creates_object = true});
        const size_t validated = ctx.Emit(
            {.key = key, .role = Role::Create, .phase = Phase::Create, .rank = RankOf(constraint),
             .object = ObjectOf(key), .action = '~',
             .summary = fmt::format("{} {} on {}: validated", KindName(constraint.kind), constraint.name,
                                    Display(table.name)),
             .sql = fmt::format("{} VALIDATE CONSTRAINT {};", AlterTable(table.name), QuoteIdent(constraint.name)),
             .hazards = {Hazard::ValidatesConstraint, Hazard::MayFailOnExistingRows}, .loc = constraint.loc,
             .validate = true});
        ctx.builder.After(validated, added);
        return added;
      }
      case ConstraintKind::PrimaryKey:
      case ConstraintKind::Unique: {
        // The index is built CONCURRENTLY (writes go on), then becomes the constraint's.
        model::Index index;
        index.name = {table.name.schema, constraint.name};
        index.table = table.name;
        index.unique = true;
        for (const std::string& c : constraint.columns) index.elements.push_back({.expression = c, .is_column = true});
        index.include = constraint.include;
        index.nulls_not_distinct = constraint.nulls_not_distinct;
        const size_t built = ctx.Emit(
            {.key = key, .role = Role::Create, .phase = Phase::Create, .rank = RankOf(constraint),
             .object = ObjectOf(key), .action = '+',
             .summary = summary + ": unique index built concurrently",
             .sql = Concurrently(sqlgen::CreateIndex(index)),
             .hazards = {Hazard::IndexBuild, Hazard::MayFailOnExistingRows}, .loc = constraint.loc,
             .transactional = false});
        const size_t attached = ctx.Emit(
            {.key = key, .role = Role::Create, .phase = Phase::Create, .rank = RankOf(constraint),
             .object = ObjectOf(key), .action = '+', .summary = summary + ": added using the index",
             .sql = fmt::format("{} ADD CONSTRAINT {} {} USING INDEX {}{};", AlterTable(table.name),
                                QuoteIdent(constraint.name),
                                constraint.kind == ConstraintKind::PrimaryKey ? "PRIMARY KEY" : "UNIQUE",
                                QuoteIdent(constraint.name), sqlgen::DeferralSql(constraint.deferral)),
             .hazards = {Hazard::AccessExclusiveLock}, .loc = constraint.loc, .creates_object = true});
        ctx.builder.After(attached, built);
        return attached;
      }
      case ConstraintKind::Exclude: break;  // no USING INDEX for exclusion constraints
    }
  }
  return ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create,
                   .rank = RankOf(constraint), .object = ObjectOf(key), .action = '+',
                   .summary = summary, .sql = add,
                   .hazards = existing ? AddHazards(constraint.kind) : std::vector<Hazard>{},
                   .loc = constraint.loc, .creates_object = true});
}

void DiffConstraints(Context& ctx, const model::Table& live, const model::Table& target) {
  auto drop = [&](const model::Constraint& c, bool temporary, const std::string& reason) {
    const Key key{KeyKind::Constraint, live.name, c.name};
    ctx.Emit({.key = key, .role = Role::Remove, .phase = Phase::Drop, .rank = RankOf(c),
              .object = ObjectOf(key), .action = '-',
              .summary = fmt::format("{} {} on {}{}", KindName(c.kind), c.name, Display(live.name),
                                     reason),
              .sql = fmt::format("{} DROP CONSTRAINT {};", AlterTable(live.name),
                                 QuoteIdent(c.name)),
              .hazards = {Hazard::AccessExclusiveLock}, .temporary = temporary});
  };
  for (const model::Constraint& l : live.constraints) {
    if (ConstraintNamed(target, l.name) == nullptr) drop(l, false, "");
  }
  for (const model::Constraint& t : target.constraints) {
    const Key key{KeyKind::Constraint, target.name, t.name};
    const model::Constraint* l = ConstraintNamed(live, t.name);
    if (l == nullptr) {
      AddConstraintStep(ctx, target, t, true, "");
    } else if (ConstraintChanged(*l, t) || (!l->not_valid && t.not_valid) || ctx.Forced(key)) {
      // A valid constraint cannot be made NOT VALID in place: it is dropped and added again NOT
      // VALID (constraints hold no data).
      std::string reason = ConstraintChanged(*l, t) ? " (definition changed)"
                           : !l->not_valid && t.not_valid ? " (made NOT VALID)"
                                                          : ctx.ForcedReason(key);
      drop(*l, true, reason + "; dropped");
      AddConstraintStep(ctx, target, t, true, reason + "; added again");
      ctx.MarkRecreated(key);
    } else if (l->not_valid && !t.not_valid) {
      ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = RankOf(t),
                .object = ObjectOf(key), .action = '~',
                .summary = fmt::format("{} {} on {}: validated", KindName(t.kind), t.name,
                                       Display(target.name)),
                .sql = fmt::format("{} VALIDATE CONSTRAINT {};", AlterTable(target.name),
                                   QuoteIdent(t.name)),
                .hazards = {Hazard::ValidatesConstraint, Hazard::MayFailOnExistingRows},
                .loc = t.loc});
    }
    bool fresh = l == nullptr || ctx.Recreated(key);
    EmitComment(ctx, key, ObjectOf(key), fresh ? nullptr : &l->comment, t.comment,
                [&] { return sqlgen::CommentOnConstraint(target, t); }, t.loc);
  }
}

}  // namespace schemac::diff::internal
