// Tables: columns and their options, partition parents; constraints are in constraints.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "compiler/sema/tables.h"
#include "compiler/sema/types.h"

namespace schemac::sema {
namespace {

model::IdentityKind IdentityOf(const ast::Column& c) {
  if (!c.identity) return model::IdentityKind::None;
  return c.identity->kind == ast::IdentityKind::Always ? model::IdentityKind::Always
                                                       : model::IdentityKind::ByDefault;
}

bool IsIntegerType(const model::TypeName& t) {
  return t.IsBuiltin() && t.array_dims == 0 &&
         (t.name == "smallint" || t.name == "integer" || t.name == "bigint");
}

// Reports two options of one column that cannot be combined, at whichever was written second.
void Conflict(Context& ctx, Loc a, Loc b, std::string message) {
  const Loc at = (b.IsValid() && (!a.IsValid() || b.begin > a.begin)) ? b : a;
  ctx.Error(DiagKind::ConflictingColumnOptions, at, std::move(message));
}

void CheckColumnOptions(Context& ctx, const ast::Column& c, const model::Column& col) {
  const std::string& name = c.name.text;
  const bool explicit_null = c.not_null == std::optional<bool>(false);
  const Loc default_loc = c.default_expr ? c.default_expr->loc : Loc{};
  const Loc generated_loc = c.generated ? c.generated->loc : Loc{};
  const Loc identity_loc = c.identity ? c.identity->loc : Loc{};
  if (explicit_null && c.primary_key) {
    Conflict(ctx, c.not_null_loc, c.primary_key_loc,
             fmt::format("column '{}' cannot be both null and a primary key", name));
  }
  if (explicit_null && c.identity) {
    Conflict(ctx, c.not_null_loc, identity_loc,
             fmt::format("identity column '{}' cannot be null", name));
  }
  if (explicit_null && col.serial) {
    Conflict(ctx, c.not_null_loc, c.type.loc,
             fmt::format("{} column '{}' cannot be null", *col.serial, name));
  }
  if (c.identity && c.default_expr) {
    Conflict(ctx, identity_loc, default_loc,
             fmt::format("column '{}' cannot have both a default and an identity", name));
  }
  if (c.generated && c.default_expr) {
    Conflict(ctx, generated_loc, default_loc,
             fmt::format("column '{}' cannot have both a default and a generation expression",
                         name));
  }
  if (c.generated && c.identity) {
    Conflict(ctx, generated_loc, identity_loc,
             fmt::format("column '{}' cannot be both an identity and a generated column", name));
  }
  if (col.serial && (c.default_expr || c.identity || c.generated)) {
    const Loc other = c.default_expr ? default_loc : c.identity ? identity_loc : generated_loc;
    const char* what = c.default_expr ? "a default" : c.identity ? "an identity" : "a generation expression";
    Conflict(ctx, c.type.loc, other,
             fmt::format("{} column '{}' cannot also have {}", *col.serial, name, what));
  }
  if (c.identity && !col.type.name.empty() && !IsIntegerType(col.type)) {
    ctx.Error(DiagKind::ConflictingColumnOptions, identity_loc,
              fmt::format("identity column '{}' must be smallint, integer or bigint, not '{}'",
                          name, DisplayType(col.type)));
  }
}

void BuildColumns(Context& ctx, TableState& table) {
  const ast::Table& t = *table.ast;
  model::Table& m = table.model;
  if (t.renamed_from) {
    m.renamed_from = QName{t.renamed_from->schema ? t.renamed_from->schema->text : m.name.schema,
                           t.renamed_from->name.text};
  }
  if (t.comment) m.comment = t.comment->text;
  // `force row level security` enables row level security too, unless it says `not enabled`
  // (ApplyRowLevelSecurity reports a table that is both enabled and not enabled).
  m.rls_enabled = t.row_level_security;
  m.rls_forced = t.force_row_level_security;

  std::map<std::string, Loc> seen;
  for (const ast::Column& c : t.columns) {
    auto [it, inserted] = seen.emplace(c.name.text, c.name.loc);
    if (!inserted) {
      base::Diagnostic& d = ctx.Error(
          DiagKind::DuplicateColumn, c.name.loc,
          fmt::format("duplicate column '{}' in table '{}'", c.name.text, Display(m.name)));
      Context::Note(d, it->second, "previous declaration is here");
      continue;
    }
    model::Column col;
    col.name = c.name.text;
    col.loc = c.loc;
    if (auto type = ResolveType(ctx, c.type, TypeUse::Column, &m.deps, &col.serial)) {
      col.type = *type;
    }
    col.identity = IdentityOf(c);
    col.not_null = c.not_null.value_or(false) || c.primary_key || c.identity.has_value() ||
                   col.serial.has_value();
    if (c.default_expr) col.default_expr = model::Expr{c.default_expr->text, c.default_expr->loc};
    if (c.generated) col.generated = model::Expr{c.generated->text, c.generated->loc};
    if (c.collation) col.collation = c.collation->text;
    if (c.comment) col.comment = c.comment->text;
    if (c.renamed_from) col.renamed_from = c.renamed_from->text;
    CheckColumnOptions(ctx, c, col);
    if (c.identity && IsIntegerType(col.type)) {
      if (c.identity->options.as_type) {
        ctx.Error(DiagKind::InvalidOption, c.identity->options.as_type->loc,
                  "an identity sequence has the column's type; remove `as`");
      }
      col.identity_params = MakeSequenceParams(ctx, c.identity->options, col.type);
    }
    m.columns.push_back(std::move(col));
  }

  // Column renames: the previous name must not be another column of the table, and two columns
  // cannot both claim it.
  std::map<std::string, Loc> claimed;
  for (const ast::Column& c : t.columns) {
    if (!c.renamed_from) continue;
    const std::string& from = c.renamed_from->text;
    if (auto it = seen.find(from); it != seen.end()) {
      base::Diagnostic& d = ctx.Error(
          DiagKind::RenameConflict, c.renamed_from->loc,
          fmt::format("column '{}' is renamed from '{}', but '{}' is also declared in table '{}'",
                      c.name.text, from, from, Display(m.name)));
      Context::Note(d, it->second, fmt::format("'{}' is declared here", from));
      continue;
    }
    auto [pos, inserted] = claimed.emplace(from, c.renamed_from->loc);
    if (!inserted) {
      base::Diagnostic& d = ctx.Error(
          DiagKind::RenameConflict, c.renamed_from->loc,
          fmt::format("column '{}' is renamed from '{}', but another column is already renamed "
                      "from '{}'",
                      c.name.text, from, from));
      Context::Note(d, pos->second, "the other rename is here");
    }
  }
}

void LinkPartition(Context& ctx, TableState& table) {
  const ast::Table& t = *table.ast;
  model::Table& m = table.model;
  if (t.partition_by) {
    switch (t.partition_by->strategy) {
      case ast::PartitionStrategy::Range: m.partition_strategy = model::PartitionStrategy::Range; break;
      case ast::PartitionStrategy::List: m.partition_strategy = model::PartitionStrategy::List; break;
      case ast::PartitionStrategy::Hash: m.partition_strategy = model::PartitionStrategy::Hash; break;
    }
    for (const ast::IndexElem& key : t.partition_by->keys) {
      m.partition_keys.push_back(MakeIndexElement(key));
    }
  }
  if (!t.partition_of) return;
  const ast::PartitionOf& of = *t.partition_of;
  const QName parent_name = ctx.Qualify(of.parent);
  m.partition_of = parent_name;
  // The bound is not an expression: it is kept as written and validated by the server.
  if (of.bound) m.partition_bound = model::Expr{of.bound->text, of.bound->loc};
  m.partition_default = of.is_default;
  if (!t.columns.empty()) {
    ctx.Error(DiagKind::InvalidPartition, t.columns.front().loc,
              fmt::format("a partition takes its columns from '{}'; remove the column "
                          "declarations",
                          Display(parent_name)));
  }
  TableState* parent = ctx.FindTable(parent_name);
  if (parent == nullptr) {
    ctx.Error(DiagKind::UnknownTable, of.parent.loc,
              fmt::format("unknown table '{}'", Display(parent_name)));
    return;
  }
  AddDep(m.deps, model::ObjectKind::Table, parent_name);
  // Even when the parent cannot have partitions, its columns are the ones the partition's own
  // constraints and indexes name: linking it avoids a cascade of unknown-column errors.
  table.parent = parent;
  if (!parent->ast->partition_by) {
    base::Diagnostic& d = ctx.Error(
        DiagKind::InvalidPartition, of.parent.loc,
        fmt::format("table '{}' is not partitioned; add `partition by` to it", Display(parent_name)));
    Context::Note(d, parent->ast->name.loc, fmt::format("'{}' is declared here", Display(parent_name)));
  }
}

// `inherits (parent, ...)`: every parent is a declared table that is neither partitioned nor a
// partition, named once; a column declared in the child as well as in a parent is merged by
// PostgreSQL and must have the parent's type.
void LinkInherits(Context& ctx, TableState& table) {
  const ast::Table& t = *table.ast;
  model::Table& m = table.model;
  if (t.inherits.empty()) return;
  if (t.partition_of || t.partition_by) {
    ctx.Error(DiagKind::InvalidInheritance, t.inherits.front().loc,
              fmt::format("table '{}' cannot both inherit and be {}", Display(m.name),
                          t.partition_of ? "a partition" : "partitioned"));
    return;
  }
  for (const ast::QualName& written : t.inherits) {
    const QName parent_name = ctx.Qualify(written);
    if (std::find(m.inherits.begin(), m.inherits.end(), parent_name) != m.inherits.end()) {
      ctx.Error(DiagKind::InvalidInheritance, written.loc,
                fmt::format("table '{}' inherits from '{}' twice", Display(m.name),
                            Display(parent_name)));
      continue;
    }
    m.inherits.push_back(parent_name);
    TableState* parent = ctx.FindTable(parent_name);
    if (parent == nullptr) {
      ctx.Error(DiagKind::UnknownTable, written.loc,
                fmt::format("unknown table '{}'", Display(parent_name)));
      continue;
    }
    AddDep(m.deps, model::ObjectKind::Table, parent_name);
    if (parent->ast->partition_by || parent->ast->partition_of) {
      ctx.Error(DiagKind::InvalidInheritance, written.loc,
                fmt::format("cannot inherit from {} '{}'",
                            parent->ast->partition_by ? "partitioned table" : "partition",
                            Display(parent_name)));
      continue;
    }
    table.inherits.push_back(parent);
  }
}

// An inheritance chain that loops back.
void CheckInheritanceCycle(Context& ctx, TableState& table) {
  if (table.inherits.empty()) return;
  std::vector<const TableState*> stack(table.inherits.begin(), table.inherits.end());
  std::set<const TableState*> seen;
  while (!stack.empty()) {
    const TableState* t = stack.back();
    stack.pop_back();
    if (t == &table) {
      ctx.Error(DiagKind::InvalidInheritance, table.ast->inherits.front().loc,
                fmt::format("table '{}' (indirectly) inherits from itself",
                            Display(table.model.name)));
      table.inherits.clear();
      return;
    }
    if (!seen.insert(t).second) continue;
    stack.insert(stack.end(), t->inherits.begin(), t->inherits.end());
  }
}

// Merged columns (declared in the child and inherited) whose type differs from the parent's.
void CheckMergedColumns(Context& ctx, TableState& table) {
  for (const model::Column& column : table.model.columns) {
    for (const TableState* parent : table.inherits) {
      const model::Column* inherited = ctx.FindColumn(*parent, column.name);
      if (inherited == nullptr || inherited->type.name.empty() || column.type.name.empty()) {
        continue;
      }
      if (inherited->type != column.type) {
        ctx.Error(DiagKind::InvalidInheritance, column.loc,
                  fmt::format("column '{}' is {} but the inherited column of '{}' is {}",
                              column.name, DisplayType(column.type),
                              Display(parent->model.name), DisplayType(inherited->type)));
      }
    }
  }
}

// A partition chain that loops back (t1 partition of t2 partition of t1) has no columns at all.
void CheckPartitionCycle(Context& ctx, TableState& table) {
  const TableState* t = table.parent;
  for (int depth = 0; t != nullptr && depth < 64; ++depth, t = t->parent) {
    if (t != &table) continue;
    ctx.Error(DiagKind::InvalidPartition, table.ast->partition_of->parent.loc,
              fmt::format("table '{}' is (indirectly) a partition of itself",
                          Display(table.model.name)));
    table.parent = nullptr;
    return;
  }
}

}  // namespace

void ReportUnknownColumn(Context& ctx, const TableState& table, const std::string& column,
                         Loc loc) {
  ctx.Error(DiagKind::UnknownColumn, loc,
            fmt::format("unknown column '{}' in table '{}'", column, Display(table.model.name)));
}

model::IndexElement MakeIndexElement(const ast::IndexElem& elem) {
  model::IndexElement out;
  out.expression = elem.expr.text;
  out.is_column = elem.is_column;
  if (elem.collation) out.collation = elem.collation->text;
  if (elem.opclass) {
    out.opclass = QName{elem.opclass->schema ? elem.opclass->schema->text : "",
                        elem.opclass->name.text};
  }
  out.descending = elem.descending;
  out.nulls_first = elem.nulls_first;
  if (elem.exclude_operator) out.exclude_operator = *elem.exclude_operator;
  return out;
}

void BuildTables(Context& ctx) {
  for (TableState& table : ctx.tables) BuildColumns(ctx, table);
  for (TableState& table : ctx.tables) LinkPartition(ctx, table);
  for (TableState& table : ctx.tables) CheckPartitionCycle(ctx, table);
  for (TableState& table : ctx.tables) LinkInherits(ctx, table);
  for (TableState& table : ctx.tables) CheckInheritanceCycle(ctx, table);
  for (TableState& table : ctx.tables) CheckMergedColumns(ctx, table);
  for (TableState& table : ctx.tables) BuildConstraints(ctx, table);
  for (IndexState& index : ctx.indexes) BuildIndex(ctx, index);
  for (TableState& table : ctx.tables) CheckPartitionKeys(ctx, table);
}

}  // namespace schemac::sema
