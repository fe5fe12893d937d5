// Readers for views.sql, functions.sql, triggers.sql and policies.sql.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "runtime/catalog/internal/reader.h"

namespace schemac::catalog::internal {
namespace {

model::ArgMode ArgModeOf(const std::string& code) {
  if (code == "o" || code == "t") return model::ArgMode::Out;
  if (code == "b") return model::ArgMode::InOut;
  if (code == "v") return model::ArgMode::Variadic;
  return model::ArgMode::In;
}

// tgtype bits (catalog/pg_trigger.h).
constexpr int64_t kTriggerRow = 1 << 0;
constexpr int64_t kTriggerBefore = 1 << 1;
constexpr int64_t kTriggerInsert = 1 << 2;
constexpr int64_t kTriggerDelete = 1 << 3;
constexpr int64_t kTriggerUpdate = 1 << 4;
constexpr int64_t kTriggerTruncate = 1 << 5;
constexpr int64_t kTriggerInstead = 1 << 6;

}  // namespace

void Reader::ReadViews(const Rows& rows) {
  for (const Row& row : rows) {
    model::View v;
    v.name = {Str(row, "schema"), Str(row, "name")};
    v.materialized = Bool(row, "materialized");
    v.column_names = Strings(row, "columns");
    for (const std::string& option : Strings(row, "options")) {
      auto [name, value] = SplitSetting(option);
      // WITH [LOCAL | CASCADED] CHECK OPTION is stored as the option check_option.
      if (name == "check_option") {
        v.check_option = value;
      } else {
        v.options.emplace_back(std::move(name), std::move(value));
      }
    }
    std::sort(v.options.begin(), v.options.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    v.query = CanonicalExpr(Str(row, "query"));
    v.comment = OptStr(row, "comment");
    catalog.views.push_back(std::move(v));
  }
}

void Reader::ReadFunctions(const Rows& rows) {
  for (const Row& row : rows) {
    model::Function f;
    f.name = {Str(row, "schema"), Str(row, "name")};
    f.is_procedure = Bool(row, "is_procedure");
    bool returns_table = false;
    for (const Json& arg : Array(row, "args")) {
      model::FunctionArg a;
      const std::string mode = Str(arg, "mode");
      a.mode = ArgModeOf(mode);
      a.name = Str(arg, "name");
      a.type = TypeFrom(arg, "type_");
      if (auto def = OptStr(arg, "default")) a.default_expr = CanonicalExpr(*def);
      if (mode == "t") {
        returns_table = true;
        f.returns_table.push_back(std::move(a));
      } else {
        f.args.push_back(std::move(a));
      }
    }
    // Procedures return nothing (void, or record for their output arguments); RETURNS TABLE is
    // the table's columns (PostgreSQL stores SETOF record).
    if (!f.is_procedure && !returns_table) {
      f.returns = TypeFrom(row, "returns_");
      f.returns_setof = Bool(row, "returns_setof");
    }
    f.language = Str(row, "language");
    f.body = CanonicalExpr(OptStr(row, "body").value_or(""));
    f.volatility = Str(row, "volatility");
    f.strict = Bool(row, "strict");
    f.security_definer = Bool(row, "security_definer");
    f.parallel = Str(row, "parallel");
    f.leakproof = Bool(row, "leakproof");
    f.cost = OptStr(row, "cost");
    f.rows = OptStr(row, "rows");
    for (const std::string& setting : Strings(row, "set_options")) {
      f.set_options.push_back(SplitSetting(setting));
    }
    f.comment = OptStr(row, "comment");
    function_by_oid[Str(row, "oid")] = catalog.functions.size();
    catalog.functions.push_back(std::move(f));
  }
}

void Reader::ReadTriggers(const Rows& rows) {
  for (const Row& row : rows) {
    model::Trigger t;
    t.name = Str(row, "name");
    t.table = {Str(row, "schema"), Str(row, "table")};
    t.constraint_trigger = Bool(row, "constraint_trigger");
    const int64_t type = Int(row, "type");
    t.timing = (type & kTriggerInstead) != 0  ? model::TriggerTiming::InsteadOf
               : (type & kTriggerBefore) != 0 ? model::TriggerTiming::Before
                                              : model::TriggerTiming::After;
    // The canonical order, as PostgreSQL prints them.
    if ((type & kTriggerInsert) != 0) t.events.push_back("insert");
    if ((type & kTriggerDelete) != 0) t.events.push_back("delete");
    if ((type & kTriggerTruncate) != 0) t.events.push_back("truncate");
    if ((type & kTriggerUpdate) != 0) t.events.push_back("update");
    t.update_columns = Strings(row, "update_columns");
    t.referencing_old = OptStr(row, "referencing_old");
    t.referencing_new = OptStr(row, "referencing_new");
    t.for_each_row = (type & kTriggerRow) != 0;
    if (Bool(row, "has_when")) t.when = CanonicalExpr(TriggerWhen(Str(row, "definition")));
    t.function = {Str(row, "function_schema"), Str(row, "function_name")};
    // The model keeps arguments as SQL text (sqlgen prints them as they are); PostgreSQL stores
    // strings and prints each as a string literal, so that is the canonical spelling.
    for (const std::string& arg : TriggerArgs(Str(row, "args"), Int(row, "nargs"))) {
      t.args.push_back(model::QuoteLiteral(arg));
    }
    t.deferral = !Bool(row, "deferrable")  ? model::Deferral::NotDeferrable
                 : Bool(row, "deferred") ? model::Deferral::InitiallyDeferred
                                         : model::Deferral::InitiallyImmediate;
    t.comment = OptStr(row, "comment");
    catalog.triggers.push_back(std::move(t));
  }
}

void Reader::ReadPolicies(const Rows& rows) {
  for (const Row& row : rows) {
    model::Policy p;
    p.name = Str(row, "name");
    p.table = {Str(row, "schema"), Str(row, "table")};
    p.permissive = Bool(row, "permissive");
    p.command = Str(row, "command");
    p.roles = Strings(row, "roles");
    std::sort(p.roles.begin(), p.roles.end());
    if (auto e = OptStr(row, "using")) p.using_expr = CanonicalExpr(*e);
    if (auto e = OptStr(row, "with_check")) p.with_check = CanonicalExpr(*e);
    p.comment = OptStr(row, "comment");
    catalog.policies.push_back(std::move(p));
  }
}

}  // namespace schemac::catalog::internal
