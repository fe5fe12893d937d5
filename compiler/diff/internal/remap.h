// Name rewriting for renames (remap.cpp). Internal to compiler/diff.
#pragma once

#include <functional>

#include "compiler/model/model.h"

namespace schemac::diff::internal {

// What a name in a catalog names: renames apply to one kind of use (a table rename also renames
// the table's row type, which is a Type use).
enum class Use { Relation, Type, Routine, Index, Schema };

using NameFn = std::function<void(model::QualifiedName&, Use)>;

// The use a grant or dependency of `kind` makes of its object's name.
Use UseOf(model::ObjectKind kind);
// Calls `fn` on every object name and reference of `catalog` (objects, foreign key targets,
// partition parents, index tables, column and argument types, trigger functions, owned-by
// tables, grants, deps), then fixes the function signatures that grants and deps spell out, since
// they embed argument type names.
void Remap(model::Catalog& catalog, const NameFn& fn);

}  // namespace schemac::diff::internal
