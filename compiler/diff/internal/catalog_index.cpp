// CatalogIndex: name lookups and the uses relation of one catalog.
#include "compiler/diff/internal/catalog_index.h"

#include <algorithm>
#include <set>

namespace schemac::diff::internal {

namespace {

// Whether a routine's body is parsed at creation (`RETURN ...` / `BEGIN ATOMIC`): only then does
// PostgreSQL record what the body uses.
bool IsSqlStandardBody(const model::Function& function) {
  if (function.language != "sql") return false;
  std::vector<NameRef> refs = NameRefs(function.body.text.substr(0, 64));
  if (refs.empty()) return false;
  if (refs[0].qualifier.empty() && refs[0].name == "return") return true;
  return refs.size() > 1 && refs[0].name == "begin" && refs[1].name == "atomic";
}

void SortUnique(std::vector<Key>& keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

template <typename Map, typename Name>
auto Lookup(const Map& map, const Name& name) -> typename Map::mapped_type {
  auto it = map.find(name);
  return it == map.end() ? nullptr : it->second;
}

bool SameSet(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

CatalogIndex::CatalogIndex(const model::Catalog& catalog) : catalog_(catalog) {
  for (const auto& s : catalog.schemas) schemas_[s.name] = &s;
  for (const auto& e : catalog.extensions) extensions_[e.name] = &e;
  for (const auto& c : catalog.collations) collations_[c.name] = &c;
  for (const auto& e : catalog.enums) enums_[e.name] = &e;
  for (const auto& d : catalog.domains) domains_[d.name] = &d;
  for (const auto& c : catalog.composite_types) composites_[c.name] = &c;
  for (const auto& s : catalog.sequences) sequences_[s.name] = &s;
  for (const auto& t : catalog.tables) tables_[t.name] = &t;
  for (const auto& v : catalog.views) views_[v.name] = &v;
  for (const auto& i : catalog.indexes) {
    QualifiedName name = i.name;
    if (name.schema.empty()) name.schema = i.table.schema;
    indexes_[name] = &i;
    indexes_by_table_[i.table].push_back(&i);
  }
  for (const auto& f : catalog.functions) {
    routines_[{f.name.schema, f.Signature()}] = &f;
    overloads_[f.name].push_back(&f);
  }
  for (const auto& t : catalog.triggers) triggers_[{t.table, t.name}] = &t;
  for (const auto& p : catalog.policies) policies_[{p.table, p.name}] = &p;
}

const model::Schema* CatalogIndex::FindSchema(const std::string& name) const {
  return Lookup(schemas_, name);
}
const model::Extension* CatalogIndex::FindExtension(const std::string& name) const {
  return Lookup(extensions_, name);
}
const model::Collation* CatalogIndex::FindCollation(const QualifiedName& name) const {
  return Lookup(collations_, name);
}
std::optional<Key> CatalogIndex::CollationKey(const std::optional<std::string>& collation) const {
  if (!collation || collations_.empty()) return std::nullopt;
  const size_t dot = collation->find('.');
  if (dot == std::string::npos) return std::nullopt;
  QualifiedName name{collation->substr(0, dot), collation->substr(dot + 1)};
  if (!collations_.contains(name)) return std::nullopt;
  return Key{KeyKind::Collation, std::move(name), ""};
}
const model::Enum* CatalogIndex::FindEnum(const QualifiedName& name) const {
  return Lookup(enums_, name);
}
const model::Domain* CatalogIndex::FindDomain(const QualifiedName& name) const {
  return Lookup(domains_, name);
}
const model::CompositeType* CatalogIndex::FindComposite(const QualifiedName& name) const {
  return Lookup(composites_, name);
}
const model::Sequence* CatalogIndex::FindSequence(const QualifiedName& name) const {
  return Lookup(sequences_, name);
}
const model::Table* CatalogIndex::FindTable(const QualifiedName& name) const {
  return Lookup(tables_, name);
}
const model::View* CatalogIndex::FindView(const QualifiedName& name) const {
  return Lookup(views_, name);
}
const model::Index* CatalogIndex::FindIndex(const QualifiedName& name) const {
  return Lookup(indexes_, name);
}
const model::Function* CatalogIndex::FindRoutine(const QualifiedName& signature) const {
  return Lookup(routines_, signature);
}
const model::Trigger* CatalogIndex::FindTrigger(const QualifiedName& table,
                                                const std::string& name) const {
  return Lookup(triggers_, std::pair(table, name));
}
const model::Policy* CatalogIndex::FindPolicy(const QualifiedName& table,
                                              const std::string& name) const {
  return Lookup(policies_, std::pair(table, name));
}

const model::Column* CatalogIndex::FindColumn(const QualifiedName& table,
                                              const std::string& name) const {
  const model::Table* t = FindTable(table);
  if (t == nullptr) return nullptr;
  for (const model::Column& column : t->columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

const model::Constraint* CatalogIndex::FindConstraint(const QualifiedName& table,
                                                      const std::string& name) const {
  const model::Table* t = FindTable(table);
  if (t == nullptr) return nullptr;
  for (const model::Constraint& constraint : t->constraints) {
    if (constraint.name == name) return &constraint;
  }
  return nullptr;
}

const std::vector<const model::Index*>& CatalogIndex::IndexesOf(const QualifiedName& table) const {
  static const std::vector<const model::Index*> kNone;
  auto it = indexes_by_table_.find(table);
  return it == indexes_by_table_.end() ? kNone : it->second;
}

std::vector<const model::Function*> CatalogIndex::Overloads(const QualifiedName& name) const {
  auto it = overloads_.find(name);
  return it == overloads_.end() ? std::vector<const model::Function*>{} : it->second;
}

std::optional<QualifiedName> CatalogIndex::TableOf(const Key& key) const {
  switch (key.kind) {
    case KeyKind::Table:
    case KeyKind::Column:
    case KeyKind::Constraint:
    case KeyKind::Trigger:
    case KeyKind::Policy: return key.name;
    case KeyKind::Index: {
      const model::Index* index = FindIndex(key.name);
      if (index != nullptr) return index->table;
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::optional<Key> CatalogIndex::TypeKey(const model::TypeName& type) const {
  if (type.IsBuiltin()) return std::nullopt;
  QualifiedName name{type.schema, type.name};
  if (enums_.contains(name) || domains_.contains(name) || composites_.contains(name)) {
    return Key{KeyKind::Type, name, ""};
  }
  if (tables_.contains(name)) return Key{KeyKind::Table, name, ""};
  if (views_.contains(name)) return Key{KeyKind::View, name, ""};
  return std::nullopt;
}

std::vector<Key> CatalogIndex::Resolve(const NameRef& ref) const {
  QualifiedName name{ref.qualifier.empty() ? "public" : ref.qualifier, ref.name};
  std::vector<Key> keys;
  if (tables_.contains(name)) keys.push_back({KeyKind::Table, name, ""});
  if (views_.contains(name)) keys.push_back({KeyKind::View, name, ""});
  if (sequences_.contains(name)) keys.push_back({KeyKind::Sequence, name, ""});
  if (enums_.contains(name) || domains_.contains(name) || composites_.contains(name)) {
    keys.push_back({KeyKind::Type, name, ""});
  }
  for (const model::Function* f : Overloads(name)) {
    keys.push_back({KeyKind::Routine, {f->name.schema, f->Signature()}, ""});
  }
  return keys;
}

void CatalogIndex::AddDeps(const std::vector<model::ObjectId>& deps, std::vector<Key>& out) const {
  using model::ObjectKind;
  for (const model::ObjectId& dep : deps) {
    switch (dep.kind) {
      case ObjectKind::Extension:
        if (extensions_.contains(dep.name.name)) {
          out.push_back({KeyKind::Extension, {"", dep.name.name}, ""});
        }
        break;
      case ObjectKind::Function:
      case ObjectKind::Procedure:
        if (routines_.contains(dep.name)) {
          out.push_back({KeyKind::Routine, dep.name, ""});
        } else {
          for (const model::Function* f : Overloads(dep.name)) {
            out.push_back({KeyKind::Routine, {f->name.schema, f->Signature()}, ""});
          }
        }
        break;
      case ObjectKind::Index:
        if (indexes_.contains(dep.name)) out.push_back({KeyKind::Index, dep.name, ""});
        break;
      case ObjectKind::Collation:
        if (collations_.contains(dep.name)) out.push_back({KeyKind::Collation, dep.name, ""});
        break;
      case ObjectKind::Schema:
      case ObjectKind::Trigger:
      case ObjectKind::Policy:
      case ObjectKind::Constraint: break;
      default:
        // Types and relations: what the name is in this catalog decides the key.
        for (const Key& key : Resolve({dep.name.schema, dep.name.name})) {
          if (key.kind != KeyKind::Routine) out.push_back(key);
        }
    }
  }
}

void CatalogIndex::AddMentions(std::string_view text, std::vector<Key>& out) const {
  for (const NameRef& ref : NameRefs(text)) {
    for (Key& key : Resolve(ref)) out.push_back(std::move(key));
  }
}

std::vector<std::string_view> CatalogIndex::Texts(const Key& key) const {
  std::vector<std::string_view> texts;
  auto add = [&texts](const std::optional<model::Expr>& e) {
    if (e) texts.push_back(e->text);
  };
  switch (key.kind) {
    case KeyKind::Type:
      if (const model::Domain* d = FindDomain(key.name)) {
        add(d->default_expr);
        for (const model::DomainCheck& check : d->checks) texts.push_back(check.expression.text);
      }
      break;
    case KeyKind::Routine:
      if (const model::Function* f = FindRoutine(key.name)) {
        // A SQL-standard body is parsed at CREATE time, and so is any `language sql` body (with
        // check_function_bodies on): the relations it reads must exist first. A compiled target
        // says which in `deps`; a model read from a database has none, so its names stand in.
        if (IsSqlStandardBody(*f) || (f->language == "sql" && f->deps.empty())) texts.push_back(f->body.text);
        for (const model::FunctionArg& arg : f->args) add(arg.default_expr);
      }
      break;
    case KeyKind::Column:
      if (const model::Column* c = FindColumn(key.name, key.sub)) {
        add(c->default_expr);
        add(c->generated);
      }
      break;
    case KeyKind::Constraint:
      if (const model::Constraint* c = FindConstraint(key.name, key.sub)) {
        add(c->expression);
        for (const model::IndexElement& e : c->elements) {
          if (!e.is_column) texts.push_back(e.expression);
        }
      }
      break;
    case KeyKind::Index:
      if (const model::Index* i = FindIndex(key.name)) {
        add(i->where);
        for (const model::IndexElement& e : i->elements) {
          if (!e.is_column) texts.push_back(e.expression);
        }
      }
      break;
    case KeyKind::View:
      if (const model::View* v = FindView(key.name)) texts.push_back(v->query.text);
      break;
    case KeyKind::Trigger:
      if (const model::Trigger* t = FindTrigger(key.name, key.sub)) add(t->when);
      break;
    case KeyKind::Policy:
      if (const model::Policy* p = FindPolicy(key.name, key.sub)) {
        add(p->using_expr);
        add(p->with_check);
      }
      break;
    default: break;
  }
  return texts;
}

std::vector<Key> CatalogIndex::Uses(const Key& key) const {
  std::vector<Key> out;
  auto add_type = [&](const model::TypeName& type) {
    if (std::optional<Key> k = TypeKey(type)) out.push_back(*k);
  };
  auto add_collation = [&](const std::optional<std::string>& collation) {
    if (std::optional<Key> k = CollationKey(collation)) out.push_back(*k);
  };
  auto add_columns = [&](const QualifiedName& table, const std::vector<std::string>& columns) {
    for (const std::string& c : columns) out.push_back({KeyKind::Column, table, c});
  };
  for (std::string_view text : Texts(key)) AddMentions(text, out);
  switch (key.kind) {
    case KeyKind::Type:
      if (const model::Domain* d = FindDomain(key.name)) {
        add_type(d->base_type);
        add_collation(d->collation);
        AddDeps(d->deps, out);
      } else if (const model::CompositeType* c = FindComposite(key.name)) {
        for (const model::CompositeField& field : c->fields) {
          add_type(field.type);
          add_collation(field.collation);
        }
        AddDeps(c->deps, out);
      }
      break;
    case KeyKind::Routine:
      if (const model::Function* f = FindRoutine(key.name)) {
        for (const model::FunctionArg& arg : f->args) add_type(arg.type);
        for (const model::FunctionArg& arg : f->returns_table) add_type(arg.type);
        if (f->returns) add_type(*f->returns);
        AddDeps(f->deps, out);
      }
      break;
    case KeyKind::Table:
      if (const model::Table* t = FindTable(key.name); t != nullptr) {
        if (t->partition_of) out.push_back({KeyKind::Table, *t->partition_of, ""});
        for (const QualifiedName& parent : t->inherits) out.push_back({KeyKind::Table, parent, ""});
      }
      break;
    case KeyKind::Column:
      if (const model::Column* c = FindColumn(key.name, key.sub)) {
        add_type(c->type);
        add_collation(c->collation);
      }
      out.push_back({KeyKind::Table, key.name, ""});
      break;
    case KeyKind::Constraint: {
      const model::Constraint* c = FindConstraint(key.name, key.sub);
      out.push_back({KeyKind::Table, key.name, ""});
      if (c == nullptr) break;
      add_columns(key.name, c->columns);
      for (const model::IndexElement& e : c->elements) {
        if (e.is_column) add_columns(key.name, {e.expression});
        add_collation(e.collation);
      }
      if (c->kind != model::ConstraintKind::ForeignKey) break;
      out.push_back({KeyKind::Table, c->ref_table, ""});
      add_columns(c->ref_table, c->ref_columns);
      // The unique key the foreign key relies on: a constraint or a unique index.
      if (const model::Table* ref = FindTable(c->ref_table)) {
        for (const model::Constraint& k : ref->constraints) {
          bool unique = k.kind == model::ConstraintKind::PrimaryKey ||
                        k.kind == model::ConstraintKind::Unique;
          bool match = c->ref_columns.empty() ? k.kind == model::ConstraintKind::PrimaryKey
                                              : SameSet(k.columns, c->ref_columns);
          if (unique && match) out.push_back({KeyKind::Constraint, ref->name, k.name});
        }
      }
      for (const model::Index* index : IndexesOf(c->ref_table)) {
        std::vector<std::string> columns;
        for (const model::IndexElement& e : index->elements) columns.push_back(e.expression);
        if (index->unique && SameSet(columns, c->ref_columns)) {
          QualifiedName name = index->name;
          if (name.schema.empty()) name.schema = index->table.schema;
          out.push_back({KeyKind::Index, name, ""});
        }
      }
      break;
    }
    case KeyKind::Index:
      if (const model::Index* i = FindIndex(key.name)) {
        out.push_back({KeyKind::Table, i->table, ""});
        if (views_.contains(i->table)) out.back().kind = KeyKind::View;
        for (const model::IndexElement& e : i->elements) {
          if (e.is_column) add_columns(i->table, {e.expression});
          add_collation(e.collation);
        }
        add_columns(i->table, i->include);
        AddDeps(i->deps, out);
      }
      break;
    case KeyKind::View:
      if (const model::View* v = FindView(key.name)) AddDeps(v->deps, out);
      break;
    case KeyKind::Trigger:
      if (const model::Trigger* t = FindTrigger(key.name, key.sub)) {
        out.push_back({views_.contains(t->table) ? KeyKind::View : KeyKind::Table, t->table, ""});
        for (const model::Function* f : Overloads(t->function)) {
          out.push_back({KeyKind::Routine, {f->name.schema, f->Signature()}, ""});
        }
        add_columns(t->table, t->update_columns);
        AddDeps(t->deps, out);
      }
      break;
    case KeyKind::Policy:
      if (const model::Policy* p = FindPolicy(key.name, key.sub)) {
        out.push_back({KeyKind::Table, p->table, ""});
        AddDeps(p->deps, out);
      }
      break;
    default: break;
  }
  SortUnique(out);
  std::erase(out, key);
  return out;
}

std::vector<Key> CatalogIndex::AllKeys() const {
  std::vector<Key> keys = Keys();
  SortUnique(keys);
  return keys;
}

std::vector<Key> CatalogIndex::Keys() const {
  std::vector<Key> keys;
  for (const auto& [name, e] : extensions_) keys.push_back({KeyKind::Extension, {"", name}, ""});
  for (const auto& [name, s] : schemas_) keys.push_back({KeyKind::Schema, {"", name}, ""});
  for (const auto& [name, c] : collations_) keys.push_back({KeyKind::Collation, name, ""});
  for (const auto& [name, t] : enums_) keys.push_back({KeyKind::Type, name, ""});
  for (const auto& [name, t] : domains_) keys.push_back({KeyKind::Type, name, ""});
  for (const auto& [name, t] : composites_) keys.push_back({KeyKind::Type, name, ""});
  for (const auto& [name, s] : sequences_) keys.push_back({KeyKind::Sequence, name, ""});
  for (const auto& [name, f] : routines_) keys.push_back({KeyKind::Routine, name, ""});
  for (const auto& [name, t] : tables_) {
    keys.push_back({KeyKind::Table, name, ""});
    for (const model::Column& c : t->columns) keys.push_back({KeyKind::Column, name, c.name});
    for (const model::Constraint& c : t->constraints) {
      keys.push_back({KeyKind::Constraint, name, c.name});
    }
  }
  for (const auto& [name, v] : views_) keys.push_back({KeyKind::View, name, ""});
  for (const auto& [name, i] : indexes_) keys.push_back({KeyKind::Index, name, ""});
  for (const auto& [key, t] : triggers_) keys.push_back({KeyKind::Trigger, key.first, key.second});
  for (const auto& [key, p] : policies_) keys.push_back({KeyKind::Policy, key.first, key.second});
  return keys;
}

const std::vector<Key>& CatalogIndex::UsedBy(const Key& key) const {
  if (!used_by_) {
    used_by_.emplace();
    // Each users list is sorted below; the order keys are visited in does not matter.
    for (const Key& user : Keys()) {
      for (const Key& used : Uses(user)) (*used_by_)[used].push_back(user);
    }
    for (auto& [used, users] : *used_by_) SortUnique(users);
  }
  static const std::vector<Key> kNone;
  auto it = used_by_->find(key);
  return it == used_by_->end() ? kNone : it->second;
}

}  // namespace schemac::diff::internal
