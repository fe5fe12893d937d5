// Readers for tables.sql, columns.sql, indexes.sql and constraints.sql.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "runtime/catalog/internal/reader.h"

namespace schemac::catalog::internal {
namespace {

model::PartitionStrategy StrategyOf(const std::string& code) {
  if (code == "r") return model::PartitionStrategy::Range;
  if (code == "l") return model::PartitionStrategy::List;
  if (code == "h") return model::PartitionStrategy::Hash;
  throw std::runtime_error(fmt::format("unknown partition strategy '{}'", code));
}

model::FkAction ActionOf(const std::string& code) {
  if (code == "r") return model::FkAction::Restrict;
  if (code == "c") return model::FkAction::Cascade;
  if (code == "n") return model::FkAction::SetNull;
  if (code == "d") return model::FkAction::SetDefault;
  return model::FkAction::NoAction;  // 'a', or ' ' for constraints that are not foreign keys
}

model::Deferral DeferralOf(const Row& row) {
  if (!Bool(row, "deferrable")) return model::Deferral::NotDeferrable;
  return Bool(row, "deferred") ? model::Deferral::InitiallyDeferred
                               : model::Deferral::InitiallyImmediate;
}

std::optional<model::QualifiedName> OpclassOf(const Json& element) {
  auto name = OptStr(element, "opclass");
  if (!name) return std::nullopt;
  return model::QualifiedName{Str(element, "opclass_schema"), *name};
}

// Partition key elements: structured parts from partition_keys, expression texts from
// pg_get_partkeydef ("RANGE (a, lower(b) COLLATE \"C\")"), where key i is piece i of the list.
std::vector<model::IndexElement> PartitionKeys(const Row& row) {
  std::vector<model::IndexElement> keys;
  const std::string def = Str(row, "partkeydef");
  const size_t open = def.find('(');
  if (open == std::string::npos || def.back() != ')') {
    throw std::runtime_error(fmt::format("cannot read partition key '{}'", def));
  }
  const std::vector<std::string> pieces = SplitTopLevel(def.substr(open + 1, def.size() - open - 2));
  const Json parts = Array(row, "partition_keys");
  if (pieces.size() != parts.size()) {
    throw std::runtime_error(fmt::format("partition key '{}' has {} parts, expected {}", def,
                                         pieces.size(), parts.size()));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    const Json& part = parts[i];
    model::IndexElement e;
    e.collation = OptStr(part, "collation");
    e.opclass = OpclassOf(part);
    if (auto column = OptStr(part, "column")) {
      e.expression = *column;
      e.is_column = true;
    } else {
      // The piece is `expression [COLLATE c] [opclass]`: keep the expression.
      std::string text = pieces[i];
      if (e.opclass) {
        const size_t space = text.rfind(' ');
        if (space != std::string::npos) text.resize(space);
      }
      if (e.collation) {
        const size_t collate = text.rfind(" COLLATE ");
        if (collate != std::string::npos) text.resize(collate);
      }
      e.expression = text;
    }
    keys.push_back(std::move(e));
  }
  return keys;
}

model::IndexElement IndexElementFrom(const Json& element) {
  model::IndexElement e;
  if (auto column = OptStr(element, "column")) {
    e.expression = *column;
    e.is_column = true;
  } else {
    e.expression = Str(element, "expression");
  }
  e.collation = OptStr(element, "collation");
  e.opclass = OpclassOf(element);
  e.descending = Bool(element, "descending");
  // Unset when it is the default for the direction: nulls last ascending, first descending.
  const bool nulls_first = Bool(element, "nulls_first");
  if (nulls_first != e.descending) e.nulls_first = nulls_first;
  if (auto op = OptStr(element, "operator")) e.exclude_operator = *op;
  return e;
}

}  // namespace

void Reader::ReadTables(const Rows& rows) {
  for (const Row& row : rows) {
    model::Table t;
    t.name = {Str(row, "schema"), Str(row, "name")};
    t.unlogged = Bool(row, "unlogged");
    t.rls_enabled = Bool(row, "rls_enabled");
    t.rls_forced = Bool(row, "rls_forced");
    t.storage = StorageOf(row, "storage");
    if (auto strategy = OptStr(row, "partition_strategy")) {
      t.partition_strategy = StrategyOf(*strategy);
      t.partition_keys = PartitionKeys(row);
    }
    if (auto parent = OptStr(row, "parent_name")) {
      t.partition_of = model::QualifiedName{Str(row, "parent_schema"), *parent};
      // "FOR VALUES IN ('card')" / "DEFAULT"; the model keeps what follows FOR VALUES.
      const std::string bound = Str(row, "partition_bound");
      constexpr std::string_view kForValues = "FOR VALUES ";
      if (bound == "DEFAULT") {
        t.partition_default = true;
      } else if (bound.starts_with(kForValues)) {
        t.partition_bound = CanonicalExpr(bound.substr(kForValues.size()));
      } else {
        throw std::runtime_error(fmt::format("cannot read partition bound '{}'", bound));
      }
    }
    for (const Json& parent : Array(row, "inherits")) {
      t.inherits.push_back({Str(parent, "schema"), Str(parent, "name")});
    }
    t.comment = OptStr(row, "comment");
    if (auto rows_estimate = OptStr(row, "estimated_rows")) {
      table_stats[t.name] = TableStats{std::stoll(*rows_estimate), std::stoll(OptStr(row, "estimated_bytes").value_or("0"))};
    }
    table_index[t.name] = catalog.tables.size();
    catalog.tables.push_back(std::move(t));
  }
}

void Reader::ReadColumns(const Rows& rows) {
  // Rows come in no particular order: collect (attnum, column) per table, then order.
  std::map<size_t, std::vector<std::pair<int64_t, model::Column>>> by_table;
  for (const Row& row : rows) {
    const model::QualifiedName table{Str(row, "schema"), Str(row, "table")};
    auto it = table_index.find(table);
    if (it == table_index.end()) continue;  // not a table the tables query listed
    model::Column c;
    c.name = Str(row, "name");
    c.type = TypeFrom(row, "type_");
    c.not_null = Bool(row, "not_null");
    if (auto def = OptStr(row, "default")) c.default_expr = CanonicalExpr(*def);
    if (auto gen = OptStr(row, "generated")) c.generated = CanonicalExpr(*gen);
    const std::string identity = Str(row, "identity");
    if (identity == "a") c.identity = model::IdentityKind::Always;
    if (identity == "d") c.identity = model::IdentityKind::ByDefault;
    if (c.identity != model::IdentityKind::None) {
      const Json params = JsonOf(row, "identity_params");
      if (!params.is_null()) c.identity_params = SequenceParamsFrom(params);
    }
    c.collation = OptStr(row, "collation");
    c.comment = OptStr(row, "comment");
    by_table[it->second].emplace_back(Int(row, "attnum"), std::move(c));
  }
  for (auto& [index, columns] : by_table) {
    std::sort(columns.begin(), columns.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<model::Column>& out = catalog.tables[index].columns;
    out.reserve(columns.size());
    for (auto& [attnum, column] : columns) out.push_back(std::move(column));
  }
}

void Reader::ReadIndexes(const Rows& rows) {
  for (const Row& row : rows) {
    model::Index i;
    i.table = {Str(row, "schema"), Str(row, "table")};
    i.name = {i.table.schema, Str(row, "name")};
    i.name_explicit = true;
    i.unique = Bool(row, "unique");
    i.method = Str(row, "method");
    for (const Json& element : Array(row, "elements")) {
      i.elements.push_back(IndexElementFrom(element));
    }
    i.include = Strings(row, "include");
    i.nulls_not_distinct = Bool(row, "nulls_not_distinct");
    if (auto where = OptStr(row, "where")) i.where = CanonicalExpr(*where);
    i.comment = OptStr(row, "comment");
    i.invalid = Bool(row, "invalid");
    i.storage = StorageOf(row, "storage");
    const Json unattached = JsonOf(row, "unattached_partitions");
    if (unattached.is_array()) {
      for (const Json& p : unattached) {
        i.unattached_partitions.push_back({p.at("schema").get<std::string>(), p.at("name").get<std::string>()});
      }
    }
    if (auto constraint = OptStr(row, "constraint")) {
      // The language has no storage parameters for the index of a constraint: say so rather than
      // lose them.
      if (!i.storage.empty()) {
        std::string list;
        for (const auto& [name, value] : i.storage) list += (list.empty() ? "" : ", ") + name + "=" + value;
        unsupported.push_back(Unsupported{.kind = "storage parameters of a constraint's index",
                                          .name = fmt::format("{}.{} ({})", i.table.schema, *constraint, list)});
      }
      constraint_indexes[{i.table, *constraint}] = std::move(i);
    } else {
      catalog.indexes.push_back(std::move(i));
    }
  }
}

void Reader::ReadConstraints(const Rows& rows) {
  for (const Row& row : rows) {
    const model::QualifiedName table{Str(row, "schema"), Str(row, "table")};
    auto it = table_index.find(table);
    if (it == table_index.end()) continue;
    model::Constraint c;
    c.name = Str(row, "name");
    c.name_explicit = true;
    const std::string kind = Str(row, "kind");
    // The compiler sets "simple" on every constraint; only foreign keys can say otherwise.
    c.match = "simple";
    c.deferral = DeferralOf(row);
    c.not_valid = !Bool(row, "validated");
    c.comment = OptStr(row, "comment");
    const model::Index* index = nullptr;
    if (kind == "p" || kind == "u" || kind == "x") {
      auto found = constraint_indexes.find({table, c.name});
      if (found == constraint_indexes.end()) {
        throw std::runtime_error(fmt::format("constraint {}.{}.{} has no index", table.schema,
                                             table.name, c.name));
      }
      index = &found->second;
    }
    if (kind == "p" || kind == "u") {
      c.kind = kind == "p" ? model::ConstraintKind::PrimaryKey : model::ConstraintKind::Unique;
      c.columns = Strings(row, "columns");
      c.include = index->include;
      c.nulls_not_distinct = index->nulls_not_distinct;
    } else if (kind == "f") {
      c.kind = model::ConstraintKind::ForeignKey;
      c.columns = Strings(row, "columns");
      c.ref_table = {Str(row, "ref_schema"), Str(row, "ref_table")};
      c.ref_columns = Strings(row, "ref_columns");
      const std::string match = Str(row, "match");
      c.match = match == "f" ? "full" : match == "p" ? "partial" : "simple";
      c.on_delete = ActionOf(Str(row, "on_delete"));
      c.on_update = ActionOf(Str(row, "on_update"));
      c.on_delete_set_columns = Strings(row, "on_delete_set_columns");
    } else if (kind == "c") {
      c.kind = model::ConstraintKind::Check;
      c.expression = CanonicalExpr(Str(row, "check"));
      c.no_inherit = Bool(row, "no_inherit");
    } else if (kind == "x") {
      c.kind = model::ConstraintKind::Exclude;
      c.using_method = index->method;
      c.elements = index->elements;
      c.include = index->include;
      if (index->where) c.expression = index->where;
    } else {
      throw std::runtime_error(fmt::format("unknown constraint kind '{}'", kind));
    }
    catalog.tables[it->second].constraints.push_back(std::move(c));
  }
}

}  // namespace schemac::catalog::internal
