// Built-in PostgreSQL types and well-known extension types: canonical spelling (what
// format_type() prints), modifier validation, and which extension provides a type. Pure tables and
// functions; resolution against the declared schema is in types.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/model/model.h"

namespace schemac::sema {

struct BuiltinType {
  model::TypeName type;               // schema "pg_catalog", canonical name and modifiers
  std::optional<std::string> serial;  // "smallserial" / "serial" / "bigserial" for serial types
  std::string error;                  // non-empty: a built-in type with invalid modifiers
};

// Canonicalizes a built-in type as the AST spells it (folded; multi-word names joined by one
// space, e.g. "double precision", "timestamp with time zone"). Aliases map to format_type's name
// (int4 -> integer, varchar -> character varying, timestamptz -> timestamp with time zone),
// modifiers become canonical text without spaces (numeric(12, 2) -> "(12,2)", numeric(10) ->
// "(10,0)", char -> "(1)", float(p) picks real or double precision). Returns nullopt when `name`
// is not a built-in type.
std::optional<BuiltinType> CanonicalBuiltinType(std::string_view name,
                                                const std::vector<std::string>& modifiers,
                                                int array_dims);

// True when a one-part type name inside embedded SQL (after PostgreSQL's parser, so internal names
// such as int4, bpchar, timestamptz as well as text, jsonb, ...) is a pg_catalog type.
bool IsBuiltinTypeName(std::string_view name);

// The extension that provides a well-known extension type (citext -> "citext", geometry ->
// "postgis"), or nullptr.
const char* ExtensionOfType(std::string_view type_name);

// True for extensions whose user-visible types are all in the table above (possibly none, e.g.
// pgcrypto). For any other declared extension, unknown type names cannot be checked offline.
bool IsKnownExtension(std::string_view extension);

// Trigger functions that exist without being declared: PostgreSQL's built-ins (nullptr result
// means "not a known trigger function"), or the extension that provides one (moddatetime, ...).
// Returns "" for a built-in.
const char* TriggerFunctionSource(std::string_view function_name);

// The extension that creates a well-known relation in its schema (spatial_ref_sys -> postgis), or
// nullptr.
const char* ExtensionOfRelation(std::string_view relation_name);

}  // namespace schemac::sema
