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

// Each struct is an object with one key per field, leaving out the fields that hold their default
// value (most do: a column without a collation, a constraint that is not a foreign key), which
// keeps the cache small and quick to read. A missing key reads back as the default.
#define SCHEMAC_JSON_TO(field)                                                  \
  {                                                                            \
    static const nlohmann::json schemac_default = nlohmann::json(Self{}.field); \
    nlohmann::json schemac_value = schemac_object.field;                        \
    if (schemac_value != schemac_default) {                                     \
      schemac_json[#field] = std::move(schemac_value);                          \
    }                                                                          \
  }
#define SCHEMAC_JSON_FROM(field)                          \
  {                                                       \
    auto schemac_it = schemac_json.find(#field);          \
    if (schemac_it != schemac_json.end()) {               \
      schemac_it->get_to(schemac_object.field);           \
    }                                                     \
  }
#define SCHEMAC_JSON(Type, ...)                                                    \
  void to_json(nlohmann::json& schemac_json, const Type& schemac_object) {         \
    using Self = Type;                                                             \
    schemac_json = nlohmann::json::object();                                       \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(SCHEMAC_JSON_TO, __VA_ARGS__))        \
  }                                                                                \
  void from_json(const nlohmann::json& schemac_json, Type& schemac_object) {       \
    if (!schemac_json.is_object()) {                                               \
      throw std::runtime_error("expected an object for " #Type);                   \
    }                                                                              \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(SCHEMAC_JSON_FROM, __VA_ARGS__))      \
  }

// Locations are left out: a cached object gets its location from the current source.
void to_json(nlohmann::json& j, const Expr& e) { j = e.text; }
void from_json(const nlohmann::json& j, Expr& e) { e.text = j.get<std::string>(); }

SCHEMAC_JSON(QualifiedName, schema, name)
SCHEMAC_JSON(ObjectId, kind, name)
SCHEMAC_JSON(TypeName, schema, name, modifiers, array_dims)
SCHEMAC_JSON(SequenceParams, type, start, increment, min_value, max_value, cache,
                                   cycle)
SCHEMAC_JSON(Column, name, type, not_null, default_expr, identity, identity_params,
                                   generated, serial, collation, comment, renamed_from)
SCHEMAC_JSON(IndexElement, expression, is_column, collation, opclass, descending,
                                   nulls_first, exclude_operator)
SCHEMAC_JSON(Constraint, kind, name, name_explicit, columns, include,
                                   nulls_not_distinct, ref_table, ref_columns, match, on_delete, on_update,
                                   on_delete_set_columns, expression, no_inherit, using_method, elements,
                                   deferral, renamed_from, comment, not_valid)
SCHEMAC_JSON(Index, name, table, unique, method, elements, include,
                                   nulls_not_distinct, where, name_explicit, renamed_from, comment, deps,
                                   invalid, storage, unattached_partitions)
SCHEMAC_JSON(Table, name, unlogged, columns, constraints, partition_strategy,
                                   partition_keys, partition_of, partition_bound, partition_default,
                                   inherits, rls_enabled, rls_forced, comment, renamed_from, deps, storage)
SCHEMAC_JSON(Collation, name, provider, locale, lc_collate, lc_ctype, deterministic)
SCHEMAC_JSON(Extension, name, schema, version, comment)
SCHEMAC_JSON(Schema, name, comment, renamed_from)
SCHEMAC_JSON(Enum, name, values, comment, renamed_from)
SCHEMAC_JSON(DomainCheck, name, name_explicit, expression, not_valid)
SCHEMAC_JSON(Domain, name, base_type, collation, default_expr, not_null, checks,
                                   comment, renamed_from, deps)
SCHEMAC_JSON(CompositeField, name, type, collation)
SCHEMAC_JSON(CompositeType, name, fields, comment, renamed_from, deps)
SCHEMAC_JSON(Sequence, name, params, owned_by_table, owned_by_column, comment,
                                   renamed_from)
SCHEMAC_JSON(View, name, materialized, column_names, options, check_option, query,
                                   comment, renamed_from, deps)
SCHEMAC_JSON(FunctionArg, mode, name, type, default_expr)
SCHEMAC_JSON(Function, name, is_procedure, args, returns, returns_setof,
                                   returns_table, language, body, volatility, strict, security_definer,
                                   parallel, leakproof, cost, rows, set_options, comment, deps)
SCHEMAC_JSON(Trigger, name, table, constraint_trigger, timing, events,
                                   update_columns, referencing_old, referencing_new, for_each_row, when,
                                   function, args, deferral, comment, deps)
SCHEMAC_JSON(Policy, name, table, permissive, command, roles, using_expr,
                                   with_check, comment, renamed_from, deps)
SCHEMAC_JSON(Grant, object_kind, object, column, privilege, grantee,
                                   with_grant_option)
// Roles are left out: they are what the target names, not what a database holds.
SCHEMAC_JSON(Catalog, extensions, schemas, collations, enums, domains, composite_types,
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
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("malformed model JSON: ") + e.what());
  }
}

#define SCHEMAC_SERIALIZE(T)                      \
  template std::string ToJson<T>(const T&);       \
  template T FromJson<T>(std::string_view);
SCHEMAC_SERIALIZE(Collation)
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
