// Normalization: the target model with every piece of embedded SQL in PostgreSQL's canonical form.
//
// The target is created in a scratch database on the dev server (runtime/devdb) and read back with
// the same introspection that reads the live database, so both sides of a diff are printed by the
// same server functions (pg_get_expr, pg_get_viewdef, ...). What the database cannot know is carried
// over from the compiled target by object identity: source locations (so every step can name its
// `.schema` line), `renamed from`, and dependencies.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compiler/model/model.h"
#include "runtime/devdb/devdb.h"
#include "runtime/pg/connection.h"

namespace schemac::plan {

// Throws pg::DbError when the target does not load (the error carries the failing statement).
model::Catalog Normalize(const model::Catalog& target, devdb::DevServer& server);

class NormalizationCache;

struct NormalizeStats {
  size_t objects = 0;     // units of the target (one per object)
  size_t cached = 0;      // taken from the cache
  size_t normalized = 0;  // created in the dev database (misses, or everything after a fallback)
  bool full = false;      // the whole target went through the dev database
  bool dev_server_used = false;
  // Wall time of the parts: keys, cache lookups (reading the cached objects), dev database, assembly.
  double keys_seconds = 0, lookup_seconds = 0, dev_seconds = 0, assemble_seconds = 0;
};

// Normalize, through `cache` (runtime/plan/normalize_cache.h): objects whose key is cached are
// taken from it, the rest is created in the dev database together with what it needs, and the
// results are added to the cache. `server` is called only when something must be created, so a
// plan whose objects are all cached starts no dev server. `server_identity` names the dev server's
// PostgreSQL (part of every key). The result is what Normalize(target, server()) returns.
model::Catalog NormalizeCached(const model::Catalog& target, NormalizationCache& cache,
                               const std::string& server_identity,
                               const std::function<devdb::DevServer&()>& server, NormalizeStats* stats);

// Runs `statements` in order, a few hundred per transaction (creating thousands of tables in one
// transaction exhausts the lock table).
void ExecInBatches(pg::Connection& conn, const std::vector<std::string>& statements);

// Copies locations, renamed_from and deps from `from` onto the same objects in `to`, and leaves an
// extension's version and schema unset where `from` does not state them.
void CarryOver(const model::Catalog& from, model::Catalog& to);

}  // namespace schemac::plan
