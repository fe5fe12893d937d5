// Internal to compiler/sema: resolving type references against built-in, declared and extension
// types.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/model/model.h"
#include "compiler/sema/context.h"

namespace schemac::sema {

// Where a type appears: serial types are only allowed as table column types.
enum class TypeUse { Column, Other };

// The outcome of looking a type name up without reporting anything.
struct TypeLookup {
  enum class Status {
    Builtin,           // a pg_catalog type
    User,              // an enum, domain, composite type, or table/view row type of the schema
    Extension,         // a well-known type of a declared extension
    ExtensionMissing,  // a well-known extension type whose extension is not declared
    Unchecked,         // may come from a declared extension this compiler knows nothing about,
                       // or lives in a schema outside the one being compiled
    Unknown,
  };
  Status status = Status::Unknown;
  QName name;                                    // User, Extension, Unchecked: where it lives
  model::ObjectKind kind = model::ObjectKind::Enum;  // User: what declares it
  std::string extension;  // Extension, ExtensionMissing, Unchecked (if from an extension)
};

// Looks up a type by (optional) schema and folded name. Unqualified names resolve like PostgreSQL's
// default search path: pg_catalog first, then public.
TypeLookup LookupType(const Context& ctx, const std::optional<std::string>& schema,
                      const std::string& name);

// Resolves a type as written in a declaration to its canonical model type, adding declared and
// extension types to `deps` (when given). Reports unknown-schema, unknown-type and invalid-type at
// the type; returns nullopt after an error. `serial` receives the serial spelling for column types.
std::optional<model::TypeName> ResolveType(Context& ctx, const ast::TypeRef& ref, TypeUse use,
                                           std::vector<model::ObjectId>* deps,
                                           std::optional<std::string>* serial = nullptr);

// The type with domains replaced by their base types (domains over domains followed), for
// comparing foreign key columns.
model::TypeName StripDomains(const Context& ctx, const model::TypeName& type);

// Whether two types are the same for a foreign key: same type and array dimensions; modifiers
// (lengths, precisions) do not matter to PostgreSQL's equality operators.
bool SameTypeIgnoringModifiers(const model::TypeName& a, const model::TypeName& b);

// Whether PostgreSQL accepts a foreign key column of type `fk` referencing a key column of type
// `pk` (domains stripped): the same type (modifiers do not matter), or, as in
// ATAddForeignKeyConstraint, a cross-type equality operator in the key's btree operator family
// (integer_ops: smallint, integer, bigint; float_ops: real, double precision; datetime_ops: date,
// timestamp, timestamptz; network_ops: inet, cidr), or an implicit cast from `fk` to `pk`
// (varchar, char and text among themselves; integers to numeric or a float; numeric to a float).
// Arrays need the same element type. Everything else (integer and text ...) is rejected.
bool ForeignKeyTypesCompatible(const model::TypeName& fk, const model::TypeName& pk);

// Human-readable type for messages: `integer`, `character varying(20)`, `billing.money_amount`.
std::string DisplayType(const model::TypeName& type);

}  // namespace schemac::sema
