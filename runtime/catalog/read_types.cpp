// Readers for schemas.sql, types.sql and sequences.sql.
#include <fmt/format.h>

#include <stdexcept>

#include "runtime/catalog/internal/reader.h"

namespace schemac::catalog::internal {
namespace {

// initdb's comment on the public schema: PostgreSQL's, not the schema's.
constexpr std::string_view kPublicSchemaComment = "standard public schema";

}  // namespace

void Reader::ReadSchemas(const Rows& rows) {
  for (const Row& row : rows) {
    const std::string kind = Str(row, "kind");
    if (kind == "schema") {
      model::Schema s;
      s.name = Str(row, "name");
      s.comment = OptStr(row, "comment");
      if (s.name == "public" && s.comment == kPublicSchemaComment) s.comment.reset();
      catalog.schemas.push_back(std::move(s));
    } else {
      model::Extension e;
      e.name = Str(row, "name");
      e.schema = OptStr(row, "schema");
      e.version = OptStr(row, "version");
      e.comment = OptStr(row, "comment");
      if (e.comment && e.comment == OptStr(row, "default_comment")) e.comment.reset();
      catalog.extensions.push_back(std::move(e));
    }
  }
}

void Reader::ReadCollations(const Rows& rows) {
  for (const Row& row : rows) {
    model::Collation c;
    c.name = {Str(row, "schema"), Str(row, "name")};
    const std::string provider = Str(row, "provider");
    if (provider == "i") {
      c.provider = "icu";
      c.locale = OptStr(row, "locale");
    } else if (provider == "c") {
      c.provider = "libc";
      c.lc_collate = OptStr(row, "lc_collate");
      c.lc_ctype = OptStr(row, "lc_ctype");
    } else {
      throw std::runtime_error(fmt::format("collation {}.{} has unknown provider '{}'",
                                           c.name.schema, c.name.name, provider));
    }
    c.deterministic = Bool(row, "deterministic");
    catalog.collations.push_back(std::move(c));
  }
}

void Reader::ReadTypes(const Rows& rows) {
  for (const Row& row : rows) {
    const std::string kind = Str(row, "kind");
    const model::QualifiedName name{Str(row, "schema"), Str(row, "name")};
    if (kind == "enum") {
      model::Enum e;
      e.name = name;
      e.values = Strings(row, "values");
      e.comment = OptStr(row, "comment");
      catalog.enums.push_back(std::move(e));
    } else if (kind == "domain") {
      model::Domain d;
      d.name = name;
      d.base_type = TypeFrom(row, "base_");
      d.collation = OptStr(row, "collation");
      if (auto def = OptStr(row, "default")) d.default_expr = CanonicalExpr(*def);
      d.not_null = Bool(row, "not_null");
      for (const Json& check : Array(row, "checks")) {
        model::DomainCheck c;
        c.name = Str(check, "name");
        c.name_explicit = true;
        c.expression = CanonicalExpr(Str(check, "expression"));
        c.not_valid = !Bool(check, "validated");
        d.checks.push_back(std::move(c));
      }
      d.comment = OptStr(row, "comment");
      catalog.domains.push_back(std::move(d));
    } else if (kind == "composite") {
      model::CompositeType t;
      t.name = name;
      for (const Json& field : Array(row, "fields")) {
        t.fields.push_back(model::CompositeField{.name = Str(field, "name"),
                                                 .type = TypeFrom(field, "type_"),
                                                 .collation = OptStr(field, "collation")});
      }
      t.comment = OptStr(row, "comment");
      catalog.composite_types.push_back(std::move(t));
    } else {
      throw std::runtime_error(fmt::format("types query: unknown kind '{}'", kind));
    }
  }
}

void Reader::ReadSequences(const Rows& rows) {
  for (const Row& row : rows) {
    model::Sequence s;
    s.name = {Str(row, "schema"), Str(row, "name")};
    s.params = SequenceParamsFrom(row);
    if (auto table = OptStr(row, "owned_by_table")) {
      s.owned_by_table = model::QualifiedName{Str(row, "owned_by_schema"), *table};
      s.owned_by_column = Str(row, "owned_by_column");
    }
    s.comment = OptStr(row, "comment");
    catalog.sequences.push_back(std::move(s));
  }
}

}  // namespace schemac::catalog::internal
