// The state of one Diff() call, shared by the per-kind differs. Internal to compiler/diff.
//
// Flow (diff.cpp): ResolveRenames emits the renames and rewrites `live` as PostgreSQL will show it
// after them; Decide (dependents.cpp) works out which objects must be dropped and created again
// because something they depend on changes; the per-kind differs emit steps; Link (order.cpp)
// adds the dependency edges; PlanBuilder::Finish orders the steps.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/diff/internal/builder.h"
#include "compiler/diff/internal/catalog_index.h"
#include "compiler/model/model.h"

namespace schemac::diff::internal {

using ColumnRef = std::pair<QualifiedName, std::string>;  // table, column

// What one step looks like, for Context::Emit.
struct StepSpec {
  Key key = {};
  Role role = Role::Create;
  Phase phase = Phase::Create;
  Rank rank = Rank::Table;
  model::ObjectId object = {};
  char action = '~';
  std::string summary = {};
  std::string sql = {};
  std::vector<Hazard> hazards = {};
  base::Loc loc = {};
  bool temporary = false;
  bool creates_object = false;
  bool transactional = true;
  bool validate = false;
};

// Objects that must be dropped and created again although their own definition may not change,
// because something they depend on is recreated, retyped or removed (dependents.cpp).
struct Recreations {
  std::set<Key> keys;  // views, routines, triggers, policies, indexes, constraints
  std::set<ColumnRef> reset_defaults;      // DROP DEFAULT before, SET DEFAULT after
  // Columns dropped and added again: generated columns whose expression changes or that read a
  // recreated column, and columns whose type change has no cast (ColumnCannotConvert).
  std::set<ColumnRef> recreate_generated;
  std::map<Key, std::string> reasons;      // "reads public.t.c, whose type changes"
  // Tables dropped and created again (PostgreSQL cannot change their partitioning in place; a
  // partition whose parent is recreated, or that leaves its parent), with the reason.
  std::map<QualifiedName, std::string> tables;
};

class Context {
 public:
  Context(const model::Catalog& from, const model::Catalog& to);

  // The live model with this plan's renames applied (rename.cpp), and the target. The live model
  // is copied only when a rename rewrites it.
  const model::Catalog& live() const { return live_copy_ ? *live_copy_ : from_; }
  model::Catalog& MutableLive() {
    if (!live_copy_) live_copy_ = from_;
    return *live_copy_;
  }
  const model::Catalog& target;
  DiffOptions options;
  std::unique_ptr<CatalogIndex> live_index;
  std::unique_ptr<CatalogIndex> target_index;
  PlanBuilder builder;
  Recreations recreations;
  // Live objects whose target counterpart is renamed from them, by new key.
  std::set<Key> renamed;
  // Edges to steps that may not be emitted yet: step `first` runs after every step of `second`
  // with role `third` (resolved by Link).
  std::vector<std::tuple<size_t, Key, Role>> after_steps_of;
  // The reverse: every step of `first` with role `second` runs after step `third`.
  std::vector<std::tuple<Key, Role, size_t>> before_steps_of;

  size_t Emit(StepSpec spec);
  void Report(model::ObjectId object, std::string message, base::Loc loc) {
    builder.Report(std::move(object), std::move(message), loc);
  }

  // Whether `key` is dropped and created again by this plan (so its grants and comments are
  // gone and must be restored from the target).
  bool Recreated(const Key& key) const { return recreated_.contains(key); }
  void MarkRecreated(const Key& key) { recreated_.insert(key); }
  bool Forced(const Key& key) const { return recreations.keys.contains(key); }
  bool TableRecreated(const QualifiedName& table) const {
    return recreations.tables.contains(table);
  }
  // " (recreated: <reason>)" for a forced recreation, empty otherwise.
  std::string ForcedReason(const Key& key) const;

 private:
  const model::Catalog& from_;
  std::optional<model::Catalog> live_copy_;
  std::set<Key> recreated_;
};

// ---- the phases, one per file -------------------------------------------------------------------

// rename.cpp: renames from `renamed_from` (and derived names of constraints and indexes that
// follow a renamed table or column); rewrites ctx.live; builds the catalog indexes.
void ResolveRenames(Context& ctx);
// dependents.cpp: fills ctx.recreations.
void Decide(Context& ctx);
// schema_diff.cpp
void DiffSchemas(Context& ctx);
void DiffExtensions(Context& ctx);
// collation_diff.cpp
void DiffCollations(Context& ctx);
// type_diff.cpp
void DiffEnums(Context& ctx);
void DiffDomains(Context& ctx);
void DiffCompositeTypes(Context& ctx);
// sequence_diff.cpp
void DiffSequences(Context& ctx);
// table_diff.cpp (columns: column_diff.cpp, constraints: constraint_diff.cpp)
void DiffTables(Context& ctx);
// column_diff.cpp, constraint_diff.cpp: an existing table's columns and constraints.
void DiffColumns(Context& ctx, const model::Table& live, const model::Table& target);
void DiffConstraints(Context& ctx, const model::Table& live, const model::Table& target);
// constraint_diff.cpp: ALTER TABLE ... ADD CONSTRAINT for a constraint of `table`, with hazards for
// an existing table (`existing`) or a new one. Returns the step.
size_t AddConstraintStep(Context& ctx, const model::Table& table,
                         const model::Constraint& constraint, bool existing, std::string reason);
// inherit_diff.cpp: INHERIT / NO INHERIT of an existing table.
void DiffInheritance(Context& ctx, const model::Table& live, const model::Table& target);
// inherit_diff.cpp: the columns `table` inherits (its ancestors' local columns), each with the
// ancestors that declare it.
std::map<std::string, std::vector<QualifiedName>> InheritedColumns(const CatalogIndex& index,
                                                                   const model::Table& table);
// inherit_diff.cpp: the tables of `catalog` that inherit from `table`, directly or not.
std::vector<QualifiedName> Descendants(const model::Catalog& catalog, const QualifiedName& table);
// inherit_diff.cpp: the key of a table's INHERIT / NO INHERIT steps: a key of its own, so that
// they can wait for the table's new columns (whose steps wait for the table's own).
Key InheritanceKey(const QualifiedName& table);
// inherit_diff.cpp: whether any table of `catalog` inherits.
bool AnyInheritance(const model::Catalog& catalog);
// index_diff.cpp
void DiffIndexes(Context& ctx);
// view_diff.cpp
void DiffViews(Context& ctx);
// function_diff.cpp
void DiffFunctions(Context& ctx);
// trigger_policy_diff.cpp
void DiffTriggers(Context& ctx);
void DiffPolicies(Context& ctx);
// grant_diff.cpp
void DiffGrants(Context& ctx);
// order.cpp: dependency edges between the emitted steps.
void Link(Context& ctx);

// ---- shared predicates (each defined next to the differ of its kind) ----------------------------

// view_diff.cpp: anything but the comment differs.
bool ViewChanged(const model::View& live, const model::View& target);
// function_diff.cpp: CREATE OR REPLACE cannot make `live` into `target` (kind, result type,
// argument names, removed argument defaults).
bool RoutineNeedsDrop(const model::Function& live, const model::Function& target);
// type_diff.cpp: the live values are not a prefix-preserving subsequence of the target's (a value
// was removed or the order changed), so ADD VALUE cannot do it.
bool EnumNeedsRecreate(const model::Enum& live, const model::Enum& target);
// type_diff.cpp: the base type or collation changed (ALTER DOMAIN cannot change either).
bool DomainNeedsRecreate(const model::Domain& live, const model::Domain& target);
// table_diff.cpp: the partition strategy or key differs, or one side is partitioned and the other
// is not (PostgreSQL cannot change either in place: the table is recreated).
bool PartitioningChanged(const model::Table& live, const model::Table& target);
// column_diff.cpp: the column's type or collation changes (ALTER COLUMN ... TYPE).
bool ColumnRetyped(const model::Column& live, const model::Column& target);
// column_diff.cpp: the column's type changes to one PostgreSQL has no cast to (options.has_cast):
// the column is dropped and added again (destructive).
bool ColumnCannotConvert(const Context& ctx, const model::Column& live, const model::Column& target);
// column_diff.cpp: the generated expression changes, or the column becomes generated: the
// column is dropped and added again.
bool GeneratedColumnRecreated(const model::Column& live, const model::Column& target);
// constraint_diff.cpp: the definition differs (drop + add).
bool ConstraintChanged(const model::Constraint& live, const model::Constraint& target);
// index_diff.cpp: the definition differs, or the live index is invalid (drop + create).
bool IndexChanged(const model::Index& live, const model::Index& target);
// index_diff.cpp: CREATE INDEX text with the index name left out, for comparisons.
std::string IndexDefinition(const model::Index& index);
// The statements that turn the storage parameters `live` into `target` on `relation` ("ALTER TABLE
// t" / "ALTER INDEX i"): one SET of the new and changed ones, one RESET of the removed ones; none
// when they are equal. Setting a parameter never rewrites: it applies to pages written later.
std::vector<std::string> StorageChanges(const std::string& relation,
                                        const std::vector<std::pair<std::string, std::string>>& live,
                                        const std::vector<std::pair<std::string, std::string>>& target);

// ---- small shared helpers (context.cpp) ---------------------------------------------------------

model::ObjectId ObjectOf(const Key& key);
// "public.users", "public.users.email", "f(integer)".
std::string Display(const QualifiedName& name);
std::string Display(const Key& key);
// The key of a routine: schema and signature.
Key RoutineKey(const model::Function& function);
// The index name with its schema filled in from the table.
QualifiedName IndexName(const model::Index& index);
// The column or constraint of `table` named `name`, or null (a scan: tables are small).
const model::Column* ColumnNamed(const model::Table& table, const std::string& name);
const model::Constraint* ConstraintNamed(const model::Table& table, const std::string& name);
// Whether the online techniques apply to `table`: options.online, the table exists in the live
// database and is not partitioned (PostgreSQL builds no index CONCURRENTLY and adds no NOT VALID
// constraint on a partitioned table).
bool Online(const Context& ctx, const QualifiedName& table);
// `sql` (a CREATE [UNIQUE] INDEX statement) with CONCURRENTLY after INDEX.
std::string Concurrently(const std::string& create_index);
// `sql` (a statement ending in ';') with " NOT VALID" before the ';'.
std::string NotValid(const std::string& sql);
// A name of at most 63 bytes: `base` cut short where needed, then `suffix`.
std::string TempName(const std::string& base, const std::string& suffix);
// "ALTER TABLE "s"."t"" (for partitioned and plain tables alike).
std::string AlterTable(const QualifiedName& table);
// A comment step when the comment differs. `live_comment` is null when the object is new or
// recreated (its comment, if any, is gone). `sql` renders the COMMENT ON statement for the target
// (only called when there is a step to make).
void EmitComment(Context& ctx, const Key& key, const model::ObjectId& object,
                 const std::optional<std::string>* live_comment,
                 const std::optional<std::string>& target_comment,
                 const std::function<std::string()>& sql, base::Loc loc);
// Whether the live side of `key` mentions `column` of `table` in (texts or column lists).
bool UsesColumn(const CatalogIndex& index, const Key& user, const QualifiedName& table,
                const std::string& column);

}  // namespace schemac::diff::internal
