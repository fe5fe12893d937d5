// Readers for grants.sql and unsupported.sql, and the final sort.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <tuple>

#include "runtime/catalog/internal/reader.h"

namespace schemac::catalog::internal {
namespace {

auto GrantKey(const model::Grant& g) {
  return std::tie(g.object, g.object_kind, g.column, g.grantee, g.privilege);
}

template <typename T, typename Key>
void SortBy(std::vector<T>& items, Key key) {
  std::stable_sort(items.begin(), items.end(),
                   [&](const T& a, const T& b) { return key(a) < key(b); });
}

}  // namespace

void Reader::ReadGrants(const Rows& rows) {
  for (const Row& row : rows) {
    const std::string object_class = Str(row, "class");
    model::Grant g;
    g.privilege = Str(row, "privilege");
    g.grantee = Str(row, "grantee");
    g.with_grant_option = Bool(row, "with_grant_option");
    std::string shown_kind = object_class;
    if (object_class == "relation" || object_class == "column") {
      // Tables, views, materialized views and sequences: GRANT ... ON TABLE covers them all.
      g.object_kind = model::ObjectKind::Table;
      g.object = {Str(row, "schema"), Str(row, "name")};
      if (object_class == "column") g.column = Str(row, "column");
    } else if (object_class == "schema") {
      g.object_kind = model::ObjectKind::Schema;
      g.object = {"", Str(row, "name")};
    } else if (object_class == "function" || object_class == "procedure") {
      auto it = function_by_oid.find(Str(row, "oid"));
      if (it == function_by_oid.end()) continue;  // an aggregate: reported as unsupported
      const model::Function& f = catalog.functions[it->second];
      g.object_kind = f.is_procedure ? model::ObjectKind::Procedure : model::ObjectKind::Function;
      g.object = {f.name.schema, f.Signature()};
    } else if (object_class == "enum") {
      g.object_kind = model::ObjectKind::Enum;
      g.object = {Str(row, "schema"), Str(row, "name")};
    } else if (object_class == "domain") {
      g.object_kind = model::ObjectKind::Domain;
      g.object = {Str(row, "schema"), Str(row, "name")};
    } else if (object_class == "composite") {
      g.object_kind = model::ObjectKind::CompositeType;
      g.object = {Str(row, "schema"), Str(row, "name")};
      shown_kind = "type";
    } else {
      throw std::runtime_error(fmt::format("grants query: unknown object class '{}'", object_class));
    }
    if (Bool(row, "revoked")) {
      std::string object = g.object.schema.empty() ? model::QuoteIdent(g.object.name)
                           : g.object_kind == model::ObjectKind::Function ||
                                   g.object_kind == model::ObjectKind::Procedure
                               ? model::QuoteIdent(g.object.schema) + "." + g.object.name
                               : model::QuoteQualified(g.object);
      if (g.column) object += "." + model::QuoteIdent(*g.column);
      unsupported.push_back(Unsupported{
          .kind = "revoked default privilege",
          .name = fmt::format("{} on {} {} from {}", g.privilege,
                              object_class == "relation" ? "table" : shown_kind, object,
                              g.grantee)});
      continue;
    }
    catalog.grants.push_back(std::move(g));
  }
}

void Reader::ReadUnsupported(const Rows& rows) {
  for (const Row& row : rows) {
    unsupported.push_back(Unsupported{.kind = Str(row, "kind"), .name = Str(row, "name")});
  }
}

void Reader::Finish() {
  model::Catalog& c = catalog;
  SortBy(c.extensions, [](const model::Extension& e) { return e.name; });
  SortBy(c.schemas, [](const model::Schema& s) { return s.name; });
  SortBy(c.collations, [](const model::Collation& k) { return k.name; });
  SortBy(c.enums, [](const model::Enum& e) { return e.name; });
  SortBy(c.domains, [](const model::Domain& d) { return d.name; });
  SortBy(c.composite_types, [](const model::CompositeType& t) { return t.name; });
  SortBy(c.sequences, [](const model::Sequence& s) { return s.name; });
  SortBy(c.tables, [](const model::Table& t) { return t.name; });
  for (model::Table& t : c.tables) {
    SortBy(t.constraints, [](const model::Constraint& k) { return k.name; });
  }
  SortBy(c.indexes, [](const model::Index& i) { return std::tie(i.table, i.name); });
  SortBy(c.views, [](const model::View& v) { return v.name; });
  SortBy(c.functions,
         [](const model::Function& f) { return std::make_pair(f.name, f.Signature()); });
  SortBy(c.triggers, [](const model::Trigger& t) { return std::tie(t.table, t.name); });
  SortBy(c.policies, [](const model::Policy& p) { return std::tie(p.table, p.name); });

  // One privilege granted by two grantors is one privilege, with grant option if either has it.
  SortBy(c.grants, GrantKey);
  std::vector<model::Grant> merged;
  for (model::Grant& g : c.grants) {
    if (!merged.empty() && GrantKey(merged.back()) == GrantKey(g)) {
      merged.back().with_grant_option = merged.back().with_grant_option || g.with_grant_option;
      continue;
    }
    merged.push_back(std::move(g));
  }
  c.grants = std::move(merged);

  std::set<std::string> roles;
  for (const model::Grant& g : c.grants) roles.insert(g.grantee);
  for (const model::Policy& p : c.policies) roles.insert(p.roles.begin(), p.roles.end());
  roles.erase("public");
  c.roles.assign(roles.begin(), roles.end());

  std::sort(unsupported.begin(), unsupported.end());
  unsupported.erase(std::unique(unsupported.begin(), unsupported.end()), unsupported.end());
  // function_by_oid indexes are stale after sorting; nothing reads them any more.
  function_by_oid.clear();
}

}  // namespace schemac::catalog::internal
