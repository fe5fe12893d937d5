// CreateAll: the whole catalog as one creation script.
#include "compiler/sqlgen/sqlgen.h"

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>

#include "compiler/sqlgen/order.h"
#include "compiler/sqlgen/render.h"

namespace schemac::sqlgen {

namespace {

// Pointers to the elements of `items` sorted by `key`, so output order never depends on the order
// the model happens to hold (the model sorts too; this keeps us deterministic regardless).
template <typename T, typename KeyFn>
std::vector<const T*> SortedBy(const std::vector<T>& items, KeyFn key) {
  std::vector<const T*> sorted;
  for (const T& item : items) sorted.push_back(&item);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&key](const T* a, const T* b) { return key(*a) < key(*b); });
  return sorted;
}

auto ByName = [](const auto& object) { return object.name; };
auto ByTableAndName = [](const auto& object) { return std::tie(object.table, object.name); };

std::string RenderStep(const model::Catalog& catalog, const CreationOrder& order, const Step& step) {
  switch (step.kind) {
    case StepKind::Enum: return CreateEnum(catalog.enums[step.index]);
    case StepKind::Domain: return CreateDomain(catalog.domains[step.index]);
    case StepKind::CompositeType: return CreateCompositeType(catalog.composite_types[step.index]);
    case StepKind::Sequence: return CreateSequence(catalog.sequences[step.index]);
    case StepKind::Function: return CreateFunction(catalog.functions[step.index]);
    case StepKind::Table: {
      const model::Table& table = catalog.tables[step.index];
      const std::vector<bool>& inline_constraints = order.inline_constraints[step.index];
      return CreateTable(table, [&](const model::Constraint& constraint) {
        return inline_constraints[static_cast<size_t>(&constraint - table.constraints.data())];
      });
    }
    case StepKind::ForeignKey: {
      const model::Table& table = catalog.tables[step.index];
      return AddConstraint(table.name, table.constraints[step.constraint]);
    }
    case StepKind::SequenceOwnedBy: return AlterSequenceOwnedBy(catalog.sequences[step.index]);
    case StepKind::Index: return CreateIndex(catalog.indexes[step.index]);
    case StepKind::View: return CreateView(catalog.views[step.index]);
  }
  return "";
}

void AddComments(const model::Catalog& catalog, std::vector<std::string>& out) {
  for (const auto* schema : SortedBy(catalog.schemas, ByName)) {
    if (schema->comment) out.push_back(CommentOnSchema(*schema));
  }
  for (const auto* extension : SortedBy(catalog.extensions, ByName)) {
    if (extension->comment) out.push_back(CommentOnExtension(*extension));
  }
  for (const auto* type : SortedBy(catalog.enums, ByName)) {
    if (type->comment) out.push_back(CommentOnEnum(*type));
  }
  for (const auto* domain : SortedBy(catalog.domains, ByName)) {
    if (domain->comment) out.push_back(CommentOnDomain(*domain));
  }
  for (const auto* type : SortedBy(catalog.composite_types, ByName)) {
    if (type->comment) out.push_back(CommentOnCompositeType(*type));
  }
  for (const auto* sequence : SortedBy(catalog.sequences, ByName)) {
    if (sequence->comment) out.push_back(CommentOnSequence(*sequence));
  }
  for (const auto* table : SortedBy(catalog.tables, ByName)) {
    if (table->comment) out.push_back(CommentOnTable(*table));
    for (const model::Column& column : table->columns) {
      if (column.comment) out.push_back(CommentOnColumn(*table, column));
    }
    for (const auto* constraint : SortedBy(table->constraints, ByName)) {
      if (constraint->comment) out.push_back(CommentOnConstraint(*table, *constraint));
    }
  }
  for (const auto* index : SortedBy(catalog.indexes, ByTableAndName)) {
    if (index->comment) out.push_back(CommentOnIndex(*index));
  }
  for (const auto* view : SortedBy(catalog.views, ByName)) {
    if (view->comment) out.push_back(CommentOnView(*view));
  }
  auto by_signature = [](const model::Function& f) { return std::tuple(f.name, f.Signature()); };
  for (const auto* function : SortedBy(catalog.functions, by_signature)) {
    if (function->comment) out.push_back(CommentOnFunction(*function));
  }
  for (const auto* trigger : SortedBy(catalog.triggers, ByTableAndName)) {
    if (trigger->comment) out.push_back(CommentOnTrigger(*trigger));
  }
  for (const auto* policy : SortedBy(catalog.policies, ByTableAndName)) {
    if (policy->comment) out.push_back(CommentOnPolicy(*policy));
  }
}

void AddGrants(const model::Catalog& catalog, std::vector<std::string>& out) {
  // Grants on sequences may come as kind Table (aclexplode does not tell them apart); GRANT ... ON
  // TABLE accepts a sequence, but ON SEQUENCE says what it is.
  std::set<model::QualifiedName> sequences;
  for (const model::Sequence& sequence : catalog.sequences) sequences.insert(sequence.name);
  std::vector<model::Grant> grants = catalog.grants;
  for (model::Grant& grant : grants) {
    if (grant.object_kind == model::ObjectKind::Table && sequences.contains(grant.object)) {
      grant.object_kind = model::ObjectKind::Sequence;
    }
  }
  for (std::string& statement : GrantStatements(grants)) out.push_back(std::move(statement));
}

}  // namespace

std::vector<std::string> CreateAllStatements(const model::Catalog& catalog) {
  std::vector<std::string> statements;
  // Schemas before extensions: an extension may be installed into one of them. `public` exists in
  // every new database and is never created.
  for (const auto* schema : SortedBy(catalog.schemas, ByName)) {
    if (schema->name != "public") statements.push_back(CreateSchema(*schema));
  }
  for (const auto* extension : SortedBy(catalog.extensions, ByName)) {
    statements.push_back(CreateExtension(*extension));
  }
  // Collations need only their schema; columns, domains and indexes use them.
  for (const auto* collation : SortedBy(catalog.collations, ByName)) {
    statements.push_back(CreateCollation(*collation));
  }

  CreationOrder order = OrderCreation(catalog);
  for (const Step& step : order.steps) statements.push_back(RenderStep(catalog, order, step));

  // Everything below only needs the objects above to exist.
  for (const auto* trigger : SortedBy(catalog.triggers, ByTableAndName)) {
    statements.push_back(CreateTrigger(*trigger));
  }
  for (const auto* table : SortedBy(catalog.tables, ByName)) {
    if (table->rls_enabled) statements.push_back(EnableRowLevelSecurity(table->name));
    // FORCE is independent of ENABLE in PostgreSQL (it only matters once RLS is enabled).
    if (table->rls_forced) statements.push_back(ForceRowLevelSecurity(table->name));
  }
  for (const auto* policy : SortedBy(catalog.policies, ByTableAndName)) {
    statements.push_back(CreatePolicy(*policy));
  }
  AddComments(catalog, statements);
  AddGrants(catalog, statements);
  return statements;
}

std::string CreateAll(const model::Catalog& catalog) {
  const std::vector<std::string> statements = CreateAllStatements(catalog);
  std::string out = "-- schemac: create from empty\n";
  for (const std::string& statement : statements) out += "\n" + statement + "\n";
  return out;
}

}  // namespace schemac::sqlgen
