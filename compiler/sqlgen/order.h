// The order in which CreateAll creates objects. Internal to compiler/sqlgen.
#pragma once

#include <cstddef>
#include <vector>

#include "compiler/model/model.h"

namespace schemac::sqlgen {

// The objects whose order depends on their dependencies. Schemas and extensions come before all of
// them; triggers, row level security, policies, comments and grants after all of them.
enum class StepKind {
  Enum, Domain, CompositeType, Sequence, Function, Table, ForeignKey, SequenceOwnedBy, Index, View
};

struct Step {
  StepKind kind = StepKind::Table;
  // Into the catalog vector of `kind`; for ForeignKey into `tables`, for SequenceOwnedBy into
  // `sequences`.
  size_t index = 0;
  // ForeignKey only: into tables[index].constraints. A ForeignKey step adds a constraint after
  // CREATE TABLE: a foreign key, or a NOT VALID check.
  size_t constraint = 0;
};

struct CreationOrder {
  std::vector<Step> steps;
  // inline_constraints[t][c] tells whether tables[t].constraints[c] is written inside CREATE TABLE.
  // It is false only for the constraints that have a ForeignKey step of their own (foreign keys
  // added afterwards, and every NOT VALID constraint).
  std::vector<std::vector<bool>> inline_constraints;
};

// Orders the catalog's objects so that each comes after everything it depends on (the `deps`
// vectors, partition parents, index tables), grouped by kind where the dependencies allow: types,
// sequences, functions, tables, foreign keys added afterwards, OWNED BY, indexes, views. Ties are
// broken by name, so the order is deterministic.
//
// A foreign key is written inside CREATE TABLE when the referenced table comes earlier (or is the
// table itself). Tables are ordered to make that true where possible; where foreign keys form a
// cycle, the first table of the cycle by name is created first and the keys that point forward
// become ALTER TABLE ... ADD CONSTRAINT steps. A foreign key that relies on a unique index rather
// than a constraint is always added after that index. A NOT VALID constraint (foreign key or
// check) is always added after its table: CREATE TABLE ignores NOT VALID. A dependency cycle that should not occur
// (between views, say) is broken in name order; ordering always terminates.
CreationOrder OrderCreation(const model::Catalog& catalog);

}  // namespace schemac::sqlgen
