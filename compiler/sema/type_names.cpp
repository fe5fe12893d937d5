#include "compiler/sema/type_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace schemac::sema {
namespace {

// How a built-in type takes modifiers (typmods).
enum class Mods {
  None,       // integer, text, ...: no modifier allowed
  Length,     // varchar(n), char(n), bit(n), varbit(n): one length >= 1
  Numeric,    // numeric(p) / numeric(p, s)
  Precision,  // time(p), timestamp(p), interval(p): 0..6
  FloatBits,  // float(p): 1..24 real, 25..53 double precision
};

struct Builtin {
  std::string_view spelling;
  std::string_view canonical;
  Mods mods = Mods::None;
  std::string_view default_mods = {};  // typmod implied by the spelling without modifiers
  std::string_view serial = {};
};

// Every spelling of a built-in type the language accepts, with format_type()'s canonical name.
constexpr Builtin kBuiltins[] = {
    {"integer", "integer"}, {"int", "integer"}, {"int4", "integer"},
    {"smallint", "smallint"}, {"int2", "smallint"},
    {"bigint", "bigint"}, {"int8", "bigint"},
    {"serial", "integer", Mods::None, {}, "serial"}, {"serial4", "integer", Mods::None, {}, "serial"},
    {"bigserial", "bigint", Mods::None, {}, "bigserial"},
    {"serial8", "bigint", Mods::None, {}, "bigserial"},
    {"smallserial", "smallint", Mods::None, {}, "smallserial"},
    {"serial2", "smallint", Mods::None, {}, "smallserial"},
    {"real", "real"}, {"float4", "real"},
    {"double precision", "double precision"}, {"float8", "double precision"},
    {"float", "double precision", Mods::FloatBits},
    {"boolean", "boolean"}, {"bool", "boolean"},
    {"character varying", "character varying", Mods::Length},
    {"char varying", "character varying", Mods::Length},
    {"varchar", "character varying", Mods::Length},
    // SQL's CHARACTER without a length means CHARACTER(1); bpchar without one is unlimited. The
    // parser spells the keyword CHAR as "character", so a type named "char" was written quoted:
    // the one-byte internal type, which format_type prints with its quotes.
    {"character", "character", Mods::Length, "(1)"}, {"char", "\"char\""},
    {"bpchar", "bpchar", Mods::Length},
    {"numeric", "numeric", Mods::Numeric}, {"decimal", "numeric", Mods::Numeric},
    {"dec", "numeric", Mods::Numeric},
    {"bit", "bit", Mods::Length, "(1)"},
    {"bit varying", "bit varying", Mods::Length}, {"varbit", "bit varying", Mods::Length},
    {"timestamp", "timestamp without time zone", Mods::Precision},
    {"timestamp without time zone", "timestamp without time zone", Mods::Precision},
    {"timestamptz", "timestamp with time zone", Mods::Precision},
    {"timestamp with time zone", "timestamp with time zone", Mods::Precision},
    {"time", "time without time zone", Mods::Precision},
    {"time without time zone", "time without time zone", Mods::Precision},
    {"timetz", "time with time zone", Mods::Precision},
    {"time with time zone", "time with time zone", Mods::Precision},
    {"interval", "interval", Mods::Precision},
    {"interval year", "interval year"}, {"interval month", "interval month"},
    {"interval day", "interval day"}, {"interval hour", "interval hour"},
    {"interval minute", "interval minute"},
    {"interval second", "interval second", Mods::Precision},
    {"interval year to month", "interval year to month"},
    {"interval day to hour", "interval day to hour"},
    {"interval day to minute", "interval day to minute"},
    {"interval day to second", "interval day to second", Mods::Precision},
    {"interval hour to minute", "interval hour to minute"},
    {"interval hour to second", "interval hour to second", Mods::Precision},
    {"interval minute to second", "interval minute to second", Mods::Precision},
};

// Built-in types whose name is their canonical spelling and that take no modifiers.
constexpr std::string_view kPlainBuiltins[] = {
    "aclitem", "anyarray", "anycompatible", "anycompatiblearray", "anycompatiblemultirange",
    "anycompatiblenonarray", "anycompatiblerange", "anyelement", "anyenum", "anymultirange",
    "anynonarray", "anyrange", "box", "bytea", "cid", "cidr", "circle", "cstring", "date",
    "datemultirange", "daterange", "event_trigger", "fdw_handler", "gtsvector", "index_am_handler",
    "inet", "int2vector", "int4multirange", "int4range", "int8multirange", "int8range", "internal",
    "json", "jsonb", "jsonpath", "language_handler", "line", "lseg", "macaddr", "macaddr8", "money",
    "name", "nummultirange", "numrange", "oid", "oidvector", "path", "pg_lsn", "pg_node_tree",
    "pg_snapshot", "point", "polygon", "record", "refcursor", "regclass", "regcollation",
    "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator", "regproc",
    "regprocedure", "regrole", "regtype", "table_am_handler", "text", "tid", "trigger",
    "tsm_handler", "tsmultirange", "tsquery", "tsrange", "tstzmultirange", "tstzrange", "tsvector",
    "txid_snapshot", "unknown", "uuid", "void", "xid", "xid8", "xml"};

// Names that only appear inside embedded SQL (the parser's internal names for SQL spellings).
constexpr std::string_view kInternalOnly[] = {"char", "any"};

struct ExtensionType {
  std::string_view type;
  std::string_view extension;
};

constexpr ExtensionType kExtensionTypes[] = {
    {"citext", "citext"},      {"hstore", "hstore"},     {"ltree", "ltree"},
    {"lquery", "ltree"},       {"ltxtquery", "ltree"},   {"cube", "cube"},
    {"earth", "earthdistance"}, {"geometry", "postgis"}, {"geography", "postgis"},
    {"box2d", "postgis"},      {"box3d", "postgis"},     {"raster", "postgis_raster"},
    {"vector", "vector"},      {"halfvec", "vector"},    {"sparsevec", "vector"},
    {"isbn", "isn"},           {"isbn13", "isn"},        {"ean13", "isn"},
    {"issn", "isn"},           {"issn13", "isn"},        {"ismn", "isn"},
    {"ismn13", "isn"},         {"upc", "isn"},           {"seg", "seg"},
    {"lo", "lo"},              {"query_int", "intarray"}, {"gtrgm", "pg_trgm"},
};

// Extensions whose user-visible types are all listed above (many provide none).
constexpr std::string_view kKnownExtensions[] = {
    "adminpack", "amcheck", "autoinc", "bloom", "btree_gin", "btree_gist", "citext", "cube",
    "dblink", "dict_int", "dict_xsyn", "earthdistance", "file_fdw", "fuzzystrmatch", "hstore",
    "insert_username", "intagg", "intarray", "isn", "lo", "ltree", "moddatetime", "old_snapshot",
    "pageinspect", "pg_buffercache", "pg_freespacemap", "pg_prewarm", "pg_stat_statements",
    "pg_surgery", "pg_trgm", "pg_visibility", "pg_walinspect", "pgcrypto", "pgrowlocks",
    "pgstattuple", "plpgsql", "postgis", "postgis_raster", "postgres_fdw", "refint", "seg",
    "sslinfo", "tablefunc", "tcn", "tsm_system_rows", "tsm_system_time", "unaccent", "uuid-ossp",
    "vector", "xml2"};

struct TriggerFunction {
  std::string_view function;
  std::string_view source;  // "" = built-in, else the extension
};

constexpr TriggerFunction kTriggerFunctions[] = {
    {"suppress_redundant_updates_trigger", ""}, {"tsvector_update_trigger", ""},
    {"tsvector_update_trigger_column", ""},     {"moddatetime", "moddatetime"},
    {"autoinc", "autoinc"},                     {"insert_username", "insert_username"},
    {"lo_manage", "lo"},                        {"check_primary_key", "refint"},
    {"check_foreign_key", "refint"},            {"triggered_change_notification", "tcn"},
};

struct ExtensionRelation {
  std::string_view relation;
  std::string_view extension;
};

constexpr ExtensionRelation kExtensionRelations[] = {
    {"spatial_ref_sys", "postgis"},
    {"geometry_columns", "postgis"},
    {"geography_columns", "postgis"},
    {"raster_columns", "postgis_raster"},
    {"raster_overviews", "postgis_raster"},
};

std::optional<long> ParseInt(const std::string& text) {
  long value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Validates the modifiers of a built-in type and renders them canonically. Returns the error
// message on failure.
std::string ApplyModifiers(const Builtin& b, const std::vector<std::string>& mods,
                           model::TypeName& type) {
  std::string_view spelling = b.spelling;
  if (mods.empty()) {
    type.modifiers = b.default_mods;
    return "";
  }
  std::vector<long> values;
  for (const std::string& m : mods) {
    std::optional<long> v = ParseInt(m);
    if (!v) return fmt::format("type modifier '{}' of type '{}' must be an integer", m, spelling);
    values.push_back(*v);
  }
  switch (b.mods) {
    case Mods::None:
      return fmt::format("type '{}' does not take modifiers", spelling);
    case Mods::Length:
      if (values.size() != 1) return fmt::format("type '{}' takes one length", spelling);
      if (values[0] < 1) return fmt::format("length for type '{}' must be at least 1", spelling);
      if (values[0] > 10485760) {
        return fmt::format("length for type '{}' cannot exceed 10485760", spelling);
      }
      type.modifiers = fmt::format("({})", values[0]);
      return "";
    case Mods::Numeric: {
      if (values.size() > 2) return "type 'numeric' takes a precision and an optional scale";
      if (values[0] < 1 || values[0] > 1000) {
        return fmt::format("numeric precision {} must be between 1 and 1000", values[0]);
      }
      const long scale = values.size() == 2 ? values[1] : 0;
      if (scale < -1000 || scale > 1000) {
        return fmt::format("numeric scale {} must be between -1000 and 1000", scale);
      }
      type.modifiers = fmt::format("({},{})", values[0], scale);
      return "";
    }
    case Mods::Precision:
      if (values.size() != 1) return fmt::format("type '{}' takes one precision", spelling);
      if (values[0] < 0 || values[0] > 6) {
        return fmt::format("precision of type '{}' must be between 0 and 6", spelling);
      }
      type.modifiers = fmt::format("({})", values[0]);
      return "";
    case Mods::FloatBits:
      if (values.size() != 1) return "type 'float' takes one precision";
      if (values[0] < 1 || values[0] > 53) {
        return fmt::format("precision for type 'float' must be between 1 and 53 bits, not {}",
                           values[0]);
      }
      // float(p) is real up to 24 bits of precision, double precision beyond.
      type.name = values[0] <= 24 ? "real" : "double precision";
      type.modifiers.clear();
      return "";
  }
  return "";
}

}  // namespace

std::optional<BuiltinType> CanonicalBuiltinType(std::string_view name,
                                                const std::vector<std::string>& modifiers,
                                                int array_dims) {
  BuiltinType out;
  out.type.schema = "pg_catalog";
  out.type.array_dims = array_dims;
  for (const Builtin& b : kBuiltins) {
    if (b.spelling != name) continue;
    out.type.name = b.canonical;
    out.error = ApplyModifiers(b, modifiers, out.type);
    if (!b.serial.empty()) out.serial = std::string(b.serial);
    return out;
  }
  if (std::find(std::begin(kPlainBuiltins), std::end(kPlainBuiltins), name) ==
      std::end(kPlainBuiltins)) {
    return std::nullopt;
  }
  out.type.name = name;
  if (!modifiers.empty()) out.error = fmt::format("type '{}' does not take modifiers", name);
  return out;
}

bool IsBuiltinTypeName(std::string_view name) {
  if (name.starts_with("pg_")) return true;
  // Array types inside SQL may appear by their internal name, e.g. _int4.
  if (name.starts_with("_")) name.remove_prefix(1);
  for (const Builtin& b : kBuiltins) {
    if (b.spelling == name && b.serial.empty()) return true;
  }
  return std::find(std::begin(kPlainBuiltins), std::end(kPlainBuiltins), name) !=
             std::end(kPlainBuiltins) ||
         std::find(std::begin(kInternalOnly), std::end(kInternalOnly), name) !=
             std::end(kInternalOnly);
}

const char* ExtensionOfType(std::string_view type_name) {
  for (const ExtensionType& e : kExtensionTypes) {
    if (e.type == type_name) return e.extension.data();
  }
  return nullptr;
}

bool IsKnownExtension(std::string_view extension) {
  return std::find(std::begin(kKnownExtensions), std::end(kKnownExtensions), extension) !=
         std::end(kKnownExtensions);
}

const char* TriggerFunctionSource(std::string_view function_name) {
  for (const TriggerFunction& f : kTriggerFunctions) {
    if (f.function == function_name) return f.source.data();
  }
  return nullptr;
}

const char* ExtensionOfRelation(std::string_view relation_name) {
  for (const ExtensionRelation& r : kExtensionRelations) {
    if (r.relation == relation_name) return r.extension.data();
  }
  return nullptr;
}

}  // namespace schemac::sema
