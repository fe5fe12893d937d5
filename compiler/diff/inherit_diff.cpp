// Table inheritance of existing tables: ALTER TABLE ... INHERIT / NO INHERIT, and what the column
// differ needs to know about inherited columns.
//
// PostgreSQL behaviour this relies on (CREATE TABLE / ALTER TABLE docs, "Inheritance"):
// - A child has its parents' columns (attislocal = false) and its own (attislocal = true); a column
//   both declared in the child and inherited is merged: local and inherited at once. The model
//   keeps only local columns in a child.
// - ADD COLUMN on a parent adds the column to every descendant (merging it with a local column of
//   the same name); DROP COLUMN on a parent drops it from descendants where it is not local.
//   A child cannot drop an inherited column itself.
// - INHERIT needs the child to have every column of the parent already; NO INHERIT keeps the
//   columns the child inherited from that parent, as local columns.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/diff/internal/context.h"

namespace schemac::diff::internal {

namespace {

using model::ObjectKind;
using model::QuoteQualified;

void Collect(const CatalogIndex& index, const model::Table& table, int depth,
             std::map<std::string, std::vector<QualifiedName>>& out) {
  if (depth > 64) return;
  for (const QualifiedName& parent_name : table.inherits) {
    const model::Table* parent = index.FindTable(parent_name);
    if (parent == nullptr) continue;
    for (const model::Column& c : parent->columns) {
      std::vector<QualifiedName>& by = out[c.name];
      if (std::find(by.begin(), by.end(), parent->name) == by.end()) by.push_back(parent->name);
    }
    Collect(index, *parent, depth + 1, out);
  }
}

bool Contains(const std::vector<QualifiedName>& list, const QualifiedName& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

std::map<std::string, std::vector<QualifiedName>> InheritedColumns(const CatalogIndex& index,
                                                                   const model::Table& table) {
  std::map<std::string, std::vector<QualifiedName>> out;
  Collect(index, table, 0, out);
  return out;
}

std::vector<QualifiedName> Descendants(const model::Catalog& catalog, const QualifiedName& table) {
  std::vector<QualifiedName> out;
  std::vector<QualifiedName> frontier{table};
  for (int depth = 0; !frontier.empty() && depth < 64; ++depth) {
    std::vector<QualifiedName> next;
    for (const model::Table& t : catalog.tables) {
      for (const QualifiedName& parent : t.inherits) {
        if (Contains(frontier, parent) && !Contains(out, t.name)) {
          out.push_back(t.name);
          next.push_back(t.name);
        }
      }
    }
    frontier = std::move(next);
  }
  return out;
}

Key InheritanceKey(const QualifiedName& table) { return {KeyKind::Table, table, "inherits"}; }

bool AnyInheritance(const model::Catalog& catalog) {
  return std::any_of(catalog.tables.begin(), catalog.tables.end(),
                     [](const model::Table& t) { return !t.inherits.empty(); });
}

void DiffInheritance(Context& ctx, const model::Table& live, const model::Table& target) {
  if (live.inherits.empty() && target.inherits.empty()) return;
  const model::ObjectId object{ObjectKind::Table, target.name};
  const Key key = InheritanceKey(target.name);
  auto emit = [&](std::string summary, std::string sql) {
    return ctx.Emit({.key = key, .role = Role::Create, .phase = Phase::Create, .rank = Rank::Table,
                     .object = object, .action = '~', .summary = std::move(summary),
                     .sql = std::move(sql), .hazards = {Hazard::AccessExclusiveLock},
                     .loc = target.loc});
  };
  for (const QualifiedName& parent : live.inherits) {
    if (Contains(target.inherits, parent)) continue;
    emit(fmt::format("table {}: no longer inherits from {} (the columns it inherited stay)",
                     Display(target.name), Display(parent)),
         fmt::format("{} NO INHERIT {};", AlterTable(target.name), QuoteQualified(parent)));
  }
  // INHERIT needs every column of the parent (and of its ancestors) in the child already.
  const auto live_inherited = InheritedColumns(*ctx.live_index, live);
  for (const QualifiedName& parent_name : target.inherits) {
    if (Contains(live.inherits, parent_name)) continue;
    const model::Table* parent = ctx.target_index->FindTable(parent_name);
    if (parent == nullptr) continue;
    std::vector<std::string> columns;
    for (const model::Column& c : parent->columns) columns.push_back(c.name);
    for (const auto& [name, from] : InheritedColumns(*ctx.target_index, *parent)) {
      columns.push_back(name);
    }
    std::vector<std::string> missing;
    for (const std::string& c : columns) {
      if (ColumnNamed(target, c) == nullptr && ColumnNamed(live, c) == nullptr &&
          !live_inherited.contains(c)) {
        missing.push_back(c);
      }
    }
    // ... and its inheritable checks (by name).
    for (const model::Constraint& k : parent->constraints) {
      if (k.kind == model::ConstraintKind::Check && !k.no_inherit &&
          ConstraintNamed(target, k.name) == nullptr) {
        missing.push_back("check " + k.name);
      }
    }
    if (!missing.empty()) {
      ctx.Report(object,
                 fmt::format("table {}: to inherit from {} it needs the parent's columns and "
                             "checks first ({}); declare them in the table",
                             Display(target.name), Display(parent_name),
                             fmt::join(missing, ", ")),
                 target.loc);
      continue;
    }
    size_t step = emit(fmt::format("table {}: inherits from {}", Display(target.name),
                                   Display(parent_name)),
                       fmt::format("{} INHERIT {};", AlterTable(target.name),
                                   QuoteQualified(parent_name)));
    // The child's own new columns first.
    for (const model::Column& c : target.columns) {
      ctx.after_steps_of.emplace_back(step, Key{KeyKind::Column, target.name, c.name},
                                      Role::Create);
    }
  }
}

}  // namespace schemac::diff::internal
