// Implicit names, derived exactly the way PostgreSQL 15 derives them when it executes the
// equivalent SQL (ChooseRelationName / ChooseConstraintName, see naming.h).
//
// A model is declarative, so "the order the SQL runs in" is fixed here:
//   1. Every explicit name is reserved first, so a derived name never takes a name the schema
//      spells out (the numbering skips it instead: t_a_key1).
//   2. Domain check constraints, domains in sorted name order.
//   3. Tables in sorted name order; within a table, in the order CREATE TABLE names things:
//      identity/serial sequences (column order), check constraints, then the primary key, unique
//      and exclusion constraints (primary key first), then foreign keys, then the table's
//      indexes (in-block ones, then top-level ones in file order). Within each kind, constraints
//      are taken in source order, column-level and table-level alike, as PostgreSQL walks the
//      elements of CREATE TABLE.
//   4. Indexes of materialized views.
// Conflicts are checked per schema: relation names (tables, views, sequences, indexes, composite
// types) and constraint names (every table's and domain's constraints in the schema), as
// PostgreSQL does.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/context.h"
#include "compiler/sema/naming.h"

namespace schemac::sema {
namespace {

using model::ConstraintKind;

struct Taken {
  std::map<std::string, std::set<std::string>> relations;    // schema -> names
  std::map<std::string, std::set<std::string>> constraints;  // schema -> names
};

// The one column a check constraint references, if it references exactly one (PostgreSQL names
// such a check <table>_<column>_check, any other <table>_check).
std::optional<std::string> SingleCheckColumn(Context& ctx, const TableState& table,
                                             const ast::SqlText& text) {
  const sqltext::Result* sql = ctx.Sql(text, sqltext::Context::Expression);
  if (sql == nullptr) return std::nullopt;
  std::set<std::string> columns;
  for (const sqltext::Ref& ref : sql->refs) {
    if (ref.kind != sqltext::Ref::Kind::Column || ref.names.empty()) continue;
    const std::string& column = ref.names.back();
    if (ref.names.size() == 2 && ref.names[0] != table.model.name.name) continue;
    if (ref.names.size() > 2) continue;
    if (ctx.FindColumn(table, column) != nullptr) columns.insert(column);
  }
  if (columns.size() != 1) return std::nullopt;
  return *columns.begin();
}

std::vector<std::string> ElementNames(const std::vector<model::IndexElement>& elements,
                                      const std::vector<std::string>& include) {
  std::vector<std::string> names;
  for (const model::IndexElement& e : elements) {
    names.push_back(e.is_column ? e.expression : FigureIndexColname(e.expression));
  }
  names.insert(names.end(), include.begin(), include.end());
  return IndexColumnNames(names);
}

// The table's constraints in source order (a block is always in one file).
std::vector<ConstraintState*> InSourceOrder(TableState& table) {
  std::vector<ConstraintState*> out;
  for (ConstraintState& c : table.constraints) out.push_back(&c);
  std::stable_sort(out.begin(), out.end(), [](const ConstraintState* a, const ConstraintState* b) {
    return a->model.loc.begin < b->model.loc.begin;
  });
  return out;
}

void NameTable(Context& ctx, TableState& table, Taken& taken) {
  const std::string& schema = table.model.name.schema;
  const std::string& tname = table.model.name.name;
  std::set<std::string>& relations = taken.relations[schema];
  std::set<std::string>& constraints = taken.constraints[schema];
  auto relation_taken = [&](const std::string& n) { return relations.contains(n); };
  auto constraint_taken = [&](const std::string& n) { return constraints.contains(n); };
  auto index_constraint_taken = [&](const std::string& n) {
    return relations.contains(n) || constraints.contains(n);
  };

  for (const model::Column& col : table.model.columns) {
    if (col.identity == model::IdentityKind::None && !col.serial) continue;
    std::string name = ChooseObjectName(tname, col.name, "seq", relation_taken);
    relations.insert(name);
    table.implicit_sequences[col.name] = name;
    ctx.implicit_sequences[{schema, name}] = {&table, col.name};
  }
  const std::vector<ConstraintState*> ordered = InSourceOrder(table);
  for (ConstraintState* c : ordered) {
    if (c->model.kind != ConstraintKind::Check || c->model.name_explicit || c->check == nullptr) {
      continue;
    }
    const std::optional<std::string> column = SingleCheckColumn(ctx, table, *c->check);
    c->model.name = ChooseObjectName(
        tname, column ? std::optional<std::string_view>(*column) : std::nullopt, "check",
        constraint_taken);
    constraints.insert(c->model.name);
  }
  // The primary key's index is created first, then the others (transformIndexConstraints).
  std::vector<ConstraintState*> index_backed;
  for (ConstraintState* c : ordered) {
    if (c->model.kind == ConstraintKind::PrimaryKey && !c->dropped) index_backed.push_back(c);
  }
  for (ConstraintState* c : ordered) {
    if ((c->model.kind == ConstraintKind::Unique || c->model.kind == ConstraintKind::Exclude) &&
        !c->dropped) {
      index_backed.push_back(c);
    }
  }
  for (ConstraintState* c : index_backed) {
    if (c->model.name_explicit) continue;
    if (c->model.kind == ConstraintKind::PrimaryKey) {
      // The primary key's name does not depend on its columns.
      c->model.name = ChooseObjectName(tname, std::nullopt, "pkey", index_constraint_taken);
    } else {
      std::vector<std::string> names;
      if (c->model.kind == ConstraintKind::Exclude) {
        names = ElementNames(c->model.elements, {});
      } else {
        names = c->model.columns;
        names.insert(names.end(), c->model.include.begin(), c->model.include.end());
        names = IndexColumnNames(names);
      }
      const char* label = c->model.kind == ConstraintKind::Exclude ? "excl" : "key";
      c->model.name = ChooseObjectName(tname, NameAddition(names), label, index_constraint_taken);
    }
    relations.insert(c->model.name);
    constraints.insert(c->model.name);
  }
  for (ConstraintState* c : ordered) {
    if (c->model.kind != ConstraintKind::ForeignKey || c->model.name_explicit) continue;
    c->model.name =
        ChooseObjectName(tname, NameAddition(c->model.columns), "fkey", constraint_taken);
    constraints.insert(c->model.name);
  }
  for (IndexState* index : table.indexes) {
    if (index->model.name_explicit || index->duplicate) continue;
    const std::vector<std::string> names = ElementNames(index->model.elements, index->model.include);
    index->model.name = {schema, ChooseObjectName(tname, NameAddition(names), "idx", relation_taken)};
    relations.insert(index->model.name.name);
  }
}

}  // namespace

void AssignImplicitNames(Context& ctx) {
  Taken taken;
  for (const auto& [name, entry] : ctx.relation_names) taken.relations[name.schema].insert(name.name);
  for (const TableState& t : ctx.tables) {
    for (const ConstraintState& c : t.constraints) {
      if (c.model.name_explicit) taken.constraints[t.model.name.schema].insert(c.model.name);
    }
  }
  for (const DomainState& d : ctx.domains) {
    for (const model::DomainCheck& check : d.model.checks) {
      if (check.name_explicit) taken.constraints[d.model.name.schema].insert(check.name);
    }
  }

  for (auto& [name, domain] : ctx.domain_by_name) {
    std::set<std::string>& constraints = taken.constraints[name.schema];
    for (model::DomainCheck& check : domain->model.checks) {
      if (check.name_explicit) continue;
      check.name = ChooseObjectName(name.name, std::nullopt, "check",
                                    [&](const std::string& n) { return constraints.contains(n); });
      constraints.insert(check.name);
    }
  }
  for (auto& [name, table] : ctx.table_by_name) NameTable(ctx, *table, taken);
  for (IndexState& index : ctx.indexes) {
    if (!index.on_materialized_view || index.model.name_explicit || index.duplicate) continue;
    std::set<std::string>& relations = taken.relations[index.model.table.schema];
    const std::vector<std::string> names = ElementNames(index.model.elements, index.model.include);
    index.model.name = {index.model.table.schema,
                        ChooseObjectName(index.model.table.name, NameAddition(names), "idx",
                                         [&](const std::string& n) { return relations.contains(n); })};
    relations.insert(index.model.name.name);
  }
}

}  // namespace schemac::sema
