// Normalization through the cache: only objects whose key is not cached go to the dev database,
// together with what they need to be created (see normalize.h for the contract).
//
// Units: every object of the target (extension, schema, type, sequence, table, index, view,
// function, trigger, policy, grant) is one unit. Its key hashes the dev server's identity, the
// extensions and schemas of the target, the unit's own JSON and the JSON of every unit its
// canonical form can depend on (its "context": the types of a table's columns and the functions
// and sequences its defaults call, the table of an index, the relations a view reads, ...). A
// table's foreign key targets are not context: the canonical form of a foreign key does not depend
// on the table it references, and following them would make every table depend on most others.
//
// A run with misses creates the missed units and their context in one scratch database. Context
// tables are created without their foreign keys (a missed table keeps its own: their targets are
// added as context), so the closure stays small. What the dev database reports for a missed unit
// becomes that unit's cache entry, a catalog fragment: the object itself plus what PostgreSQL
// creates along with it (the sequence of a serial column). When anything does not add up (the
// partial script fails, or an object cannot be matched to its unit) the whole target is normalized
// instead, as without a cache.
#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "compiler/base/hash.h"
#include "compiler/model/serialize.h"
#include "compiler/sqlgen/sqlgen.h"
#include "runtime/catalog/introspect.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/normalize.h"
#include "runtime/plan/normalize_cache.h"

namespace schemac::plan {

namespace {

using model::ObjectKind;
using model::QualifiedName;

// Bump when introspection or normalization changes what it produces for the same input.
constexpr const char* kCacheFormat = "schemac-normalize-7";

using Hasher = base::StableHasher;

// Runs fn(begin, end) over [0, n) in contiguous chunks, one per core (at most 4), and waits for all
// of them. fn must only write what its own range owns. Used for the per-unit work of a large target
// (keys, cache entries), where the live database is being read in parallel anyway.
void ParallelChunks(size_t n, const std::function<void(size_t, size_t)>& fn) {
  const size_t threads = std::max<size_t>(1, std::min<size_t>(4, std::thread::hardware_concurrency()));
  if (threads == 1 || n < 2048) {
    fn(0, n);
    return;
  }
  const size_t chunk = (n + threads - 1) / threads;
  std::vector<std::future<void>> rest;
  for (size_t begin = chunk; begin < n; begin += chunk) {
    rest.push_back(std::async(std::launch::async, fn, begin, std::min(n, begin + chunk)));
  }
  fn(0, std::min(n, chunk));
  for (auto& f : rest) f.get();  // rethrows
}

// ---- units ----------------------------------------------------------------------------------------

enum class K : uint8_t {
  Extension, Schema, Enum, Domain, Composite, Sequence, Table, Index, View, Function, Trigger, Policy, Grant,
  Collation
};

struct Unit {
  K kind;
  size_t index;  // into the catalog's vector of that kind
};

std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    out += p;
    out += '\x1f';
  }
  return out;
}

// Identity strings: equal for the target object and the object the dev database reports for it.
std::string Id(K k, const QualifiedName& n) { return Join({std::string(1, char('a' + int(k))), n.schema, n.name}); }
std::string IdOf(const model::Extension& e) { return Id(K::Extension, {"", e.name}); }
std::string IdOf(const model::Schema& s) { return Id(K::Schema, {"", s.name}); }
std::string IdOf(const model::Enum& e) { return Id(K::Enum, e.name); }
std::string IdOf(const model::Collation& c) { return Id(K::Collation, c.name); }
std::string IdOf(const model::Domain& d) { return Id(K::Domain, d.name); }
std::string IdOf(const model::CompositeType& c) { return Id(K::Composite, c.name); }
std::string IdOf(const model::Sequence& s) { return Id(K::Sequence, s.name); }
std::string IdOf(const model::Table& t) { return Id(K::Table, t.name); }
std::string IdOf(const model::Index& i) { return Id(K::Index, {i.table.schema, i.name.name}); }
std::string IdOf(const model::View& v) { return Id(K::View, v.name); }
std::string IdOf(const model::Function& f) { return Id(K::Function, {f.name.schema, f.Signature()}); }
std::string IdOf(const model::Trigger& t) { return Join({"trigger", t.table.schema, t.table.name, t.name}); }
std::string IdOf(const model::Policy& p) { return Join({"policy", p.table.schema, p.table.name, p.name}); }
// Not the object kind: the catalog reports grants on sequences as table grants.
std::string IdOf(const model::Grant& g) {
  return Join({"grant", g.object.schema, g.object.name, g.column.value_or("\x1e"), g.privilege, g.grantee});
}

// Calls fn(kind, index, object) for every object of `c`, in catalog order.
template <typename Fn>
void ForEachObject(const model::Catalog& c, Fn fn) {
  for (size_t i = 0; i < c.extensions.size(); ++i) fn(K::Extension, i, c.extensions[i]);
  for (size_t i = 0; i < c.schemas.size(); ++i) fn(K::Schema, i, c.schemas[i]);
  for (size_t i = 0; i < c.collations.size(); ++i) fn(K::Collation, i, c.collations[i]);
  for (size_t i = 0; i < c.enums.size(); ++i) fn(K::Enum, i, c.enums[i]);
  for (size_t i = 0; i < c.domains.size(); ++i) fn(K::Domain, i, c.domains[i]);
  for (size_t i = 0; i < c.composite_types.size(); ++i) fn(K::Composite, i, c.composite_types[i]);
  for (size_t i = 0; i < c.sequences.size(); ++i) fn(K::Sequence, i, c.sequences[i]);
  for (size_t i = 0; i < c.tables.size(); ++i) fn(K::Table, i, c.tables[i]);
  for (size_t i = 0; i < c.indexes.size(); ++i) fn(K::Index, i, c.indexes[i]);
  for (size_t i = 0; i < c.views.size(); ++i) fn(K::View, i, c.views[i]);
  for (size_t i = 0; i < c.functions.size(); ++i) fn(K::Function, i, c.functions[i]);
  for (size_t i = 0; i < c.triggers.size(); ++i) fn(K::Trigger, i, c.triggers[i]);
  for (size_t i = 0; i < c.policies.size(); ++i) fn(K::Policy, i, c.policies[i]);
  for (size_t i = 0; i < c.grants.size(); ++i) fn(K::Grant, i, c.grants[i]);
}

// Appends object `index` of kind `k` of `from` to the matching vector of `to`.
void CopyObject(const model::Catalog& from, K k, size_t i, model::Catalog& to) {
  switch (k) {
    case K::Extension: to.extensions.push_back(from.extensions[i]); break;
    case K::Schema: to.schemas.push_back(from.schemas[i]); break;
    case K::Collation: to.collations.push_back(from.collations[i]); break;
    case K::Enum: to.enums.push_back(from.enums[i]); break;
    case K::Domain: to.domains.push_back(from.domains[i]); break;
    case K::Composite: to.composite_types.push_back(from.composite_types[i]); break;
    case K::Sequence: to.sequences.push_back(from.sequences[i]); break;
    case K::Table: to.tables.push_back(from.tables[i]); break;
    case K::Index: to.indexes.push_back(from.indexes[i]); break;
    case K::View: to.views.push_back(from.views[i]); break;
    case K::Function: to.functions.push_back(from.functions[i]); break;
    case K::Trigger: to.triggers.push_back(from.triggers[i]); break;
    case K::Policy: to.policies.push_back(from.policies[i]); break;
    case K::Grant: to.grants.push_back(from.grants[i]); break;
  }
}

// Appends every object of `fragment` to `to`.
void Append(model::Catalog& to, model::Catalog&& f) {
  auto move_all = [](auto& dst, auto& src) {
    for (auto& x : src) dst.push_back(std::move(x));
  };
  move_all(to.extensions, f.extensions);
  move_all(to.schemas, f.schemas);
  move_all(to.collations, f.collations);
  move_all(to.enums, f.enums);
  move_all(to.domains, f.domains);
  move_all(to.composite_types, f.composite_types);
  move_all(to.sequences, f.sequences);
  move_all(to.tables, f.tables);
  move_all(to.indexes, f.indexes);
  move_all(to.views, f.views);
  move_all(to.functions, f.functions);
  move_all(to.triggers, f.triggers);
  move_all(to.policies, f.policies);
  move_all(to.grants, f.grants);
}

class Graph {
 public:
  explicit Graph(const model::Catalog& c) : c_(c) {
    ForEachObject(c, [this](K k, size_t i, const auto& object) {
      ids_.emplace(IdOf(object), units_.size());
      units_.push_back({k, i});
    });
  }

  const std::vector<Unit>& units() const { return units_; }

  std::optional<size_t> Find(const std::string& id) const {
    auto it = ids_.find(id);
    return it == ids_.end() ? std::nullopt : std::optional<size_t>(it->second);
  }

  // The units a dependency names (a dependency on a type may be recorded under another type kind;
  // one on a table may name a view).
  void Resolve(const model::ObjectId& dep, std::vector<size_t>& out) const {
    auto add = [&](K k, const QualifiedName& n) {
      if (auto u = Find(Id(k, n))) {
        out.push_back(*u);
        return true;
      }
      return false;
    };
    switch (dep.kind) {
      case ObjectKind::Enum:
      case ObjectKind::Domain:
      case ObjectKind::CompositeType:
        add(K::Enum, dep.name) || add(K::Domain, dep.name) || add(K::Composite, dep.name) ||
            add(K::Table, dep.name) || add(K::View, dep.name);
        break;
      case ObjectKind::Sequence: add(K::Sequence, dep.name); break;
      case ObjectKind::Table:
      case ObjectKind::View:
      case ObjectKind::MaterializedView:
        add(K::Table, dep.name) || add(K::View, dep.name) || add(K::Sequence, dep.name);
        break;
      case ObjectKind::Function:
      case ObjectKind::Procedure: add(K::Function, dep.name); break;
      case ObjectKind::Extension: add(K::Extension, {"", dep.name.name}); break;
      case ObjectKind::Schema: add(K::Schema, {"", dep.name.name}); break;
      case ObjectKind::Collation: add(K::Collation, dep.name); break;
      default: break;
    }
  }

  // What the canonical form of unit `u` can depend on. With `for_creation`, also what it needs to
  // be created at all (a missed table's foreign key targets, a sequence's owner, a grant's object).
  std::vector<size_t> Edges(size_t u, bool for_creation) const {
    std::vector<size_t> out;
    auto deps = [&](const std::vector<model::ObjectId>& ds) {
      for (const model::ObjectId& d : ds) Resolve(d, out);
    };
    auto table = [&](const QualifiedName& n) {
      if (auto t = Find(Id(K::Table, n))) out.push_back(*t);
    };
    const Unit& unit = units_[u];
    switch (unit.kind) {
      case K::Table: {
        const model::Table& t = c_.tables[unit.index];
        std::set<QualifiedName> fk_targets;
        for (const model::Constraint& k : t.constraints) {
          if (k.kind == model::ConstraintKind::ForeignKey) fk_targets.insert(k.ref_table);
        }
        for (const model::ObjectId& d : t.deps) {
          const bool relation = d.kind == ObjectKind::Table;
          if (relation && fk_targets.contains(d.name) && !(t.partition_of && *t.partition_of == d.name)) {
            if (for_creation) Resolve(d, out);
            continue;
          }
          Resolve(d, out);
        }
        if (t.partition_of) table(*t.partition_of);
        for (const QualifiedName& parent : t.inherits) table(parent);
        if (for_creation) {
          for (const QualifiedName& n : fk_targets) table(n);
        }
        break;
      }
      case K::Index: {
        const model::Index& i = c_.indexes[unit.index];
        table(i.table);
        deps(i.deps);
        break;
      }
      case K::View: deps(c_.views[unit.index].deps); break;
      case K::Function: deps(c_.functions[unit.index].deps); break;
      case K::Trigger: {
        const model::Trigger& t = c_.triggers[unit.index];
        table(t.table);
        if (auto f = Find(Id(K::Function, {t.function.schema, t.function.name + "()"}))) out.push_back(*f);
        deps(t.deps);
        break;
      }
      case K::Policy: {
        const model::Policy& p = c_.policies[unit.index];
        table(p.table);
        deps(p.deps);
        break;
      }
      case K::Domain: deps(c_.domains[unit.index].deps); break;
      case K::Composite: deps(c_.composite_types[unit.index].deps); break;
      case K::Sequence: {
        const model::Sequence& s = c_.sequences[unit.index];
        if (for_creation && s.owned_by_table) table(*s.owned_by_table);
        break;
      }
      case K::Grant: {
        if (!for_creation) break;
        const model::Grant& g = c_.grants[unit.index];
        const size_t before = out.size();
        for (K k : {K::Table, K::View, K::Sequence, K::Enum, K::Domain, K::Composite, K::Function}) {
          if (auto x = Find(Id(k, g.object))) out.push_back(*x);
        }
        if (out.size() == before) {
          if (auto x = Find(Id(K::Schema, {"", g.object.name}))) out.push_back(*x);
        }
        break;
      }
      case K::Extension:
      case K::Schema:
      case K::Collation:
      case K::Enum: break;
    }
    out.erase(std::remove(out.begin(), out.end(), u), out.end());
    return out;
  }

 private:
  const model::Catalog& c_;
  std::vector<Unit> units_;
  std::unordered_map<std::string, size_t> ids_;
};

std::string UnitJson(const model::Catalog& c, const Unit& u) {
  switch (u.kind) {
    case K::Extension: return model::ToJson(c.extensions[u.index]);
    case K::Schema: return model::ToJson(c.schemas[u.index]);
    case K::Collation: return model::ToJson(c.collations[u.index]);
    case K::Enum: return model::ToJson(c.enums[u.index]);
    case K::Domain: return model::ToJson(c.domains[u.index]);
    case K::Composite: return model::ToJson(c.composite_types[u.index]);
    case K::Sequence: return model::ToJson(c.sequences[u.index]);
    case K::Table: return model::ToJson(c.tables[u.index]);
    case K::Index: return model::ToJson(c.indexes[u.index]);
    case K::View: return model::ToJson(c.views[u.index]);
    case K::Function: return model::ToJson(c.functions[u.index]);
    case K::Trigger: return model::ToJson(c.triggers[u.index]);
    case K::Policy: return model::ToJson(c.policies[u.index]);
    case K::Grant: return model::ToJson(c.grants[u.index]);
  }
  return "";
}

// The cache key of every unit (see the file comment).
std::vector<std::string> Keys(const model::Catalog& target, const Graph& g, const std::string& server_identity) {
  const std::vector<Unit>& units = g.units();
  std::vector<std::string> own(units.size());
  std::vector<std::string> own_hash(units.size());
  ParallelChunks(units.size(), [&](size_t begin, size_t end) {
    for (size_t u = begin; u < end; ++u) {
      own[u] = UnitJson(target, units[u]);
      Hasher h;
      h.Add(own[u]);
      own_hash[u] = h.Hex();
    }
  });
  Hasher env;
  env.Add(kCacheFormat);
  env.Add(server_identity);
  for (const model::Extension& e : target.extensions) env.Add(model::ToJson(e));
  for (const model::Schema& s : target.schemas) env.Add(s.name);
  const std::string env_hash = env.Hex();

  std::vector<std::vector<size_t>> edges(units.size());
  for (size_t u = 0; u < units.size(); ++u) edges[u] = g.Edges(u, false);
  std::vector<std::string> keys(units.size());
  ParallelChunks(units.size(), [&](size_t begin, size_t end) {
    std::vector<size_t> seen(units.size(), SIZE_MAX);
    for (size_t u = begin; u < end; ++u) {
      // Everything reachable from u: its context, to any depth (cycles included).
      std::vector<std::string> context;
      std::vector<size_t> stack = edges[u];
      seen[u] = u;
      while (!stack.empty()) {
        const size_t v = stack.back();
        stack.pop_back();
        if (seen[v] == u) continue;
        seen[v] = u;
        context.push_back(own_hash[v]);
        for (size_t w : edges[v]) {
          if (seen[w] != u) stack.push_back(w);
        }
      }
      std::sort(context.begin(), context.end());
      Hasher h;
      h.Add(env_hash);
      h.Add(std::string(1, char('a' + int(units[u].kind))));
      h.Add(own[u]);
      for (const std::string& c : context) h.Add(c);
      keys[u] = h.Hex();
    }
  });
  return keys;
}

// The script for the missed units: them, and their context.
model::Catalog SubCatalog(const model::Catalog& target, const Graph& g, const std::vector<bool>& missed,
                          std::vector<bool>& included) {
  const std::vector<Unit>& units = g.units();
  included.assign(units.size(), false);
  std::vector<size_t> stack;
  for (size_t u = 0; u < units.size(); ++u) {
    // Schemas and extensions are always there: cheap, and what names resolve against.
    if (missed[u] || units[u].kind == K::Schema || units[u].kind == K::Extension) stack.push_back(u);
  }
  while (!stack.empty()) {
    const size_t u = stack.back();
    stack.pop_back();
    if (included[u]) continue;
    included[u] = true;
    for (size_t v : g.Edges(u, missed[u])) {
      if (!included[v]) stack.push_back(v);
    }
  }
  model::Catalog sub;
  std::set<QualifiedName> tables;
  for (size_t u = 0; u < units.size(); ++u) {
    if (!included[u]) continue;
    CopyObject(target, units[u].kind, units[u].index, sub);
    if (units[u].kind == K::Table) tables.insert(target.tables[units[u].index].name);
  }
  // Context tables lose their foreign keys, context sequences an owner that is not there.
  for (model::Table& t : sub.tables) {
    if (missed[*g.Find(IdOf(t))]) continue;
    std::erase_if(t.constraints,
                  [](const model::Constraint& k) { return k.kind == model::ConstraintKind::ForeignKey; });
  }
  for (model::Sequence& s : sub.sequences) {
    if (s.owned_by_table && !tables.contains(*s.owned_by_table)) {
      s.owned_by_table.reset();
      s.owned_by_column.reset();
    }
  }
  sub.roles = target.roles;
  return sub;
}

model::Catalog Materialize(const model::Catalog& catalog, const std::vector<std::string>& schemas,
                           devdb::DevServer& server) {
  server.EnsureRoles(catalog.roles);
  devdb::ScratchDatabase scratch(server);
  pg::Connection conn(scratch.conninfo());
  ExecInBatches(conn, sqlgen::CreateAllStatements(catalog));
  catalog::IntrospectOptions options;
  options.schemas = schemas;
  options.parallel_conninfo = scratch.conninfo();
  return catalog::Introspect(conn, options).catalog;
}

// Splits what the dev database reported (`normalized`, made from `sub`) into one fragment per
// missed unit. False when something cannot be matched.
bool Attribute(const Graph& g, const std::vector<bool>& missed, const Graph& sub_graph,
               const model::Catalog& normalized, std::map<size_t, model::Catalog>& fragments) {
  bool ok = true;
  ForEachObject(normalized, [&](K k, size_t i, const auto& object) {
    if (!ok) return;
    const std::string id = IdOf(object);
    if (auto u = g.Find(id); u && sub_graph.Find(id)) {
      if (missed[*u]) CopyObject(normalized, k, i, fragments[*u]);
      return;
    }
    // Created along with another object: the sequence of a serial column.
    if constexpr (std::is_same_v<std::decay_t<decltype(object)>, model::Sequence>) {
      if (object.owned_by_table) {
        if (auto owner = g.Find(Id(K::Table, *object.owned_by_table)); owner && sub_graph.Find(Id(K::Table, *object.owned_by_table))) {
          if (missed[*owner]) CopyObject(normalized, k, i, fragments[*owner]);
          return;
        }
      }
    }
    ok = false;
  });
  if (!ok) return false;
  for (size_t u = 0; u < missed.size(); ++u) {
    if (missed[u] && !fragments.contains(u)) return false;
  }
  (void)sub_graph;
  return true;
}

}  // namespace

model::Catalog NormalizeCached(const model::Catalog& target, NormalizationCache& cache,
                               const std::string& server_identity,
                               const std::function<devdb::DevServer&()>& server, NormalizeStats* stats) {
  NormalizeStats local_stats;
  NormalizeStats& st = stats != nullptr ? *stats : local_stats;
  std::vector<std::string> schemas;
  for (const model::Schema& s : target.schemas) schemas.push_back(s.name);

  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  auto t0 = Clock::now();
  const Graph g(target);
  const std::vector<Unit>& units = g.units();
  const std::vector<std::string> keys = Keys(target, g, server_identity);
  st.objects = units.size();
  st.keys_seconds = since(t0);
  t0 = Clock::now();

  std::map<size_t, model::Catalog> fragments;
  std::vector<bool> missed(units.size(), false);
  size_t miss_count = 0;
  {
    // Found entries are parsed in parallel; a damaged one is normalized again.
    std::vector<const std::string*> found(units.size(), nullptr);
    for (size_t u = 0; u < units.size(); ++u) found[u] = cache.enabled() ? cache.Find(keys[u]) : nullptr;
    std::vector<std::optional<model::Catalog>> parsed(units.size());
    ParallelChunks(units.size(), [&](size_t begin, size_t end) {
      for (size_t u = begin; u < end; ++u) {
        if (found[u] == nullptr) continue;
        try {
          parsed[u] = model::FromJson<model::Catalog>(*found[u]);
        } catch (const std::exception&) {
          // Left unset: a miss.
        }
      }
    });
    for (size_t u = 0; u < units.size(); ++u) {
      if (parsed[u]) {
        fragments.emplace_hint(fragments.end(), u, std::move(*parsed[u]));
      } else {
        missed[u] = true;
        ++miss_count;
      }
    }
  }
  st.cached = units.size() - miss_count;
  st.lookup_seconds = since(t0);
  t0 = Clock::now();

  if (miss_count > 0) {
    st.dev_server_used = true;
    bool done = false;
    if (miss_count < units.size()) {
      // Only the misses and their context.
      std::vector<bool> included;
      const model::Catalog sub = SubCatalog(target, g, missed, included);
      try {
        const model::Catalog normalized = Materialize(sub, schemas, server());
        const Graph sub_graph(sub);
        std::map<size_t, model::Catalog> fresh;
        if (Attribute(g, missed, sub_graph, normalized, fresh)) {
          for (auto& [u, f] : fresh) fragments[u] = std::move(f);
          done = true;
        }
      } catch (const pg::DbError&) {
        // The partial script did not load: the full one says what is wrong, or works.
      }
      st.normalized = miss_count;
    }
    if (!done) {
      // Everything, as without a cache.
      model::Catalog normalized = Materialize(target, schemas, server());
      std::vector<bool> all(units.size(), true);
      std::map<size_t, model::Catalog> fresh;
      st.normalized = units.size();
      st.full = true;
      if (Attribute(g, all, g, normalized, fresh)) {
        for (size_t u = 0; u < units.size(); ++u) {
          if (missed[u]) cache.Put(keys[u], model::ToJson(fresh[u]));
        }
      }
      CarryOver(target, normalized);
      normalized.roles = target.roles;
      cache.Save();
      st.dev_seconds = since(t0);
      return normalized;
    }
    for (size_t u = 0; u < units.size(); ++u) {
      if (missed[u]) cache.Put(keys[u], model::ToJson(fragments[u]));
    }
    cache.Save();
  }
  st.dev_seconds = since(t0);
  t0 = Clock::now();

  model::Catalog out;
  for (auto& [u, f] : fragments) Append(out, std::move(f));
  model::SortCatalog(out);
  CarryOver(target, out);
  out.roles = target.roles;
  st.assemble_seconds = since(t0);
  return out;
}

}  // namespace schemac::plan
