// Table constraints (primary key, unique, foreign key, check, exclude), index declarations and
// partition key rules. Foreign key targets are checked later (foreign_keys.cpp), once every
// table's keys are known; implicit names are assigned in implicit_names.cpp.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/tables.h"

namespace schemac::sema {
namespace {

using model::ConstraintKind;

model::Deferral DeferralOf(ast::Deferral d) {
  switch (d) {
    case ast::Deferral::NotDeferrable: return model::Deferral::NotDeferrable;
    case ast::Deferral::InitiallyImmediate: return model::Deferral::InitiallyImmediate;
    case ast::Deferral::InitiallyDeferred: return model::Deferral::InitiallyDeferred;
  }
  return model::Deferral::NotDeferrable;
}

const char* KindWord(ConstraintKind kind) {
  switch (kind) {
    case ConstraintKind::PrimaryKey: return "primary key";
    case ConstraintKind::Unique: return "unique";
    case ConstraintKind::ForeignKey: return "foreign key";
    case ConstraintKind::Check: return "check";
    case ConstraintKind::Exclude: return "exclusion";
  }
  return "";
}

// Checks a constraint's column list against the table: unknown columns and repeats.
void CheckColumnList(Context& ctx, const TableState& table, const std::vector<ast::Name>& names,
                     const char* what) {
  std::set<std::string> seen;
  for (const ast::Name& n : names) {
    if (ctx.FindColumn(table, n.text) == nullptr) {
      ReportUnknownColumn(ctx, table, n.text, n.loc);
    } else if (!seen.insert(n.text).second) {
      ctx.Error(DiagKind::DuplicateColumn, n.loc,
                fmt::format("column '{}' appears twice in {} constraint", n.text, what));
    }
  }
}

ConstraintState& Add(TableState& table, ConstraintKind kind, const std::optional<ast::Name>& name,
                     Loc loc) {
  ConstraintState& c = table.constraints.emplace_back();
  c.model.kind = kind;
  c.model.loc = loc;
  c.model.match = "simple";
  c.name_loc = loc;
  if (name) {
    c.model.name = name->text;
    c.model.name_explicit = true;
    c.name_loc = name->loc;
  }
  return c;
}

void SetColumns(ConstraintState& c, const std::vector<ast::Name>& names) {
  for (const ast::Name& n : names) {
    c.model.columns.push_back(n.text);
    c.column_locs.push_back(n.loc);
  }
}

void AddColumnLevel(TableState& table, const ast::Column& col) {
  const ast::Name& name = col.name;
  if (col.primary_key) {
    ConstraintState& c = Add(table, ConstraintKind::PrimaryKey, col.primary_key_name,
                             col.primary_key_loc);
    SetColumns(c, {name});
  }
  if (col.unique) {
    ConstraintState& c = Add(table, ConstraintKind::Unique, col.unique_name, col.unique_loc);
    SetColumns(c, {name});
  }
  for (const auto& [fk_name, ref] : col.references) {
    ConstraintState& c = Add(table, ConstraintKind::ForeignKey, fk_name, ref.loc);
    SetColumns(c, {name});
    c.references = &ref;
    c.model.not_valid = ref.not_valid;
  }
  for (const ast::CheckClause& check : col.checks) {
    ConstraintState& c = Add(table, ConstraintKind::Check, check.name, check.loc);
    c.check = &check.expr;
    c.model.expression = model::Expr{check.expr.text, check.expr.loc};
    c.model.no_inherit = check.no_inherit;
    c.model.not_valid = check.not_valid;
  }
}

void AddTableLevel(Context& ctx, TableState& table, const ast::TableConstraint& tc) {
  ConstraintKind kind = ConstraintKind::Check;
  switch (tc.kind) {
    case ast::ConstraintKind::PrimaryKey: kind = ConstraintKind::PrimaryKey; break;
    case ast::ConstraintKind::Unique: kind = ConstraintKind::Unique; break;
    case ast::ConstraintKind::ForeignKey: kind = ConstraintKind::ForeignKey; break;
    case ast::ConstraintKind::Check: kind = ConstraintKind::Check; break;
    case ast::ConstraintKind::Exclude: kind = ConstraintKind::Exclude; break;
  }
  ConstraintState& c = Add(table, kind, tc.name, tc.loc);
  c.ast = &tc;
  c.model.deferral = DeferralOf(tc.deferral);
  if (tc.renamed_from) c.model.renamed_from = tc.renamed_from->text;
  switch (kind) {
    case ConstraintKind::PrimaryKey:
    case ConstraintKind::Unique:
      CheckColumnList(ctx, table, tc.columns, KindWord(kind));
      SetColumns(c, tc.columns);
      CheckColumnList(ctx, table, tc.include, "include");
      for (const ast::Name& n : tc.include) {
        c.model.include.push_back(n.text);
        c.include_locs.push_back(n.loc);
      }
      c.model.nulls_not_distinct = tc.nulls_not_distinct;
      break;
    case ConstraintKind::ForeignKey:
      CheckColumnList(ctx, table, tc.columns, KindWord(kind));
      SetColumns(c, tc.columns);
      if (tc.references) {
        c.references = &*tc.references;
        c.model.not_valid = tc.references->not_valid;
      }
      break;
    case ConstraintKind::Check:
      if (tc.check) {
        c.check = &*tc.check;
        c.model.expression = model::Expr{tc.check->text, tc.check->loc};
      }
      c.model.no_inherit = tc.no_inherit;
      c.model.not_valid = tc.not_valid;
      break;
    case ConstraintKind::Exclude:
      c.model.using_method = tc.using_method.empty() ? "gist" : tc.using_method;
      for (const ast::IndexElem& e : tc.elements) {
        c.model.elements.push_back(MakeIndexElement(e));
        if (e.is_column && ctx.FindColumn(table, e.expr.text) == nullptr) {
          ReportUnknownColumn(ctx, table, e.expr.text, e.expr.loc);
        }
      }
      if (tc.where) c.model.expression = model::Expr{tc.where->text, tc.where->loc};
      break;
  }
}

// PostgreSQL keeps one index for index-backed constraints with identical definitions (e.g.
// `primary key unique` on one column), the primary key first; an unnamed survivor takes the
// name of a named repeat (transformIndexConstraints in parser/parse_utilcmd.c).
void MergeRepeatedIndexConstraints(TableState& table) {
  std::vector<ConstraintState*> in_source_order;
  for (ConstraintState& c : table.constraints) in_source_order.push_back(&c);
  std::stable_sort(in_source_order.begin(), in_source_order.end(),
                   [](const ConstraintState* a, const ConstraintState* b) {
                     return a->model.loc.begin < b->model.loc.begin;
                   });
  std::vector<ConstraintState*> order;
  for (ConstraintState* c : in_source_order) {
    if (c->model.kind == ConstraintKind::PrimaryKey) order.push_back(c);
  }
  for (ConstraintState* c : in_source_order) {
    if (c->model.kind == ConstraintKind::Unique || c->model.kind == ConstraintKind::Exclude) {
      order.push_back(c);
    }
  }
  auto same = [](const model::Constraint& a, const model::Constraint& b) {
    auto elements = [](const model::Constraint& c) {
      std::vector<std::tuple<std::string, std::string, bool>> out;
      for (const auto& e : c.elements) out.emplace_back(e.expression, e.exclude_operator, e.descending);
      return out;
    };
    const bool a_excl = a.kind == ConstraintKind::Exclude;
    const bool b_excl = b.kind == ConstraintKind::Exclude;
    const auto where = [](const model::Constraint& c) {
      return c.kind == ConstraintKind::Exclude && c.expression ? c.expression->text : "";
    };
    return a_excl == b_excl && a.columns == b.columns && a.include == b.include &&
           elements(a) == elements(b) && where(a) == where(b) && a.using_method == b.using_method &&
           a.nulls_not_distinct == b.nulls_not_distinct && a.deferral == b.deferral;
  };
  std::vector<ConstraintState*> kept;
  for (ConstraintState* c : order) {
    auto prior = std::find_if(kept.begin(), kept.end(),
                              [&](ConstraintState* k) { return same(k->model, c->model); });
    if (prior == kept.end() || c->model.kind == ConstraintKind::PrimaryKey) {
      kept.push_back(c);
      continue;
    }
    if (!(*prior)->model.name_explicit && c->model.name_explicit) {
      (*prior)->model.name = c->model.name;
      (*prior)->model.name_explicit = true;
    }
    c->dropped = true;
  }
}

void CheckPrimaryKeys(Context& ctx, TableState& table) {
  const ConstraintState* first = nullptr;
  for (const ConstraintState& c : table.constraints) {
    if (c.model.kind != ConstraintKind::PrimaryKey) continue;
    if (first == nullptr) {
      first = &c;
      continue;
    }
    // Reported at whichever primary key is written later in the file.
    const bool later = c.model.loc.begin > first->model.loc.begin;
    base::Diagnostic& d = ctx.Error(
        DiagKind::MultiplePrimaryKeys, later ? c.model.loc : first->model.loc,
        fmt::format("multiple primary keys for table '{}' are not allowed",
                    Display(table.model.name)));
    Context::Note(d, later ? first->model.loc : c.model.loc, "the first primary key is here");
  }
  // Primary key columns are not null; an explicit `null` contradicts that.
  for (const ConstraintState& c : table.constraints) {
    if (c.model.kind != ConstraintKind::PrimaryKey || c.ast == nullptr) continue;
    for (size_t i = 0; i < c.model.columns.size(); ++i) {
      for (size_t k = 0; k < table.ast->columns.size(); ++k) {
        const ast::Column& col = table.ast->columns[k];
        if (col.name.text != c.model.columns[i]) continue;
        if (col.not_null == std::optional<bool>(false)) {
          ctx.Error(DiagKind::ConflictingColumnOptions, c.column_locs[i],
                    fmt::format("column '{}' is declared null but is part of the primary key",
                                col.name.text));
        }
      }
    }
  }
  for (const ConstraintState& c : table.constraints) {
    if (c.model.kind != ConstraintKind::PrimaryKey) continue;
    for (model::Column& col : table.model.columns) {
      if (std::find(c.model.columns.begin(), c.model.columns.end(), col.name) !=
          c.model.columns.end()) {
        col.not_null = true;
      }
    }
  }
}

}  // namespace

void BuildConstraints(Context& ctx, TableState& table) {
  for (const ast::Column& col : table.ast->columns) AddColumnLevel(table, col);
  for (const ast::TableConstraint& tc : table.ast->constraints) AddTableLevel(ctx, table, tc);
  CheckPrimaryKeys(ctx, table);
  MergeRepeatedIndexConstraints(table);
  // A constraint's previous name must not be the name of another constraint of the table.
  for (const ConstraintState& c : table.constraints) {
    if (!c.model.renamed_from) continue;
    for (const ConstraintState& other : table.constraints) {
      if (!other.model.name_explicit || other.model.name != *c.model.renamed_from) continue;
      base::Diagnostic& d = ctx.Error(
          DiagKind::RenameConflict, c.ast->renamed_from->loc,
          fmt::format("constraint '{}' is renamed from '{}', but '{}' is also declared on table "
                      "'{}'",
                      c.model.name, *c.model.renamed_from, *c.model.renamed_from,
                      Display(table.model.name)));
      Context::Note(d, other.name_loc, fmt::format("'{}' is declared here", other.model.name));
    }
  }
}

std::vector<std::pair<std::string, std::string>> StorageOf(
    Context& ctx, const std::vector<std::pair<ast::Name, std::string>>& storage, const std::string& what) {
  std::vector<std::pair<std::string, std::string>> out;
  std::map<std::string, Loc> seen;
  for (const auto& [name, value] : storage) {
    auto [it, inserted] = seen.emplace(name.text, name.loc);
    if (!inserted) {
      base::Diagnostic& d = ctx.Error(DiagKind::InvalidOption, name.loc,
                                      fmt::format("storage parameter '{}' is given twice for this {}", name.text, what));
      Context::Note(d, it->second, "first given here");
      continue;
    }
    out.emplace_back(name.text, value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void BuildIndex(Context& ctx, IndexState& index) {
  const ast::Index& a = *index.ast;
  model::Index& m = index.model;
  m.unique = a.unique;
  m.method = a.method.empty() ? "btree" : a.method;
  m.nulls_not_distinct = a.nulls_not_distinct;
  m.name_explicit = a.name.has_value();
  m.loc = a.loc;
  if (a.renamed_from) m.renamed_from = a.renamed_from->text;
  if (a.where) m.where = model::Expr{a.where->text, a.where->loc};
  for (const ast::IndexElem& e : a.elements) m.elements.push_back(MakeIndexElement(e));
  m.storage = StorageOf(ctx, a.storage, "index");
  for (const ast::Name& n : a.include) m.include.push_back(n.text);
  if (m.unique && m.method != "btree") {
    ctx.Error(DiagKind::InvalidOption, a.loc,
              fmt::format("access method '{}' does not support unique indexes", m.method));
  }
  if (index.table == nullptr) return;
  for (const ast::IndexElem& e : a.elements) {
    if (e.is_column && ctx.FindColumn(*index.table, e.expr.text) == nullptr) {
      ReportUnknownColumn(ctx, *index.table, e.expr.text, e.expr.loc);
    }
  }
  CheckColumnList(ctx, *index.table, a.include, "include");
}

void CheckPartitionKeys(Context& ctx, TableState& table) {
  const ast::Table& t = *table.ast;
  if (!t.partition_by) return;
  bool has_expression = false;
  std::vector<std::string> key_columns;
  for (const ast::IndexElem& key : t.partition_by->keys) {
    if (!key.is_column) {
      has_expression = true;
      continue;
    }
    if (ctx.FindColumn(table, key.expr.text) == nullptr) {
      ReportUnknownColumn(ctx, table, key.expr.text, key.expr.loc);
      continue;
    }
    key_columns.push_back(key.expr.text);
  }
  // Unique constraints and indexes of a partitioned table are enforced per partition, so they
  // must contain the partition key (PostgreSQL: "unique constraint on partitioned table must
  // include all partitioning columns").
  auto check = [&](const std::vector<std::string>& columns, const char* what, Loc loc) {
    if (has_expression) {
      ctx.Error(DiagKind::InvalidPartition, loc,
                fmt::format("{} on partitioned table '{}' is not supported when the partition key "
                            "includes an expression",
                            what, Display(table.model.name)));
      return;
    }
    for (const std::string& key : key_columns) {
      if (std::find(columns.begin(), columns.end(), key) != columns.end()) continue;
      ctx.Error(DiagKind::InvalidPartition, loc,
                fmt::format("{} on partitioned table '{}' must include partition key column '{}'",
                            what, Display(table.model.name), key));
    }
  };
  for (const ConstraintState& c : table.constraints) {
    if (c.dropped) continue;
    if (c.model.kind == ConstraintKind::Exclude) {
      // Added in PostgreSQL 17; PostgreSQL 15 rejects them.
      ctx.Error(DiagKind::InvalidPartition, c.model.loc,
                fmt::format("exclusion constraints are not supported on partitioned table '{}'",
                            Display(table.model.name)));
    }
    if (c.model.kind == ConstraintKind::ForeignKey && c.model.not_valid) {
      // PostgreSQL 15: "cannot add NOT VALID foreign key on partitioned table".
      ctx.Error(DiagKind::InvalidPartition, c.model.loc,
                fmt::format("a foreign key of partitioned table '{}' cannot be not valid",
                            Display(table.model.name)));
    }
    if (c.model.kind == ConstraintKind::PrimaryKey) check(c.model.columns, "primary key", c.model.loc);
    if (c.model.kind == ConstraintKind::Unique) check(c.model.columns, "unique constraint", c.model.loc);
  }
  for (const IndexState* index : table.indexes) {
    if (!index->model.unique) continue;
    std::vector<std::string> columns;
    for (const model::IndexElement& e : index->model.elements) {
      if (e.is_column) columns.push_back(e.expression);
    }
    check(columns, "unique index", index->model.loc);
  }
}

}  // namespace schemac::sema
