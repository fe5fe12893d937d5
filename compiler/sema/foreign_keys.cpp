// Foreign keys, checked once every table's columns and keys are built: the referenced table and
// columns exist, the referenced columns are exactly a primary key, unique constraint or plain
// unique index (what PostgreSQL's transformFkeyCheckAttrs accepts), and column types can be
// compared (ForeignKeyTypesCompatible).
// Referenced tables are not dependencies of the referencing table: sqlgen breaks foreign key
// cycles itself.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/tables.h"
#include "compiler/sema/types.h"

namespace schemac::sema {
namespace {

using model::ConstraintKind;

struct UniqueKey {
  std::vector<std::string> columns;
  bool primary = false;
  bool deferrable = false;
};

model::FkAction ActionOf(ast::FkAction a) {
  switch (a) {
    case ast::FkAction::NoAction: return model::FkAction::NoAction;
    case ast::FkAction::Restrict: return model::FkAction::Restrict;
    case ast::FkAction::Cascade: return model::FkAction::Cascade;
    case ast::FkAction::SetNull: return model::FkAction::SetNull;
    case ast::FkAction::SetDefault: return model::FkAction::SetDefault;
  }
  return model::FkAction::NoAction;
}

// Keys of a table and, for a partition, of the tables it is a partition of (whose indexes every
// partition gets).
std::vector<UniqueKey> UniqueKeysOf(const TableState& table) {
  std::vector<UniqueKey> keys;
  const TableState* t = &table;
  for (int depth = 0; t != nullptr && depth < 64; ++depth, t = t->parent) {
    for (const ConstraintState& c : t->constraints) {
      if (c.dropped) continue;
      if (c.model.kind != ConstraintKind::PrimaryKey && c.model.kind != ConstraintKind::Unique) {
        continue;
      }
      keys.push_back({c.model.columns, c.model.kind == ConstraintKind::PrimaryKey,
                      c.model.deferral != model::Deferral::NotDeferrable});
    }
    for (const IndexState* index : t->indexes) {
      const model::Index& i = index->model;
      if (!i.unique || i.where) continue;
      UniqueKey key;
      for (const model::IndexElement& e : i.elements) {
        if (!e.is_column) {
          key.columns.clear();
          break;
        }
        key.columns.push_back(e.expression);
      }
      if (!key.columns.empty()) keys.push_back(std::move(key));
    }
  }
  return keys;
}

bool SameSet(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

std::string JoinColumns(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// The referenced columns: as written, else the primary key. Empty after an error.
std::vector<std::string> ReferencedColumns(Context& ctx, const TableState& target,
                                           const ast::References& r,
                                           const std::vector<UniqueKey>& keys) {
  std::vector<std::string> out;
  if (r.columns.empty()) {
    auto pk = std::find_if(keys.begin(), keys.end(), [](const UniqueKey& k) { return k.primary; });
    if (pk == keys.end()) {
      ctx.Error(DiagKind::ForeignKeyNotUnique, r.table.loc,
                fmt::format("table '{}' has no primary key; name the referenced columns",
                            Display(target.model.name)));
      return {};
    }
    return pk->columns;
  }
  bool ok = true;
  for (const ast::Name& n : r.columns) {
    if (ctx.FindColumn(target, n.text) == nullptr) {
      ReportUnknownColumn(ctx, target, n.text, n.loc);
      ok = false;
    }
    out.push_back(n.text);
  }
  if (!ok) return {};
  auto key = std::find_if(keys.begin(), keys.end(),
                          [&](const UniqueKey& k) { return SameSet(k.columns, out); });
  const Loc loc{r.columns.front().loc.file, r.columns.front().loc.begin, r.columns.back().loc.end};
  if (key == keys.end()) {
    ctx.Error(DiagKind::ForeignKeyNotUnique, loc,
              fmt::format("referenced columns ({}) of table '{}' are not a primary key or unique "
                          "constraint",
                          JoinColumns(out), Display(target.model.name)));
    return {};
  }
  if (key->deferrable) {
    ctx.Error(DiagKind::ForeignKeyNotUnique, loc,
              fmt::format("the unique constraint on ({}) of table '{}' is deferrable and cannot "
                          "be referenced by a foreign key",
                          JoinColumns(out), Display(target.model.name)));
    return {};
  }
  return out;
}

void CheckForeignKey(Context& ctx, TableState& table, ConstraintState& c) {
  const ast::References& r = *c.references;
  model::Constraint& m = c.model;
  m.on_delete = ActionOf(r.on_delete);
  m.on_update = ActionOf(r.on_update);
  m.deferral = r.deferral == ast::Deferral::InitiallyDeferred ? model::Deferral::InitiallyDeferred
               : r.deferral == ast::Deferral::InitiallyImmediate
                   ? model::Deferral::InitiallyImmediate
                   : m.deferral;
  m.match = r.match.value_or("simple");
  if (m.match == "partial") {
    ctx.Error(DiagKind::InvalidOption, r.loc, "match partial is not implemented by PostgreSQL");
  }
  for (const ast::Name& n : r.on_delete_set_columns) {
    m.on_delete_set_columns.push_back(n.text);
    if (std::find(m.columns.begin(), m.columns.end(), n.text) == m.columns.end()) {
      ctx.Error(DiagKind::InvalidOption, n.loc,
                fmt::format("column '{}' of the on delete action is not part of the foreign key",
                            n.text));
    }
  }
  m.ref_table = ctx.Qualify(r.table);
  const TableState* target = ctx.FindTable(m.ref_table);
  if (target == nullptr) {
    const bool is_view = ctx.view_by_name.contains(m.ref_table);
    ctx.Error(DiagKind::UnknownTable, r.table.loc,
              is_view ? fmt::format("'{}' is a view; a foreign key must reference a table",
                                    Display(m.ref_table))
                      : fmt::format("unknown table '{}'", Display(m.ref_table)));
    return;
  }
  const std::vector<UniqueKey> keys = UniqueKeysOf(*target);
  m.ref_columns = ReferencedColumns(ctx, *target, r, keys);
  if (m.ref_columns.empty()) return;
  if (m.ref_columns.size() != m.columns.size()) {
    ctx.Error(DiagKind::ForeignKeyColumnCount, r.loc,
              fmt::format("foreign key has {} column{} but references {}", m.columns.size(),
                          m.columns.size() == 1 ? "" : "s", m.ref_columns.size()));
    return;
  }
  for (size_t i = 0; i < m.columns.size(); ++i) {
    const model::Column* local = ctx.FindColumn(table, m.columns[i]);
    const model::Column* remote = ctx.FindColumn(*target, m.ref_columns[i]);
    if (local == nullptr || remote == nullptr) continue;
    if (local->type.name.empty() || remote->type.name.empty()) continue;
    const model::TypeName a = StripDomains(ctx, local->type);
    const model::TypeName b = StripDomains(ctx, remote->type);
    if (ForeignKeyTypesCompatible(a, b)) continue;
    ctx.Error(DiagKind::ForeignKeyTypeMismatch, c.column_locs[i],
              fmt::format("foreign key column '{}' is {} but '{}.{}' is {}", m.columns[i],
                          DisplayType(a), Display(target->model.name), m.ref_columns[i],
                          DisplayType(b)));
  }
}

}  // namespace

void CheckForeignKeys(Context& ctx) {
  for (TableState& table : ctx.tables) {
    for (ConstraintState& c : table.constraints) {
      if (c.model.kind == ConstraintKind::ForeignKey && c.references != nullptr) {
        CheckForeignKey(ctx, table, c);
      }
    }
  }
}

}  // namespace schemac::sema
