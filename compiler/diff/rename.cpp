// Renames: only from `renamed_from` (plus the derived names of constraints and indexes, which
// follow their definition), executed as ALTER ... RENAME / SET SCHEMA so rows survive.
//
// A target object X renamed from O is a rename when the live database has O, does not have X, and
// the target does not have O; otherwise the names are matched as they are (X may already have
// been renamed by an earlier apply). After each rename the live model is rewritten the way
// PostgreSQL will show it: references by OID follow a rename, so foreign keys, indexes, triggers,
// policies, grants, column types and owned sequences name the new name. Embedded SQL text is left
// alone: PostgreSQL prints the new name there too, so such objects compare as changed and are
// recreated, which is correct.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

#include "compiler/diff/internal/context.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteIdent;
using model::QuoteQualified;

enum class Use { Relation, Type, Routine, Index, Schema };

using NameFn = std::function<void(QualifiedName&, Use)>;

void VisitType(model::TypeName& type, const NameFn& fn) {
  if (type.IsBuiltin()) return;
  QualifiedName name{type.schema, type.name};
  fn(name, Use::Type);
  type.schema = name.schema;
  type.name = name.name;
}

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

// Calls `fn` on every object name and reference of `c`. Function signatures are recomputed by
// the caller (RemapSignatures) because they embed argument type names.
void VisitNames(model::Catalog& c, const NameFn& fn) {
  auto deps = [&fn](std::vector<model::ObjectId>& ids) {
    for (model::ObjectId& id : ids) {
      if (UseOf(id.kind) != Use::Routine && UseOf(id.kind) != Use::Schema) fn(id.name, UseOf(id.kind));
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

template <typename T>
T* FindByName(std::vector<T>& items, const QualifiedName& name) {
  for (T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

template <typename T>
bool HasName(const std::vector<T>& items, const QualifiedName& name) {
  return std::any_of(items.begin(), items.end(), [&](const T& i) { return i.name == name; });
}

class Renamer {
 public:
  explicit Renamer(Context& ctx) : ctx_(ctx) {}

  void Run();

 private:
  void Schemas();
  // Tables, views, sequences, enums, domains and composite types.
  template <typename T>
  void Objects(const std::vector<T>& targets, std::vector<T> model::Catalog::*member, KeyKind kind,
               ObjectKind object, const char* keyword, Use use);
  void Columns(const model::Table& target);
  void Constraints(const model::Table& target);
  void Indexes();
  void Policies();
  void Emit(const Key& key, ObjectKind object_kind, const QualifiedName& object,
            const std::string& summary, const std::string& sql, base::Loc loc);
  // The live name `renamed_from` stands for, after the schema renames.
  QualifiedName Old(QualifiedName from) const {
    auto it = schema_map_.find(from.schema);
    if (it != schema_map_.end()) from.schema = it->second;
    return from;
  }

  model::Table* LiveTable(const QualifiedName& name) {
    auto it = live_tables_.find(name);
    return it == live_tables_.end() ? nullptr : it->second;
  }

  Context& ctx_;
  std::map<std::string, std::string> schema_map_;  // old -> new
  std::map<QualifiedName, model::Table*> live_tables_;
};

void Renamer::Emit(const Key& key, ObjectKind object_kind, const QualifiedName& object,
                   const std::string& summary, const std::string& sql, base::Loc loc) {
  ctx_.Emit({.key = key, .role = Role::Rename, .phase = Phase::Rename, .rank = Rank::Schema,
             .object = {object_kind, object}, .action = '>', .summary = summary, .sql = sql,
             .hazards = {Hazard::AccessExclusiveLock}, .loc = loc});
  ctx_.renamed.insert(key);
}

void Renamer::Schemas() {
  for (const model::Schema& target : ctx_.target.schemas) {
    if (!target.renamed_from) continue;
    const std::string& old = *target.renamed_from;
    auto has = [](const auto& schemas, const std::string& n) {
      return std::any_of(schemas.begin(), schemas.end(), [&](const auto& s) { return s.name == n; });
    };
    const model::Catalog& current = ctx_.live();
    if (!has(current.schemas, old) || has(current.schemas, target.name) ||
        has(ctx_.target.schemas, old)) {
      continue;
    }
    Emit({KeyKind::Schema, {"", target.name}, ""}, ObjectKind::Schema, {"", target.name},
         fmt::format("schema {}: renamed from {}", target.name, old),
         fmt::format("ALTER SCHEMA {} RENAME TO {};", QuoteIdent(old), QuoteIdent(target.name)),
         target.loc);
    schema_map_[old] = target.name;
    model::Catalog& live = ctx_.MutableLive();
    for (auto& s : live.schemas) {
      if (s.name == old) s.name = target.name;
    }
    for (auto& e : live.extensions) {
      if (e.schema == old) e.schema = target.name;
    }
    for (auto& g : live.grants) {
      if (g.object_kind == ObjectKind::Schema && g.object.name == old) g.object.name = target.name;
      if (g.object_kind == ObjectKind::Schema && g.object.schema == old) g.object.schema = target.name;
    }
    Remap(live, [&](QualifiedName& n, Use) {
      if (n.schema == old) n.schema = target.name;
    });
  }
}

template <typename T>
void Renamer::Objects(const std::vector<T>& targets, std::vector<T> model::Catalog::*member,
                      KeyKind kind, ObjectKind object, const char* keyword, Use use) {
  for (const T& target : targets) {
    const std::vector<T>& lives = ctx_.live().*member;
    if (!target.renamed_from) continue;
    const QualifiedName old = Old(*target.renamed_from);
    if (old == target.name || !HasName(lives, old) || HasName(lives, target.name) ||
        HasName(targets, old)) {
      continue;
    }
    const T* live = FindByName(lives, old);
    ObjectKind shown = object;
    std::string alter = keyword;
    if constexpr (std::is_same_v<T, model::View>) {
      shown = live->materialized ? ObjectKind::MaterializedView : ObjectKind::View;
      alter = live->materialized ? "MATERIALIZED VIEW" : "VIEW";
    }
    Key key{kind, target.name, ""};
    std::string summary = fmt::format("{} {}: renamed from {}", model::ObjectKindName(shown),
                                      Display(target.name), Display(old));
    QualifiedName current = old;
    if (old.schema != target.name.schema) {
      Emit(key, shown, target.name, summary,
           fmt::format("ALTER {} {} SET SCHEMA {};", alter, QuoteQualified(old),
                       QuoteIdent(target.name.schema)),
           target.loc);
      current.schema = target.name.schema;
    }
    if (current.name != target.name.name) {
      Emit(key, shown, target.name, summary,
           fmt::format("ALTER {} {} RENAME TO {};", alter, QuoteQualified(current),
                       QuoteIdent(target.name.name)),
           target.loc);
    }
    const QualifiedName to = target.name;
    Remap(ctx_.MutableLive(), [&](QualifiedName& n, Use u) {
      bool relation_row_type = use == Use::Relation && u == Use::Type;
      if (n == old && (u == use || relation_row_type)) n = to;
    });
  }
}

void Renamer::Columns(const model::Table& target) {
  model::Table* live = LiveTable(target.name);
  if (live == nullptr) return;
  auto has = [](const model::Table& t, const std::string& n) {
    return std::any_of(t.columns.begin(), t.columns.end(), [&](const auto& c) { return c.name == n; });
  };
  for (const model::Column& column : target.columns) {
    if (!column.renamed_from) continue;
    const std::string& old = *column.renamed_from;
    if (!has(*live, old) || has(*live, column.name) || has(target, old)) continue;
    Emit({KeyKind::Column, target.name, column.name}, ObjectKind::Table, target.name,
         fmt::format("column {}.{}: renamed from {}", Display(target.name), column.name, old),
         fmt::format("{} RENAME COLUMN {} TO {};", AlterTable(target.name), QuoteIdent(old),
                     QuoteIdent(column.name)),
         column.loc);
    auto rename = [&](std::string& n) {
      if (n == old) n = column.name;
    };
    auto rename_all = [&](std::vector<std::string>& names) { std::for_each(names.begin(), names.end(), rename); };
    auto rename_elements = [&](std::vector<model::IndexElement>& elements) {
      for (auto& e : elements) {
        if (e.is_column) rename(e.expression);
      }
    };
    for (auto& c : live->columns) rename(c.name);
    for (auto& k : live->constraints) {
      rename_all(k.columns);
      rename_all(k.include);
      rename_all(k.on_delete_set_columns);
      rename_elements(k.elements);
    }
    rename_elements(live->partition_keys);
    for (auto& t : ctx_.live.tables) {
      for (auto& k : t.constraints) {
        if (k.kind == model::ConstraintKind::ForeignKey && k.ref_table == target.name) {
          rename_all(k.ref_columns);
        }
      }
    }
    for (auto& i : ctx_.live.indexes) {
      if (i.table != target.name) continue;
      rename_elements(i.elements);
      rename_all(i.include);
    }
    for (auto& s : ctx_.live.sequences) {
      if (s.owned_by_table == target.name && s.owned_by_column) rename(*s.owned_by_column);
    }
    for (auto& t : ctx_.live.triggers) {
      if (t.table == target.name) rename_all(t.update_columns);
    }
    for (auto& g : ctx_.live.grants) {
      if (g.object == target.name && g.column) rename(*g.column);
    }
  }
}

void Renamer::Constraints(const model::Table& target) {
  model::Table* live = LiveTable(target.name);
  if (live == nullptr) return;
  auto find = [](model::Table& t, const std::string& n) -> model::Constraint* {
    for (auto& c : t.constraints) {
      if (c.name == n) return &c;
    }
    return nullptr;
  };
  auto in_target = [&](const std::string& n) {
    return std::any_of(target.constraints.begin(), target.constraints.end(),
                       [&](const auto& c) { return c.name == n; });
  };
  for (const model::Constraint& k : target.constraints) {
    if (find(*live, k.name) != nullptr) continue;
    model::Constraint* old = nullptr;
    if (k.renamed_from) {
      old = find(*live, *k.renamed_from);
      if (old != nullptr && in_target(old->name)) old = nullptr;
    } else if (!k.name_explicit) {
      // A derived name follows its table and columns; a live constraint with the same definition
      // that the target does not name is the same constraint.
      const std::string definition = sqlgen::ConstraintDefinition(k);
      for (auto& candidate : live->constraints) {
        if (!in_target(candidate.name) && candidate.kind == k.kind &&
            sqlgen::ConstraintDefinition(candidate) == definition) {
          old = &candidate;
          break;
        }
      }
    }
    if (old == nullptr) continue;
    Emit({KeyKind::Constraint, target.name, k.name}, ObjectKind::Constraint,
         {target.name.schema, target.name.name + "." + k.name},
         fmt::format("constraint {} on {}: renamed from {}", k.name, Display(target.name), old->name),
         fmt::format("{} RENAME CONSTRAINT {} TO {};", AlterTable(target.name), QuoteIdent(old->name),
                     QuoteIdent(k.name)),
         k.loc);
    // The index behind a primary key, unique or exclusion constraint is renamed with it.
    for (auto& i : ctx_.live.indexes) {
      if (i.table == target.name && i.name.name == old->name) i.name.name = k.name;
    }
    old->name = k.name;
  }
}

void Renamer::Indexes() {
  CatalogIndex live_index(ctx_.live);
  CatalogIndex target_index(ctx_.target);
  std::map<QualifiedName, QualifiedName> renames;  // old -> new
  std::set<QualifiedName> taken;
  for (const model::Index& index : ctx_.target.indexes) {
    const QualifiedName name = IndexName(index);
    if (live_index.FindIndex(name) != nullptr) continue;
    const model::Index* old = nullptr;
    if (index.renamed_from) {
      old = live_index.FindIndex({name.schema, *index.renamed_from});
    } else if (!index.name_explicit) {
      const std::string definition = IndexDefinition(index);
      for (const model::Index* candidate : live_index.IndexesOf(index.table)) {
        if (!candidate->invalid && IndexDefinition(*candidate) == definition &&
            !taken.contains(IndexName(*candidate)) &&
            target_index.FindIndex(IndexName(*candidate)) == nullptr) {
          old = candidate;
          break;
        }
      }
    }
    if (old == nullptr || target_index.FindIndex(IndexName(*old)) != nullptr) continue;
    const QualifiedName old_name = IndexName(*old);
    if (taken.contains(old_name)) continue;
    taken.insert(old_name);
    renames[old_name] = name;
    Emit({KeyKind::Index, name, ""}, ObjectKind::Index, name,
         fmt::format("index {}: renamed from {}", Display(name), old_name.name),
         fmt::format("ALTER INDEX {} RENAME TO {};", QuoteQualified(old_name), QuoteIdent(name.name)),
         index.loc);
  }
  for (auto& i : ctx_.live.indexes) {
    auto it = renames.find(IndexName(i));
    if (it != renames.end()) i.name = it->second;
  }
}

void Renamer::Policies() {
  auto find = [](auto& policies, const QualifiedName& table, const std::string& n) {
    auto it = std::find_if(policies.begin(), policies.end(),
                           [&](const auto& p) { return p.table == table && p.name == n; });
    return it == policies.end() ? nullptr : &*it;
  };
  for (const model::Policy& policy : ctx_.target.policies) {
    if (!policy.renamed_from) continue;
    model::Policy* old = find(ctx_.live.policies, policy.table, *policy.renamed_from);
    if (old == nullptr || find(ctx_.live.policies, policy.table, policy.name) != nullptr ||
        find(ctx_.target.policies, policy.table, *policy.renamed_from) != nullptr) {
      continue;
    }
    Emit({KeyKind::Policy, policy.table, policy.name}, ObjectKind::Policy,
         {policy.table.schema, policy.table.name + "." + policy.name},
         fmt::format("policy {} on {}: renamed from {}", policy.name, Display(policy.table), old->name),
         fmt::format("ALTER POLICY {} ON {} RENAME TO {};", QuoteIdent(old->name),
                     QuoteQualified(policy.table), QuoteIdent(policy.name)),
         policy.loc);
    old->name = policy.name;
  }
}

void Renamer::Run() {
  Schemas();
  model::Catalog& live = ctx_.live;
  const model::Catalog& target = ctx_.target;
  Objects(target.enums, live.enums, KeyKind::Type, ObjectKind::Enum, "TYPE", Use::Type);
  Objects(target.domains, live.domains, KeyKind::Type, ObjectKind::Domain, "DOMAIN", Use::Type);
  Objects(target.composite_types, live.composite_types, KeyKind::Type, ObjectKind::CompositeType,
          "TYPE", Use::Type);
  Objects(target.sequences, live.sequences, KeyKind::Sequence, ObjectKind::Sequence, "SEQUENCE",
          Use::Relation);
  Objects(target.tables, live.tables, KeyKind::Table, ObjectKind::Table, "TABLE", Use::Relation);
  Objects(target.views, live.views, KeyKind::View, ObjectKind::View, "VIEW", Use::Relation);
  for (model::Table& table : live.tables) live_tables_[table.name] = &table;
  for (const model::Table& table : target.tables) {
    Columns(table);
    Constraints(table);
  }
  Indexes();
  Policies();
}

// Renames keep the catalog's sort order only by accident; the differs rely on it.
void SortCatalog(model::Catalog& c) {
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::stable_sort(c.schemas.begin(), c.schemas.end(), by_name);
  std::stable_sort(c.enums.begin(), c.enums.end(), by_name);
  std::stable_sort(c.domains.begin(), c.domains.end(), by_name);
  std::stable_sort(c.composite_types.begin(), c.composite_types.end(), by_name);
  std::stable_sort(c.sequences.begin(), c.sequences.end(), by_name);
  std::stable_sort(c.tables.begin(), c.tables.end(), by_name);
  std::stable_sort(c.views.begin(), c.views.end(), by_name);
  for (auto& t : c.tables) std::stable_sort(t.constraints.begin(), t.constraints.end(), by_name);
  std::stable_sort(c.indexes.begin(), c.indexes.end(), [](const auto& a, const auto& b) {
    return std::tie(a.table, a.name) < std::tie(b.table, b.name);
  });
  std::stable_sort(c.functions.begin(), c.functions.end(), [](const auto& a, const auto& b) {
    return std::tuple(a.name, a.Signature()) < std::tuple(b.name, b.Signature());
  });
  auto by_table = [](const auto& a, const auto& b) {
    return std::tie(a.table, a.name) < std::tie(b.table, b.name);
  };
  std::stable_sort(c.triggers.begin(), c.triggers.end(), by_table);
  std::stable_sort(c.policies.begin(), c.policies.end(), by_table);
}

}  // namespace

void ResolveRenames(Context& ctx) {
  Renamer(ctx).Run();
  if (!ctx.renamed.empty()) SortCatalog(ctx.live);
  ctx.live_index = std::make_unique<CatalogIndex>(ctx.live);
  ctx.target_index = std::make_unique<CatalogIndex>(ctx.target);
}

}  // namespace schemac::diff::internal
