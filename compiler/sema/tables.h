// Internal to compiler/sema: helpers shared by tables.cpp and constraints.cpp.
#pragma once

#include "compiler/sema/context.h"

namespace schemac::sema {

// `unknown column 'x' in table 't'` at `loc`.
void ReportUnknownColumn(Context& ctx, const TableState& table, const std::string& column, Loc loc);

// model::IndexElement of an index, exclusion or partition key element as written.
model::IndexElement MakeIndexElement(const ast::IndexElem& elem);

// constraints.cpp: a table's constraints (column-level ones first, in column order, then
// table-level ones), and the index declarations attached to it.
void BuildConstraints(Context& ctx, TableState& table);
void BuildIndex(Context& ctx, IndexState& index);
// Partition keys exist, and primary keys / unique constraints and indexes of a partitioned table
// include every partition key column.
void CheckPartitionKeys(Context& ctx, TableState& table);

// Storage parameters as the model keeps them (sorted by name); a parameter given twice is an
// error. `what` names the object for the message ("table 'public.t'").
std::vector<std::pair<std::string, std::string>> StorageOf(
    Context& ctx, const std::vector<std::pair<ast::Name, std::string>>& storage, const std::string& what);

}  // namespace schemac::sema
