#include "compiler/model/serialize.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>

namespace nlohmann {

template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) {
      j = *v;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) {
      v.reset();
    } else {
      v = j.get<T>();
    }
  }
};

}  // namespace nlohmann

namespace schemac::model {

// Locations are left out: a cached object gets its location from the current source.
void to_json(nlohmann::json& j, const Expr& e) { j = e.text; }
void from_json(const nlohmann::json& j, Expr& e) { e.text = j.get<std::string>(); }

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(QualifiedName, schema, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ObjectId, kind, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TypeName, schema, name, modifiers, array_dims)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SequenceParams, type, start, increment, min_value, max_value, cache,
                                   cycle)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Column, name, type, not_null, default_expr, identity, identity_params,
                                   generated, serial, collation, comment, renamed_from)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IndexElement, expression, is_column, collation, opclass, descending,
                                   nulls_first, exclude_operator)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Constraint, kind, name, name_explicit, columns, include,
                                   nulls_not_distinct, ref_table, ref_columns, match, on_delete, on_update,
                                   on_delete_set_columns, expression, no_inherit, using_method, elements,
                                   deferral, renamed_from, comment, not_valid)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Index, name, table, unique, method, elements, include,
                                   nulls_not_distinct, where, name_explicit, renamed_from, comment, deps,
                                   invalid)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Table, name, unlogged, columns, constraints, partition_strategy,
                                   partition_keys, partition_of, partition_bound, partition_default,
                                   rls_enabled, rls_forced, comment, renamed_from, deps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Extension, name, schema, version, comment)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Schema, name, comment, renamed_from)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Enum, name, values, comment, renamed_from)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DomainCheck, name, name_explicit, expression, not_valid)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Domain, name, base_type, collation, default_expr, not_null, checks,
                                   comment, renamed_from, deps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CompositeField, name, type, collation)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CompositeType, name, fields, comment, renamed_from, deps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Sequence, name, params, owned_by_table, owned_by_column, comment,
                                   renamed_from)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(View, name, materialized, column_names, options, check_option, query,
                                   comment, renamed_from, deps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FunctionArg, mode, name, type, default_expr)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Function, name, is_procedure, args, returns, returns_setof,
                                   returns_table, language, body, volatility, strict, security_definer,
                                   parallel, leakproof, cost, rows, set_options, comment, deps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Trigger, name, table, constraint_trigger, timing, events,
                                   update_columns, referencing_old, referencing_new, for_each_row, when,
                                   function, args, deferral, comment, deps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Policy, name, table, permissive, command, roles, using_expr,
                                   with_check, comment, renamed_from, deps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Grant, object_kind, object, column, privilege, grantee,
                                   with_grant_option)
// Roles are left out: they are what the target names, not what a database holds.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Catalog, extensions, schemas, enums, domains, composite_types,
                                   sequences, tables, indexes, views, functions, triggers, policies,
                                   grants)

template <typename T>
std::string ToJson(const T& object) {
  return nlohmann::json(object).dump();
}

template <typename T>
T FromJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text).get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed model JSON: ") + e.what());
  }
}

#define SCHEMAC_SERIALIZE(T)                      \
  template std::string ToJson<T>(const T&);       \
  template T FromJson<T>(std::string_view);
SCHEMAC_SERIALIZE(Extension)
SCHEMAC_SERIALIZE(Schema)
SCHEMAC_SERIALIZE(Enum)
SCHEMAC_SERIALIZE(Domain)
SCHEMAC_SERIALIZE(CompositeType)
SCHEMAC_SERIALIZE(Sequence)
SCHEMAC_SERIALIZE(Table)
SCHEMAC_SERIALIZE(Index)
SCHEMAC_SERIALIZE(View)
SCHEMAC_SERIALIZE(Function)
SCHEMAC_SERIALIZE(Trigger)
SCHEMAC_SERIALIZE(Policy)
SCHEMAC_SERIALIZE(Grant)
SCHEMAC_SERIALIZE(Catalog)
#undef SCHEMAC_SERIALIZE

}  // namespace schemac::model
