// PlanBuilder: collects the steps of a plan with what ordering needs to know about them, then
// orders them (order.cpp). Internal to compiler/diff.
//
// Every step belongs to one object Key and has a Role on it:
//   Rename    `ALTER ... RENAME` / `SET SCHEMA`: the object gets its target name;
//   Remove    drop-side steps: drops, and temporary removals undone later (a default dropped around
//             a type change, a view dropped around a change of a column it reads);
//   Create    create-side steps: creates and alters;
//   Decorate  comments and grants, which only need the object to exist under its target name.
// Per key the roles run in that order. Dependencies between objects become edges (order.cpp):
// target dependencies order creates, live dependencies order removes, and a removal of something
// an altered object stops using waits for that alter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diff/diff.h"
#include "compiler/model/model.h"

namespace schemac::diff::internal {

// The identity of an object for ordering. Columns, constraints, triggers and policies are keyed by
// their table (`name`) and their own name (`sub`); routines by schema and signature.
enum class KeyKind : uint8_t {
  Schema, Extension, Type, Sequence, Routine, Table, Column, Constraint, Index, View, Trigger,
  Policy, Collation
};

struct Key {
  KeyKind kind = KeyKind::Table;
  model::QualifiedName name;
  std::string sub;
  friend auto operator<=>(const Key&, const Key&) = default;
};

// Coarse position in the plan, used to break ties between steps the dependencies leave unordered.
enum class Phase : uint8_t { Rename, Drop, Create, LateDrop };

// Grouping inside a phase, in the order objects are created.
enum class Rank : uint8_t {
  Schema, Extension, Type, Sequence, Function, Table, Column, Constraint, ForeignKey, Index, View,
  Trigger, Rls, Policy, Comment, Grant
};

enum class Role : uint8_t { Rename, Remove, Create, Decorate };

// One step while the plan is being built.
struct PendingStep {
  Step step;
  Key key;
  Role role = Role::Create;
  Phase phase = Phase::Create;
  Rank rank = Rank::Table;
  // Remove steps that a later Create step of the same key undoes: if that Create step is
  // withheld, so is this one (otherwise the object would just disappear).
  bool temporary = false;
  // Create steps that bring the object into existence (CREATE, or ADD COLUMN). Decorations wait
  // only for these (and renames), not for every alter.
  bool creates_object = false;
  std::vector<size_t> after;  // explicit predecessors (indices of PendingStep)
  // Steps this one is withheld together with, whichever way the dependencies run.
  std::vector<size_t> gate_with;
};

class PlanBuilder {
 public:
  // Adds a step; returns its index. Hazards are sorted and `destructive` is derived from them.
  size_t Add(PendingStep pending);
  // `later` runs after `earlier` (ignored when either is nullopt).
  void After(std::optional<size_t> later, std::optional<size_t> earlier);
  // `step` is withheld whenever `partner` is.
  void GateWith(size_t step, size_t partner) { steps_[step].gate_with.push_back(partner); }
  // The step runs in the validate stage (Step::validate).
  void MarkValidate(size_t step) { steps_[step].step.validate = true; }
  void Report(model::ObjectId object, std::string message, base::Loc loc);

  const std::vector<PendingStep>& steps() const { return steps_; }
  // The steps of `key` with `role`, in the order they were added.
  const std::vector<size_t>& StepsOf(const Key& key, Role role) const;
  // Every key that has steps, sorted.
  std::vector<Key> Keys() const;

  // Orders the steps (order.cpp). `link` has already added the dependency edges.
  Plan Finish();

 private:
  std::vector<PendingStep> steps_;
  std::map<std::pair<Key, Role>, std::vector<size_t>> by_key_;
  std::vector<Unsupported> unsupported_;
};

}  // namespace schemac::diff::internal
