// Lookups into one model::Catalog by name, and which of its objects each object uses. Internal to
// compiler/diff.
#pragma once

#include <map>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/diff/internal/builder.h"
#include "compiler/diff/internal/sql_names.h"
#include "compiler/model/model.h"

namespace schemac::diff::internal {

using model::QualifiedName;

// Hashes for lookups (never iterated on a path that produces output).
struct NameHash {
  size_t operator()(const QualifiedName& n) const {
    return std::hash<std::string>{}(n.schema) * 31 + std::hash<std::string>{}(n.name);
  }
};
struct MemberHash {
  size_t operator()(const std::pair<QualifiedName, std::string>& m) const {
    return NameHash{}(m.first) * 31 + std::hash<std::string>{}(m.second);
  }
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    return (NameHash{}(k.name) * 31 + std::hash<std::string>{}(k.sub)) * 16 +
           static_cast<size_t>(k.kind);
  }
};

class CatalogIndex {
 public:
  // `catalog` must outlive the index.
  explicit CatalogIndex(const model::Catalog& catalog);

  const model::Catalog& catalog() const { return catalog_; }

  const model::Schema* FindSchema(const std::string& name) const;
  const model::Extension* FindExtension(const std::string& name) const;
  const model::Collation* FindCollation(const QualifiedName& name) const;
  // The key of a collation name as a column or index element holds it ("public.numeric"), when it
  // is a collation of this catalog.
  std::optional<Key> CollationKey(const std::optional<std::string>& collation) const;
  const model::Enum* FindEnum(const QualifiedName& name) const;
  const model::Domain* FindDomain(const QualifiedName& name) const;
  const model::CompositeType* FindComposite(const QualifiedName& name) const;
  const model::Sequence* FindSequence(const QualifiedName& name) const;
  const model::Table* FindTable(const QualifiedName& name) const;
  const model::View* FindView(const QualifiedName& name) const;
  const model::Index* FindIndex(const QualifiedName& name) const;
  // By schema and signature ("f(integer)").
  const model::Function* FindRoutine(const QualifiedName& signature) const;
  const model::Trigger* FindTrigger(const QualifiedName& table, const std::string& name) const;
  const model::Policy* FindPolicy(const QualifiedName& table, const std::string& name) const;
  const model::Column* FindColumn(const QualifiedName& table, const std::string& name) const;
  const model::Constraint* FindConstraint(const QualifiedName& table,
                                          const std::string& name) const;
  const std::vector<const model::Index*>& IndexesOf(const QualifiedName& table) const;
  // Every overload of a routine name.
  std::vector<const model::Function*> Overloads(const QualifiedName& name) const;
  // The table of an index, trigger, policy, column or constraint key; the object itself otherwise.
  std::optional<QualifiedName> TableOf(const Key& key) const;

  // The key of the type `type` names, when it is a type of this catalog (enum, domain, composite,
  // or the row type of a table or view).
  std::optional<Key> TypeKey(const model::TypeName& type) const;
  // The keys a name in embedded SQL may refer to: relations, types and routines. A bare name
  // means schema public (the language has no search path, and the runtime's canonical texts
  // qualify every other schema).
  std::vector<Key> Resolve(const NameRef& ref) const;

  // The objects `key` uses: its `deps`, its structural references (column types, foreign key
  // targets, partition parents, trigger functions, the tables of indexes, triggers and policies)
  // and the names its embedded SQL mentions. Never contains `key` itself.
  std::vector<Key> Uses(const Key& key) const;
  // The objects that use `key` (the reverse of Uses over every object of the catalog). Built on
  // the first call: a plan without removals or recreations never pays for it.
  const std::vector<Key>& UsedBy(const Key& key) const;
  // The embedded SQL of the object `key` (queries, expressions, bodies), for Mentions.
  std::vector<std::string_view> Texts(const Key& key) const;
  // Every key of the catalog's objects (columns and constraints included), sorted.
  std::vector<Key> AllKeys() const;

 private:
  // AllKeys, unsorted.
  std::vector<Key> Keys() const;
  void AddDeps(const std::vector<model::ObjectId>& deps, std::vector<Key>& out) const;
  void AddMentions(std::string_view text, std::vector<Key>& out) const;

  template <typename T>
  using ByName = std::unordered_map<QualifiedName, const T*, NameHash>;
  template <typename T>
  using ByMember = std::unordered_map<std::pair<QualifiedName, std::string>, const T*, MemberHash>;

  const model::Catalog& catalog_;
  std::map<std::string, const model::Schema*> schemas_;
  std::map<std::string, const model::Extension*> extensions_;
  ByName<model::Collation> collations_;
  ByName<model::Enum> enums_;
  ByName<model::Domain> domains_;
  ByName<model::CompositeType> composites_;
  ByName<model::Sequence> sequences_;
  ByName<model::Table> tables_;
  ByName<model::View> views_;
  ByName<model::Index> indexes_;
  ByName<model::Function> routines_;
  std::unordered_map<QualifiedName, std::vector<const model::Function*>, NameHash> overloads_;
  std::unordered_map<QualifiedName, std::vector<const model::Index*>, NameHash> indexes_by_table_;
  ByMember<model::Trigger> triggers_;
  ByMember<model::Policy> policies_;
  mutable std::optional<std::unordered_map<Key, std::vector<Key>, KeyHash>> used_by_;
};

}  // namespace schemac::diff::internal
