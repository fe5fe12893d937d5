#include "runtime/plan/normalize.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "compiler/sqlgen/sqlgen.h"
#include "runtime/catalog/introspect.h"
#include "runtime/pg/connection.h"

namespace schemac::plan {

namespace {

template <class T, class Key>
std::map<Key, const T*> Index(const std::vector<T>& items, Key (*key)(const T&)) {
  std::map<Key, const T*> out;
  for (const T& item : items) out.emplace(key(item), &item);
  return out;
}

model::QualifiedName NameOf(const model::Table& t) { return t.name; }
model::QualifiedName NameOfView(const model::View& v) { return v.name; }
model::QualifiedName NameOfEnum(const model::Enum& e) { return e.name; }
model::QualifiedName NameOfDomain(const model::Domain& d) { return d.name; }
model::QualifiedName NameOfComposite(const model::CompositeType& c) { return c.name; }
model::QualifiedName NameOfSequence(const model::Sequence& s) { return s.name; }
model::QualifiedName NameOfIndex(const model::Index& i) { return {i.table.schema, i.name.name}; }
std::pair<model::QualifiedName, std::string> NameOfTrigger(const model::Trigger& t) { return {t.table, t.name}; }
std::pair<model::QualifiedName, std::string> NameOfPolicy(const model::Policy& p) { return {p.table, p.name}; }
std::pair<model::QualifiedName, std::string> NameOfFunction(const model::Function& f) {
  return {{f.name.schema, f.name.name}, f.Signature()};
}

}  // namespace

void ExecInBatches(pg::Connection& conn, const std::vector<std::string>& statements) {
  // Each Exec of several statements is one transaction, and a transaction that creates thousands of
  // tables runs out of lock slots (max_locks_per_transaction): a scratch database needs no
  // atomicity, so commit every few hundred statements.
  constexpr size_t kBatch = 200;
  // A function body given as a string may name tables the schema no longer has (PostgreSQL
  // resolves them when it runs; sema warns): the scratch database takes it as pg_dump's output
  // does. SQL-standard bodies are bound regardless.
  conn.Exec("SET check_function_bodies = off");
  for (size_t i = 0; i < statements.size(); i += kBatch) {
    std::string sql;
    for (size_t j = i; j < std::min(statements.size(), i + kBatch); ++j) sql += statements[j] + "\n";
    conn.Exec(sql);
  }
}

void CarryOver(const model::Catalog& from, model::Catalog& to) {
  const auto tables = Index(from.tables, &NameOf);
  for (model::Table& t : to.tables) {
    auto it = tables.find(t.name);
    if (it == tables.end()) continue;
    const model::Table& src = *it->second;
    t.loc = src.loc;
    t.renamed_from = src.renamed_from;
    t.deps = src.deps;
    for (model::Column& c : t.columns) {
      for (const model::Column& sc : src.columns) {
        if (sc.name != c.name) continue;
        c.loc = sc.loc;
        c.renamed_from = sc.renamed_from;
      }
    }
    for (model::Constraint& c : t.constraints) {
      for (const model::Constraint& sc : src.constraints) {
        if (sc.name != c.name) continue;
        c.loc = sc.loc;
        c.renamed_from = sc.renamed_from;
        c.name_explicit = sc.name_explicit;
      }
    }
  }
  const auto indexes = Index(from.indexes, &NameOfIndex);
  for (model::Index& i : to.indexes) {
    auto it = indexes.find(NameOfIndex(i));
    if (it == indexes.end()) continue;
    i.loc = it->second->loc;
    i.renamed_from = it->second->renamed_from;
    i.deps = it->second->deps;
    i.name_explicit = it->second->name_explicit;
  }
  const auto views = Index(from.views, &NameOfView);
  for (model::View& v : to.views) {
    auto it = views.find(v.name);
    if (it == views.end()) continue;
    v.loc = it->second->loc;
    v.renamed_from = it->second->renamed_from;
    v.deps = it->second->deps;
  }
  const auto enums = Index(from.enums, &NameOfEnum);
  for (model::Enum& e : to.enums) {
    auto it = enums.find(e.name);
    if (it == enums.end()) continue;
    e.loc = it->second->loc;
    e.renamed_from = it->second->renamed_from;
  }
  const auto domains = Index(from.domains, &NameOfDomain);
  for (model::Domain& d : to.domains) {
    auto it = domains.find(d.name);
    if (it == domains.end()) continue;
    d.loc = it->second->loc;
    d.renamed_from = it->second->renamed_from;
    d.deps = it->second->deps;
    for (model::DomainCheck& c : d.checks) {
      for (const model::DomainCheck& sc : it->second->checks) {
        if (sc.name == c.name) c.name_explicit = sc.name_explicit;
      }
    }
  }
  const auto composites = Index(from.composite_types, &NameOfComposite);
  for (model::CompositeType& c : to.composite_types) {
    auto it = composites.find(c.name);
    if (it == composites.end()) continue;
    c.loc = it->second->loc;
    c.renamed_from = it->second->renamed_from;
    c.deps = it->second->deps;
  }
  const auto sequences = Index(from.sequences, &NameOfSequence);
  for (model::Sequence& s : to.sequences) {
    auto it = sequences.find(s.name);
    if (it == sequences.end()) continue;
    s.loc = it->second->loc;
    s.renamed_from = it->second->renamed_from;
  }
  const auto functions = Index(from.functions, &NameOfFunction);
  for (model::Function& f : to.functions) {
    auto it = functions.find(NameOfFunction(f));
    if (it == functions.end()) continue;
    f.loc = it->second->loc;
    f.deps = it->second->deps;
  }
  const auto triggers = Index(from.triggers, &NameOfTrigger);
  for (model::Trigger& t : to.triggers) {
    auto it = triggers.find(NameOfTrigger(t));
    if (it == triggers.end()) continue;
    t.loc = it->second->loc;
    t.deps = it->second->deps;
  }
  const auto policies = Index(from.policies, &NameOfPolicy);
  for (model::Policy& p : to.policies) {
    auto it = policies.find(NameOfPolicy(p));
    if (it == policies.end()) continue;
    p.loc = it->second->loc;
    p.renamed_from = it->second->renamed_from;
    p.deps = it->second->deps;
  }
  for (model::Schema& s : to.schemas) {
    for (const model::Schema& src : from.schemas) {
      if (src.name == s.name) {
        s.loc = src.loc;
        s.renamed_from = src.renamed_from;
      }
    }
  }
  for (model::Extension& e : to.extensions) {
    for (const model::Extension& src : from.extensions) {
      if (src.name != e.name) continue;
      e.loc = src.loc;
      // Without `version` or `schema` the target means "whatever is installed": the version and
      // schema the dev server happened to pick are not part of it (the diff leaves unset ones alone).
      if (!src.version) e.version.reset();
      if (!src.schema) e.schema.reset();
    }
  }
  auto grant_key = [](const model::Grant& g) {
    return std::make_tuple(g.object, g.column.value_or(""), g.privilege, g.grantee);
  };
  std::map<decltype(grant_key(std::declval<model::Grant>())), base::Loc> grant_locs;
  for (const model::Grant& g : from.grants) grant_locs.emplace(grant_key(g), g.loc);
  for (model::Grant& g : to.grants) {
    auto it = grant_locs.find(grant_key(g));
    if (it != grant_locs.end()) g.loc = it->second;
  }
  to.roles = from.roles;
}

model::Catalog Normalize(const model::Catalog& target, devdb::DevServer& server) {
  // Roles are cluster-wide: a throwaway dev cluster has none, so the ones the target names are
  // created there (on a --dev-db server too: it is a scratch server by contract).
  server.EnsureRoles(target.roles);
  devdb::ScratchDatabase scratch(server);
  pg::Connection conn(scratch.conninfo());
  ExecInBatches(conn, sqlgen::CreateAllStatements(target));
  catalog::IntrospectOptions options;
  for (const model::Schema& s : target.schemas) options.schemas.push_back(s.name);
  model::Catalog normalized = catalog::Introspect(conn, options).catalog;
  CarryOver(target, normalized);
  return normalized;
}

}  // namespace schemac::plan
