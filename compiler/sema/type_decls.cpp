// Enums, domains and composite types.
#include <fmt/format.h>

#include "compiler/sema/context.h"
#include "compiler/sema/naming.h"
#include "compiler/sema/types.h"

namespace schemac::sema {
namespace {

std::optional<QName> RenamedFrom(const std::optional<ast::QualName>& from, const QName& name) {
  if (!from) return std::nullopt;
  return QName{from->schema ? from->schema->text : name.schema, from->name.text};
}

void BuildEnum(Context& ctx, EnumState& e) {
  e.model.renamed_from = RenamedFrom(e.ast->renamed_from, e.model.name);
  std::map<std::string, Loc> seen;
  for (const ast::EnumValue& v : e.ast->values) {
    auto [it, inserted] = seen.emplace(v.text, v.loc);
    if (!inserted) {
      base::Diagnostic& d = ctx.Error(
          DiagKind::DuplicateEnumValue, v.loc,
          fmt::format("duplicate value '{}' in enum '{}'", v.text, Display(e.model.name)));
      Context::Note(d, it->second, "previous value is here");
      continue;
    }
    if (v.text.size() > kMaxIdentifierBytes) {
      ctx.Error(DiagKind::InvalidOption, v.loc,
                fmt::format("enum value '{}' is longer than {} bytes", v.text,
                            kMaxIdentifierBytes));
    }
    e.model.values.push_back(v.text);
  }
}

void BuildDomain(Context& ctx, DomainState& d) {
  const ast::Domain& a = *d.ast;
  d.model.renamed_from = RenamedFrom(a.renamed_from, d.model.name);
  if (auto type = ResolveType(ctx, a.base_type, TypeUse::Other, &d.model.deps)) {
    d.model.base_type = *type;
  }
  if (a.collation) d.model.collation = a.collation->text;
  if (a.default_expr) d.model.default_expr = model::Expr{a.default_expr->text, a.default_expr->loc};
  d.model.not_null = a.not_null;
  std::map<std::string, Loc> names;
  for (const ast::CheckClause& check : a.checks) {
    model::DomainCheck out{.name = "", .name_explicit = false,
                           .expression = {check.expr.text, check.expr.loc}};
    if (check.name) {
      auto [it, inserted] = names.emplace(check.name->text, check.name->loc);
      if (!inserted) {
        base::Diagnostic& diag = ctx.Error(
            DiagKind::DuplicateObject, check.name->loc,
            fmt::format("duplicate constraint '{}' on domain '{}'", check.name->text,
                        Display(d.model.name)));
        Context::Note(diag, it->second, "previous declaration is here");
      }
      out.name = check.name->text;
      out.name_explicit = true;
    }
    d.model.checks.push_back(std::move(out));
  }
}

void BuildComposite(Context& ctx, CompositeState& c) {
  c.model.renamed_from = RenamedFrom(c.ast->renamed_from, c.model.name);
  std::map<std::string, Loc> seen;
  for (const ast::CompositeField& f : c.ast->fields) {
    auto [it, inserted] = seen.emplace(f.name.text, f.name.loc);
    if (!inserted) {
      base::Diagnostic& d = ctx.Error(
          DiagKind::DuplicateColumn, f.name.loc,
          fmt::format("duplicate attribute '{}' in type '{}'", f.name.text, Display(c.model.name)));
      Context::Note(d, it->second, "previous declaration is here");
      continue;
    }
    model::CompositeField field{.name = f.name.text, .type = {}, .collation = std::nullopt};
    if (auto type = ResolveType(ctx, f.type, TypeUse::Other, &c.model.deps)) field.type = *type;
    if (f.collation) field.collation = f.collation->text;
    c.model.fields.push_back(std::move(field));
  }
  // A composite type cannot contain itself (PostgreSQL: "composite type cannot be made a member
  // of itself").
  std::erase_if(c.model.deps, [&](const model::ObjectId& id) {
    if (id.name != c.model.name) return false;
    ctx.Error(DiagKind::InvalidType, c.ast->name.loc,
              fmt::format("type '{}' cannot contain itself", Display(c.model.name)));
    return true;
  });
}

}  // namespace

void BuildUserTypes(Context& ctx) {
  for (EnumState& e : ctx.enums) BuildEnum(ctx, e);
  // Domains first: composite types and tables compare and strip them.
  for (DomainState& d : ctx.domains) BuildDomain(ctx, d);
  for (DomainState& d : ctx.domains) {
    std::erase_if(d.model.deps, [&](const model::ObjectId& id) {
      if (id.name != d.model.name) return false;
      ctx.Error(DiagKind::InvalidType, d.ast->base_type.loc,
                fmt::format("domain '{}' cannot be based on itself", Display(d.model.name)));
      return true;
    });
  }
  for (CompositeState& c : ctx.composites) BuildComposite(ctx, c);
}

}  // namespace schemac::sema
