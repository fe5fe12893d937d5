// The semantic analysis driver: runs the passes (see context.h) and assembles the sorted model.
#include "compiler/sema/sema.h"

#include <algorithm>

#include "compiler/sema/context.h"

namespace schemac::sema {
namespace {

void SortDeps(std::vector<model::ObjectId>& deps) {
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
}

// The models of the first declaration of each name, in name order. Moves them out of the states:
// the context is discarded after assembly.
template <typename Map>
auto Collect(const Map& by_name) {
  std::vector<std::remove_reference_t<decltype(by_name.begin()->second->model)>> out;
  out.reserve(by_name.size());
  for (const auto& [name, state] : by_name) {
    out.push_back(std::move(state->model));
    if constexpr (requires { out.back().deps; }) SortDeps(out.back().deps);
  }
  return out;
}

model::Catalog Assemble(Context& ctx) {
  model::Catalog catalog;
  for (auto& [name, ext] : ctx.extensions) catalog.extensions.push_back(std::move(ext.model));
  for (auto& [name, schema] : ctx.schemas) catalog.schemas.push_back(std::move(schema.model));
  catalog.enums = Collect(ctx.enum_by_name);
  catalog.domains = Collect(ctx.domain_by_name);
  catalog.composite_types = Collect(ctx.composite_by_name);
  catalog.sequences = Collect(ctx.sequence_by_name);
  catalog.views = Collect(ctx.view_by_name);
  for (const auto& [name, table] : ctx.table_by_name) {
    model::Table t = std::move(table->model);
    for (ConstraintState& c : table->constraints) {
      if (!c.dropped) t.constraints.push_back(std::move(c.model));
    }
    std::stable_sort(t.constraints.begin(), t.constraints.end(),
                     [](const auto& a, const auto& b) { return a.name < b.name; });
    SortDeps(t.deps);
    catalog.tables.push_back(std::move(t));
  }
  for (IndexState& index : ctx.indexes) {
    if (index.duplicate) continue;
    const bool on_table = index.table != nullptr && !index.table->duplicate;
    if (!on_table && !index.on_materialized_view) continue;
    catalog.indexes.push_back(std::move(index.model));
    SortDeps(catalog.indexes.back().deps);
  }
  std::sort(catalog.indexes.begin(), catalog.indexes.end(), [](const auto& a, const auto& b) {
    return std::tie(a.table, a.name) < std::tie(b.table, b.name);
  });
  for (const auto& [name, f] : ctx.function_by_name) {
    catalog.functions.push_back(std::move(f->model));
    SortDeps(catalog.functions.back().deps);
  }
  std::stable_sort(catalog.functions.begin(), catalog.functions.end(),
                   [](const model::Function& a, const model::Function& b) {
                     if (a.name != b.name) return a.name < b.name;
                     return a.Signature() < b.Signature();
                   });
  for (TriggerState& t : ctx.triggers) {
    if (t.duplicate) continue;
    catalog.triggers.push_back(std::move(t.model));
    SortDeps(catalog.triggers.back().deps);
  }
  std::sort(catalog.triggers.begin(), catalog.triggers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.table, a.name) < std::tie(b.table, b.name);
  });
  for (PolicyState& p : ctx.policies) {
    if (p.duplicate) continue;
    catalog.policies.push_back(std::move(p.model));
    SortDeps(catalog.policies.back().deps);
  }
  std::sort(catalog.policies.begin(), catalog.policies.end(), [](const auto& a, const auto& b) {
    return std::tie(a.table, a.name) < std::tie(b.table, b.name);
  });
  catalog.grants = std::move(ctx.grants);
  catalog.roles.assign(ctx.roles.begin(), ctx.roles.end());
  return catalog;
}

}  // namespace

std::optional<model::Catalog> Analyze(const std::vector<ast::File>& files,
                                      const base::SourceManager& sources,
                                      base::Diagnostics& diags) {
  Context ctx(sources, diags);
  // Names first (every declaration, every file), then what needs them. See context.h.
  DeclareSchemasAndExtensions(ctx, files);
  DeclareObjects(ctx, files);
  BuildCollations(ctx, files);
  BuildUserTypes(ctx);
  BuildSequences(ctx);
  BuildTables(ctx);
  ResolveSequenceOwners(ctx);
  BuildViewsAndFunctions(ctx);
  AssignImplicitNames(ctx);
  CheckExpressions(ctx);
  CheckForeignKeys(ctx);
  ApplyRowLevelSecurity(ctx, files);
  BuildTriggersAndPolicies(ctx);
  BuildGrants(ctx, files);
  ApplyComments(ctx, files);
  diags.SortByLocation();
  if (diags.HasErrors()) return std::nullopt;
  model::Catalog catalog = Assemble(ctx);
  ResolveCollations(ctx, catalog);
  return catalog;
}

}  // namespace schemac::sema
