// Rewriting names in a catalog the way PostgreSQL shows them after a rename: references are by OID
// in the database, so every foreign key, index, trigger, policy, grant, dependency and column type
// that names the renamed object names its new name afterwards. Used by rename.cpp.
#include <algorithm>
#include <map>
#include <tuple>

#include "compiler/diff/internal/remap.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QualifiedName;

void VisitType(model::TypeName& type, const NameFn& fn) {
  if (type.IsBuiltin()) return;
  QualifiedName name{type.schema, type.name};
  fn(name, Use::Type);
  type.schema = name.schema;
  type.name = name.name;
}

}  // namespace

Use UseOf(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Enum:
    case ObjectKind::Domain:
    case ObjectKind::CompositeType: return Use::Type;
    case ObjectKind::Function:
    case ObjectKind::Procedure: return Use::Routine;
    case ObjectKind::Index: return Use::Index;
    case ObjectKind::Schema:
    case ObjectKind::Extension: return Use::Schema;
    default: return Use::Relation;
  }
}

namespace {

// Calls `fn` on every object name and reference of `c`. Function signatures are recomputed by
// the caller (RemapSignatures) because they embed argument type names.
void VisitNames(model::Catalog& c, const NameFn& fn) {
  auto deps = [&fn](std::vector<model::ObjectId>& ids) {
    for (model::ObjectId& id : ids) {
      if (UseOf(id.kind) != Use::Routine && UseOf(id.kind) != Use::Schema) {
        fn(id.name, UseOf(id.kind));
      }
    }
  };
  for (auto& d : c.domains) {
    fn(d.name, Use::Type);
    VisitType(d.base_type, fn);
    deps(d.deps);
  }
  for (auto& e : c.enums) fn(e.name, Use::Type);
  for (auto& t : c.composite_types) {
    fn(t.name, Use::Type);
    for (auto& f : t.fields) VisitType(f.type, fn);
    deps(t.deps);
  }
  for (auto& s : c.sequences) {
    fn(s.name, Use::Relation);
    if (s.owned_by_table) fn(*s.owned_by_table, Use::Relation);
  }
  for (auto& t : c.tables) {
    fn(t.name, Use::Relation);
    if (t.partition_of) fn(*t.partition_of, Use::Relation);
    for (auto& parent : t.inherits) fn(parent, Use::Relation);
    for (auto& col : t.columns) VisitType(col.type, fn);
    for (auto& k : t.constraints) {
      if (k.kind == model::ConstraintKind::ForeignKey) fn(k.ref_table, Use::Relation);
    }
    deps(t.deps);
  }
  for (auto& i : c.indexes) {
    fn(i.table, Use::Relation);
    fn(i.name, Use::Index);
    deps(i.deps);
  }
  for (auto& v : c.views) {
    fn(v.name, Use::Relation);
    deps(v.deps);
  }
  for (auto& f : c.functions) {
    fn(f.name, Use::Routine);
    for (auto& a : f.args) VisitType(a.type, fn);
    for (auto& a : f.returns_table) VisitType(a.type, fn);
    if (f.returns) VisitType(*f.returns, fn);
    deps(f.deps);
  }
  for (auto& t : c.triggers) {
    fn(t.table, Use::Relation);
    fn(t.function, Use::Routine);
    deps(t.deps);
  }
  for (auto& p : c.policies) {
    fn(p.table, Use::Relation);
    deps(p.deps);
  }
  for (auto& g : c.grants) {
    if (g.object_kind != ObjectKind::Schema && UseOf(g.object_kind) != Use::Routine) {
      fn(g.object, UseOf(g.object_kind));
    }
  }
}

}  // namespace

// Applies `fn` and keeps function signatures (in grants and deps) in step with the argument types.
void Remap(model::Catalog& c, const NameFn& fn) {
  std::vector<QualifiedName> before;
  for (const auto& f : c.functions) before.push_back({f.name.schema, f.Signature()});
  VisitNames(c, fn);
  std::map<QualifiedName, QualifiedName> moved;
  for (size_t i = 0; i < c.functions.size(); ++i) {
    QualifiedName after{c.functions[i].name.schema, c.functions[i].Signature()};
    if (after != before[i]) moved[before[i]] = after;
  }
  auto routine = [&](QualifiedName& name) {
    if (auto it = moved.find(name); it != moved.end()) name = it->second;
  };
  for (auto& g : c.grants) {
    if (UseOf(g.object_kind) == Use::Routine) routine(g.object);
  }
  auto deps = [&](std::vector<model::ObjectId>& ids) {
    for (auto& id : ids) {
      if (UseOf(id.kind) == Use::Routine) routine(id.name);
    }
  };
  for (auto& t : c.tables) deps(t.deps);
  for (auto& v : c.views) deps(v.deps);
  for (auto& f : c.functions) deps(f.deps);
  for (auto& t : c.triggers) deps(t.deps);
  for (auto& i : c.indexes) deps(i.deps);
  for (auto& p : c.policies) deps(p.deps);
}

}  // namespace schemac::diff::internal
