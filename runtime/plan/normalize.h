// Normalization: the target model with every piece of embedded SQL in PostgreSQL's canonical form.
//
// The target is created in a scratch database on the dev server (runtime/devdb) and read back with
// the same introspection that reads the live database, so both sides of a diff are printed by the
// same server functions (pg_get_expr, pg_get_viewdef, ...). What the database cannot know is carried
// over from the compiled target by object identity: source locations (so every step can name its
// `.schema` line), `renamed from`, and dependencies.
#pragma once

#include <string>
#include <vector>

#include "compiler/model/model.h"
#include "runtime/devdb/devdb.h"

namespace schemac::plan {

// Throws pg::DbError when the target does not load (the error carries the failing statement).
model::Catalog Normalize(const model::Catalog& target, devdb::DevServer& server);

// Copies locations, renamed_from and deps from `from` onto the same objects in `to`, and leaves an
// extension's version and schema unset where `from` does not state them.
void CarryOver(const model::Catalog& from, model::Catalog& to);

}  // namespace schemac::plan
