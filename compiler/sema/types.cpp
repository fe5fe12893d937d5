#include "compiler/sema/types.h"

#include <fmt/format.h>

#include "compiler/sema/type_names.h"

namespace schemac::sema {
namespace {

using Status = TypeLookup::Status;

// The first declared extension (by name) whose types cannot be checked offline, optionally only
// those installed into `schema`.
const ExtensionState* UncheckableExtension(const Context& ctx,
                                           const std::optional<std::string>& schema) {
  for (const auto& [name, ext] : ctx.extensions) {
    if (IsKnownExtension(name)) continue;
    if (schema && ext.schema != *schema) continue;
    return &ext;
  }
  return nullptr;
}

std::string JoinModifiers(const std::vector<std::string>& modifiers) {
  if (modifiers.empty()) return "";
  std::string out = "(";
  for (size_t i = 0; i < modifiers.size(); ++i) {
    if (i > 0) out += ',';
    out += modifiers[i];
  }
  return out + ")";
}

}  // namespace

TypeLookup LookupType(const Context& ctx, const std::optional<std::string>& schema,
                      const std::string& name) {
  TypeLookup out;
  if (schema == "pg_catalog") {
    const bool builtin = IsBuiltinTypeName(name) || CanonicalBuiltinType(name, {}, 0).has_value();
    out.status = builtin ? Status::Builtin : Status::Unknown;
    return out;
  }
  if (!schema && (IsBuiltinTypeName(name) || CanonicalBuiltinType(name, {}, 0).has_value())) {
    out.status = Status::Builtin;
    return out;
  }
  const QName qualified{schema.value_or("public"), name};
  if (auto it = ctx.type_names.find(qualified); it != ctx.type_names.end()) {
    out.status = Status::User;
    out.name = qualified;
    out.kind = it->second.kind;
    return out;
  }
  if (const char* ext = ExtensionOfType(name)) {
    auto it = ctx.extensions.find(ext);
    if (it != ctx.extensions.end() && (!schema || it->second.schema == *schema)) {
      out.status = Status::Extension;
      out.name = {it->second.schema, name};
      out.extension = ext;
      return out;
    }
    if (it == ctx.extensions.end()) {
      out.status = Status::ExtensionMissing;
      out.extension = ext;
      return out;
    }
  }
  if (const ExtensionState* ext = UncheckableExtension(ctx, schema)) {
    out.status = Status::Unchecked;
    out.name = {ext->schema, name};
    out.extension = ext->model.name;
    return out;
  }
  if (schema && !ctx.SchemaExists(*schema)) {
    // A schema outside this compilation (already reported where a declaration names it).
    out.status = Status::Unchecked;
    out.name = qualified;
    return out;
  }
  out.status = Status::Unknown;
  return out;
}

std::optional<model::TypeName> ResolveType(Context& ctx, const ast::TypeRef& ref, TypeUse use,
                                           std::vector<model::ObjectId>* deps,
                                           std::optional<std::string>* serial) {
  std::optional<std::string> schema;
  if (ref.schema) {
    schema = ref.schema->text;
    if (*schema != "pg_catalog" && !ctx.SchemaExists(*schema)) {
      ctx.Error(DiagKind::UnknownSchema, ref.schema->loc,
                fmt::format("unknown schema '{}'", *schema));
      return std::nullopt;
    }
  }
  if (!schema || *schema == "pg_catalog") {
    if (std::optional<BuiltinType> b = CanonicalBuiltinType(ref.name, ref.modifiers, ref.array_dims)) {
      if (!b->error.empty()) {
        ctx.Error(DiagKind::InvalidType, ref.loc, b->error);
        return std::nullopt;
      }
      if (b->serial) {
        if (use != TypeUse::Column) {
          ctx.Error(DiagKind::InvalidType, ref.loc,
                    fmt::format("type '{}' is only allowed for table columns", ref.name));
          return std::nullopt;
        }
        if (ref.array_dims > 0) {
          ctx.Error(DiagKind::InvalidType, ref.loc,
                    fmt::format("array of '{}' is not supported", ref.name));
          return std::nullopt;
        }
        if (serial != nullptr) *serial = b->serial;
      }
      return b->type;
    }
  }
  const TypeLookup found = LookupType(ctx, schema, ref.name);
  model::TypeName type{.schema = found.name.schema, .name = ref.name,
                       .modifiers = JoinModifiers(ref.modifiers), .array_dims = ref.array_dims};
  switch (found.status) {
    case Status::Builtin:
      // Built-in names that CanonicalBuiltinType does not list (only reachable via pg_catalog).
      type.schema = "pg_catalog";
      return type;
    case Status::User:
      if (!ref.modifiers.empty()) {
        ctx.Error(DiagKind::InvalidType, ref.loc,
                  fmt::format("type '{}' does not take modifiers", Display(found.name)));
        return std::nullopt;
      }
      if (deps != nullptr) AddDep(*deps, found.kind, found.name);
      return type;
    case Status::Extension:
    case Status::Unchecked:
      if (deps != nullptr && !found.extension.empty()) {
        AddDep(*deps, model::ObjectKind::Extension, {"", found.extension});
      }
      return type;
    case Status::ExtensionMissing: {
      base::Diagnostic& d =
          ctx.Error(DiagKind::UnknownType, ref.loc, fmt::format("unknown type '{}'", ref.name));
      Context::Note(d, ref.loc,
                    fmt::format("type '{}' comes from extension '{}'; add `extension {}`", ref.name,
                                found.extension, model::QuoteIdent(found.extension)));
      return std::nullopt;
    }
    case Status::Unknown:
      break;
  }
  const std::string shown = schema ? *schema + "." + ref.name : ref.name;
  ctx.Error(DiagKind::UnknownType, ref.loc, fmt::format("unknown type '{}'", shown));
  return std::nullopt;
}

model::TypeName StripDomains(const Context& ctx, const model::TypeName& type) {
  model::TypeName out = type;
  for (int depth = 0; depth < 32; ++depth) {
    auto it = ctx.domain_by_name.find({out.schema, out.name});
    if (out.IsBuiltin() || it == ctx.domain_by_name.end()) break;
    const int dims = out.array_dims;
    out = it->second->model.base_type;
    out.array_dims += dims;
  }
  return out;
}

bool SameTypeIgnoringModifiers(const model::TypeName& a, const model::TypeName& b) {
  return a.schema == b.schema && a.name == b.name && a.array_dims == b.array_dims;
}

namespace {

// The btree operator family of a built-in scalar type, as far as foreign keys care; "" for types
// that only equal themselves.
std::string FkFamily(const std::string& name) {
  if (name == "smallint" || name == "integer" || name == "bigint") return "integer";
  if (name == "real" || name == "double precision") return "float";
  if (name == "numeric") return "numeric";
  if (name == "text" || name == "character varying" || name == "character" || name == "bpchar") {
    return "text";
  }
  if (name == "date" || name == "timestamp without time zone" ||
      name == "timestamp with time zone") {
    return "datetime";
  }
  if (name == "inet" || name == "cidr") return "network";
  return "";
}

}  // namespace

bool ForeignKeyTypesCompatible(const model::TypeName& fk, const model::TypeName& pk) {
  if (SameTypeIgnoringModifiers(fk, pk)) return true;
  if (fk.array_dims != 0 || pk.array_dims != 0 || !fk.IsBuiltin() || !pk.IsBuiltin()) return false;
  const std::string a = FkFamily(fk.name);
  const std::string b = FkFamily(pk.name);
  if (a.empty() || b.empty()) return false;
  if (a == b) return true;
  // Implicit casts from the referencing type to the key's type (pg_cast, castcontext 'i').
  if (b == "numeric") return a == "integer";
  if (b == "float") return a == "integer" || a == "numeric";
  return false;
}

std::string DisplayType(const model::TypeName& type) {
  if (type.IsBuiltin()) return type.ToSql();
  std::string out = Display({type.schema, type.name}) + type.modifiers;
  for (int i = 0; i < type.array_dims; ++i) out += "[]";
  return out;
}

}  // namespace schemac::sema
