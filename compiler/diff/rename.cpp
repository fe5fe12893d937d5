// Renames: only from `renamed_from` (plus the derived names of constraints and indexes, which
// follow their definition), executed as ALTER ... RENAME / SET SCHEMA so rows survive.
//
// A target object X renamed from O is a rename when the live database has O, does not have X, and
// the target does not have O; otherwise the names are matched as they are (X may already have
// been renamed by an earlier apply). After each rename the live model is rewritten the way
// PostgreSQL will show it: references by OID follow a rename, so foreign keys, indexes, triggers,
// policies, grants, column types and owned sequences name the new name. A renamed column is also
// renamed in the expressions of its table's own objects (checks, generated columns, index
// expressions and predicates, policies, trigger conditions), as PostgreSQL will print them, so a
// rename alone does not rebuild them. Other embedded SQL (view queries, function bodies, defaults)
// is left alone: where PostgreSQL prints the new name there too, such objects compare as changed
// and are recreated, which is correct.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

#include "compiler/diff/internal/context.h"
#include "compiler/diff/internal/remap.h"
#include "compiler/diff/internal/sql_names.h"
#include "compiler/sqlgen/render.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteIdent;
using model::QuoteQualified;

template <typename T>
const T* FindByName(const std::vector<T>& items, const QualifiedName& name) {
  for (const T& item : items) {
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

  void Run(const CatalogIndex& target_index);

 private:
  void Schemas();
  // Tables, views, sequences, enums, domains and composite types.
  template <typename T>
  void Objects(const std::vector<T>& targets, std::vector<T> model::Catalog::*member, KeyKind kind,
               ObjectKind object, const char* keyword, Use use);
  void MoveTableParts(model::Catalog& live, const QualifiedName& table);
  void Columns(const model::Table& target);
  void Constraints(const model::Table& target);
  void Indexes(const CatalogIndex& target_index);
  void Policies();
  void Emit(const Key& key, ObjectKind object_kind, const QualifiedName& object,
            const std::string& summary, const std::string& sql, base::Loc loc);
  // The live name `renamed_from` stands for, after the schema renames.
  QualifiedName Old(QualifiedName from) const {
    auto it = schema_map_.find(from.schema);
    if (it != schema_map_.end()) from.schema = it->second;
    return from;
  }

  std::optional<size_t> TablePosition(const QualifiedName& name) const {
    auto it = table_positions_.find(name);
    if (it == table_positions_.end()) return std::nullopt;
    return it->second;
  }

  Context& ctx_;
  std::map<std::string, std::string> schema_map_;  // old -> new
  std::map<QualifiedName, size_t> table_positions_;
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
      return std::any_of(schemas.begin(), schemas.end(),
                         [&](const auto& s) { return s.name == n; });
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
      if (g.object_kind == ObjectKind::Schema && g.object.schema == old) {
        g.object.schema = target.name;
      }
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
    model::Catalog& live_catalog = ctx_.MutableLive();
    Remap(live_catalog, [&](QualifiedName& n, Use u) {
      bool relation_row_type = use == Use::Relation && u == Use::Type;
      if (n == old && (u == use || relation_row_type)) n = to;
    });
    if constexpr (std::is_same_v<T, model::Table>) {
      if (old.schema != to.schema) MoveTableParts(live_catalog, to);
    }
  }
}

// ALTER TABLE ... SET SCHEMA moves the table's indexes and the sequences its columns own along.
void Renamer::MoveTableParts(model::Catalog& live, const QualifiedName& table) {
  for (auto& index : live.indexes) {
    if (index.table == table) index.name.schema = table.schema;
  }
  std::vector<QualifiedName> owned;
  for (const auto& sequence : live.sequences) {
    if (sequence.owned_by_table == table && sequence.name.schema != table.schema) {
      owned.push_back(sequence.name);
    }
  }
  for (const QualifiedName& sequence : owned) {
    const QualifiedName moved{table.schema, sequence.name};
    Remap(live, [&](QualifiedName& n, Use u) {
      if (n == sequence && u == Use::Relation) n = moved;
    });
  }
}

void Renamer::Columns(const model::Table& target) {
  std::optional<size_t> position = TablePosition(target.name);
  if (!position) return;
  auto has = [](const model::Table& t, const std::string& n) {
    return std::any_of(t.columns.begin(), t.columns.end(),
                       [&](const auto& c) { return c.name == n; });
  };
  for (const model::Column& column : target.columns) {
    if (!column.renamed_from) continue;
    const std::string& old = *column.renamed_from;
    const model::Table& current = ctx_.live().tables[*position];
    if (!has(current, old) || has(current, column.name) || has(target, old)) continue;
    Emit({KeyKind::Column, target.name, column.name}, ObjectKind::Table, target.name,
         fmt::format("column {}.{}: renamed from {}", Display(target.name), column.name, old),
         fmt::format("{} RENAME COLUMN {} TO {};", AlterTable(target.name), QuoteIdent(old),
                     QuoteIdent(column.name)),
         column.loc);
    auto rename = [&](std::string& n) {
      if (n == old) n = column.name;
    };
    auto rename_all = [&](std::vector<std::string>& names) {
      std::for_each(names.begin(), names.end(), rename);
    };
    // Expressions of the table's own objects name the column too; PostgreSQL prints them with the
    // new name after the rename, so they are rewritten the same way (and compare equal to the
    // target when nothing else changed, instead of being recreated).
    auto rename_text = [&](std::string& text, const std::vector<std::string>& qualifiers = {}) {
      text = RenameColumnRefs(text, old, column.name, qualifiers);
    };
    auto rename_expr = [&](std::optional<model::Expr>& e,
                           const std::vector<std::string>& qualifiers = {}) {
      if (e) rename_text(e->text, qualifiers);
    };
    auto rename_elements = [&](std::vector<model::IndexElement>& elements) {
      for (auto& e : elements) {
        if (e.is_column) {
          rename(e.expression);
        } else {
          rename_text(e.expression);
        }
      }
    };
    model::Catalog& live_catalog = ctx_.MutableLive();
    model::Table& live = live_catalog.tables[*position];
    for (auto& c : live.columns) {
      rename(c.name);
      rename_expr(c.generated);
    }
    for (auto& k : live.constraints) {
      rename_all(k.columns);
      rename_all(k.include);
      rename_all(k.on_delete_set_columns);
      rename_elements(k.elements);
      rename_expr(k.expression);
    }
    rename_elements(live.partition_keys);
    for (auto& p : live_catalog.policies) {
      if (p.table != target.name) continue;
      rename_expr(p.using_expr);
      rename_expr(p.with_check);
    }
    for (auto& t : live_catalog.tables) {
      for (auto& k : t.constraints) {
        if (k.kind == model::ConstraintKind::ForeignKey && k.ref_table == target.name) {
          rename_all(k.ref_columns);
        }
      }
    }
    for (auto& i : live_catalog.indexes) {
      if (i.table != target.name) continue;
      rename_elements(i.elements);
      rename_all(i.include);
      rename_expr(i.where);
    }
    for (auto& seq : live_catalog.sequences) {
      if (seq.owned_by_table == target.name && seq.owned_by_column) rename(*seq.owned_by_column);
    }
    for (auto& t : live_catalog.triggers) {
      if (t.table != target.name) continue;
      rename_all(t.update_columns);
      rename_expr(t.when, {"new", "old"});
    }
    for (auto& g : live_catalog.grants) {
      if (g.object == target.name && g.column) rename(*g.column);
    }
  }
}

void Renamer::Constraints(const model::Table& target) {
  std::optional<size_t> position = TablePosition(target.name);
  if (!position) return;
  auto find = [](const model::Table& t, const std::string& n) -> std::optional<size_t> {
    for (size_t i = 0; i < t.constraints.size(); ++i) {
      if (t.constraints[i].name == n) return i;
    }
    return std::nullopt;
  };
  for (const model::Constraint& k : target.constraints) {
    const model::Table& live = ctx_.live().tables[*position];
    if (find(live, k.name)) continue;
    std::optional<size_t> old;
    if (k.renamed_from) {
      old = find(live, *k.renamed_from);
      if (old && find(target, live.constraints[*old].name)) old.reset();
    } else if (!k.name_explicit) {
      // A derived name follows its table and columns; a live constraint with the same definition
      // that the target does not name is the same constraint.
      const std::string definition = sqlgen::ConstraintDefinition(k);
      for (size_t i = 0; i < live.constraints.size(); ++i) {
        const model::Constraint& candidate = live.constraints[i];
        if (!find(target, candidate.name) && candidate.kind == k.kind &&
            sqlgen::ConstraintDefinition(candidate) == definition) {
          old = i;
          break;
        }
      }
    }
    if (!old) continue;
    const std::string old_name = live.constraints[*old].name;
    Emit({KeyKind::Constraint, target.name, k.name}, ObjectKind::Constraint,
         {target.name.schema, target.name.name + "." + k.name},
         fmt::format("constraint {} on {}: renamed from {}", k.name, Display(target.name),
                     old_name),
         fmt::format("{} RENAME CONSTRAINT {} TO {};", AlterTable(target.name),
                     QuoteIdent(old_name), QuoteIdent(k.name)),
         k.loc);
    model::Catalog& live_catalog = ctx_.MutableLive();
    // The index behind a primary key, unique or exclusion constraint is renamed with it.
    for (auto& i : live_catalog.indexes) {
      if (i.table == target.name && i.name.name == old_name) i.name.name = k.name;
    }
    live_catalog.tables[*position].constraints[*old].name = k.name;
  }
}

void Renamer::Indexes(const CatalogIndex& target_index) {
  CatalogIndex live_index(ctx_.live());
  std::map<QualifiedName, QualifiedName> renames;  // old -> new
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
            !renames.contains(IndexName(*candidate)) &&
            target_index.FindIndex(IndexName(*candidate)) == nullptr) {
          old = candidate;
          break;
        }
      }
    }
    if (old == nullptr || target_index.FindIndex(IndexName(*old)) != nullptr) continue;
    const QualifiedName old_name = IndexName(*old);
    if (renames.contains(old_name)) continue;
    renames[old_name] = name;
    Emit({KeyKind::Index, name, ""}, ObjectKind::Index, name,
         fmt::format("index {}: renamed from {}", Display(name), old_name.name),
         fmt::format("ALTER INDEX {} RENAME TO {};", QuoteQualified(old_name),
                     QuoteIdent(name.name)),
         index.loc);
  }
  if (renames.empty()) return;
  for (auto& i : ctx_.MutableLive().indexes) {
    auto it = renames.find(IndexName(i));
    if (it != renames.end()) i.name = it->second;
  }
}

void Renamer::Policies() {
  auto find = [](const auto& policies, const QualifiedName& table, const std::string& n)
      -> std::optional<size_t> {
    for (size_t i = 0; i < policies.size(); ++i) {
      if (policies[i].table == table && policies[i].name == n) return i;
    }
    return std::nullopt;
  };
  for (const model::Policy& policy : ctx_.target.policies) {
    if (!policy.renamed_from) continue;
    std::optional<size_t> old = find(ctx_.live().policies, policy.table, *policy.renamed_from);
    if (!old || find(ctx_.live().policies, policy.table, policy.name) ||
        find(ctx_.target.policies, policy.table, *policy.renamed_from)) {
      continue;
    }
    Emit({KeyKind::Policy, policy.table, policy.name}, ObjectKind::Policy,
         {policy.table.schema, policy.table.name + "." + policy.name},
         fmt::format("policy {} on {}: renamed from {}", policy.name, Display(policy.table),
                     *policy.renamed_from),
         fmt::format("ALTER POLICY {} ON {} RENAME TO {};", QuoteIdent(*policy.renamed_from),
                     QuoteQualified(policy.table), QuoteIdent(policy.name)),
         policy.loc);
    ctx_.MutableLive().policies[*old].name = policy.name;
  }
}

void Renamer::Run(const CatalogIndex& target_index) {
  Schemas();
  const model::Catalog& target = ctx_.target;
  using C = model::Catalog;
  Objects(target.enums, &C::enums, KeyKind::Type, ObjectKind::Enum, "TYPE", Use::Type);
  Objects(target.domains, &C::domains, KeyKind::Type, ObjectKind::Domain, "DOMAIN", Use::Type);
  Objects(target.composite_types, &C::composite_types, KeyKind::Type, ObjectKind::CompositeType,
          "TYPE", Use::Type);
  Objects(target.sequences, &C::sequences, KeyKind::Sequence, ObjectKind::Sequence, "SEQUENCE",
          Use::Relation);
  Objects(target.tables, &C::tables, KeyKind::Table, ObjectKind::Table, "TABLE", Use::Relation);
  Objects(target.views, &C::views, KeyKind::View, ObjectKind::View, "VIEW", Use::Relation);
  // Table positions are stable from here on (no table is renamed or moved any more).
  const std::vector<model::Table>& tables = ctx_.live().tables;
  for (size_t i = 0; i < tables.size(); ++i) table_positions_[tables[i].name] = i;
  for (const model::Table& table : target.tables) {
    Columns(table);
    Constraints(table);
  }
  Indexes(target_index);
  Policies();
}

}  // namespace

void ResolveRenames(Context& ctx) {
  ctx.target_index = std::make_unique<CatalogIndex>(ctx.target);
  Renamer(ctx).Run(*ctx.target_index);
  if (!ctx.renamed.empty()) model::SortCatalog(ctx.MutableLive());  // renames break the order
  ctx.live_index = std::make_unique<CatalogIndex>(ctx.live());
}

}  // namespace schemac::diff::internal
