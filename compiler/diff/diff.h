// The diff engine: what to run, in which order, to turn one model into another.
//
// Pure: no database. Both inputs are model::Catalog values; `from` is what a live database holds
// (read by runtime/catalog), `to` is the target (compiled, then normalized through PostgreSQL by
// runtime/plan), so embedded SQL (defaults, checks, predicates, view queries, policy expressions,
// function bodies) is compared by exact text.
//
// Usage:
//   diff::Plan plan = diff::Diff(live, target);
//   for (const diff::Step& step : plan.steps) {
//     if (step.requires_allow_drop && !allow_drop) continue;   // withheld
//     Execute(step.sql);
//   }
//   for (const diff::Unsupported& u : plan.unsupported) Warn(u.message);
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/base/source.h"
#include "compiler/model/model.h"

namespace schemac::diff {

// What can go wrong when a step runs on a database in use (registry: hazards.def).
enum class Hazard {
#define SCHEMAC_HAZARD(name, id, description) name,
#include "compiler/diff/hazards.def"
};

// "deletes-data", "rewrites-table", ...: stable ids for output formats and tests.
std::string_view HazardId(Hazard hazard);
// One sentence: what the hazard means.
std::string_view HazardDescription(Hazard hazard);
// Every hazard, in registry order.
const std::vector<Hazard>& AllHazards();

// The single definition of "destructive": the step destroys stored data. True exactly when
// `hazards` holds Hazard::DeletesData (drops of tables, columns, sequences, materialized views,
// schemas that hold tables, types in use; lossy type changes; enum value removal).
bool IsDestructive(const std::vector<Hazard>& hazards);

// One SQL statement of a plan.
struct Step {
  // One statement, ending in ';'.
  std::string sql;
  // The object it changes. Columns are reported as their table; constraints, triggers and
  // policies as "table.name" in the table's schema (model::ObjectId's convention); functions by
  // signature ("f(integer)").
  model::ObjectId object;
  // '+' create, '~' alter, '-' drop, '>' rename.
  char action = '~';
  // For people: "column public.users.email: type character varying(50) -> text".
  std::string summary;
  // IsDestructive(hazards).
  bool destructive = false;
  // Withheld unless the user passes --allow-drop: the step is destructive, or it must run together
  // with a destructive step (a view dropped and recreated around a lossy column type change, the
  // type dropped after the column that used it). Invariant: no step without this flag ever has to
  // run after a step with it, so the steps without it, in order, are a complete plan of their own,
  // and all steps in order are one too. The flagged steps come last in `steps`.
  bool requires_allow_drop = false;
  // For a step flagged requires_allow_drop that is not destructive itself: the index in
  // Plan::steps of the destructive step that ties it down.
  std::optional<size_t> tied_to;
  // False for ALTER TYPE ... ADD VALUE. PostgreSQL runs it inside a transaction, but the new value
  // cannot be used (in a default, a check, a view, a row) before that transaction commits, so the
  // runtime must commit it before the steps that follow. Everything else is transactional.
  bool transactional = true;
  // Runs in the validate stage, after every expand step: VALIDATE CONSTRAINT of a constraint added
  // NOT VALID, and what waits for it (SET NOT NULL through a validated check). Such a step only
  // depends on steps before it, and no step without the flag depends on it.
  bool validate = false;
  std::vector<Hazard> hazards;  // sorted, no duplicates
  // The `.schema` location of the target object; invalid for drops of objects the target lacks.
  base::Loc loc;
};

// A change the diff found but cannot carry out (e.g. a partition bound change, which needs DETACH
// and ATTACH). Never silent: the plan lists it, and after an apply the database still differs
// from the target in exactly this respect.
struct Unsupported {
  model::ObjectId object;
  std::string message;  // "partition bound of public.t_p1 changed: not supported ..."
  base::Loc loc;
};

struct Plan {
  std::vector<Step> steps;  // in execution order
  std::vector<Unsupported> unsupported;  // sorted by object, then message
  bool Empty() const { return steps.empty() && unsupported.empty(); }
};

// The steps that turn `from` (the live database's model) into `to` (the target). Both must be
// canonical models of PostgreSQL 15 objects (sorted as model.h says). Deterministic: the same
// inputs give the same plan, byte for byte. Diff(x, x) is empty.
//
// Order: steps without requires_allow_drop first, then the ones with it; within each part, drops
// of objects that are in the way (dependents of changed objects, reverse dependency order), then
// renames (from `renamed_from` only: a target object renamed from a live object the target lacks,
// while its new name is free), then creates and alters in dependency order (types, sequences,
// functions, tables and columns, constraints, foreign keys, indexes, views, triggers, row level
// security, policies, comments, grants), then drops of objects the target no longer has.
//
// With `options.online`, changes to tables that already exist (and are not partitioned) use the
// techniques that keep the table available (docs/safety.md): CREATE/DROP INDEX CONCURRENTLY
// (own transaction; a changed index is built under a new name before the old one is dropped),
// CHECK and FOREIGN KEY added NOT VALID and validated in the validate stage, SET NOT NULL through
// a validated CHECK, UNIQUE and PRIMARY KEY through a concurrently built unique index (ADD
// CONSTRAINT ... USING INDEX). Tables created by the same plan are empty and get plain DDL.
//
// `has_cast` says whether PostgreSQL can convert a value of one type to another (an explicit cast:
// pg_cast, binary coercion, I/O conversion to or from a string type, arrays element by element).
// The compiler has no database: the runtime answers from the live one (runtime/plan). A column
// whose type changes to one it has no cast to cannot be converted in place (ALTER COLUMN TYPE
// fails, "cannot cast type bigint to timestamp"): it is dropped and added again, a destructive
// step (its values are lost; docs/safety.md). Unset, or true for a pair it does not know (a type
// the live database does not have yet), means convertible.
struct DiffOptions {
  bool online = false;
  std::function<bool(const model::TypeName& from, const model::TypeName& to)> has_cast;
};
Plan Diff(const model::Catalog& from, const model::Catalog& to, const DiffOptions& options = {});

// The plan as a readable listing: one line per step (`+`/`~`/`-`/`>` and the summary, with
// "[destructive]", "[needs --allow-drop]" and hazard ids), then the SQL. For tests and debugging;
// the CLI formats plans itself.
std::string Format(const Plan& plan);

}  // namespace schemac::diff
