// Enums, domains, composite types and sequences.
#include "compiler/sqlgen/render.h"

#include <fmt/format.h>

#include <cstdint>
#include <utility>

namespace schemac::sqlgen {

using model::QuoteIdent;
using model::QuoteQualified;

namespace {

// The value range of a sequence type. Sequences are smallint, integer or bigint; anything else (an
// unset type) is bigint, which is what CREATE SEQUENCE uses without AS.
std::pair<int64_t, int64_t> TypeRange(const model::TypeName& type) {
  if (type.name == "smallint") return {INT16_MIN, INT16_MAX};
  if (type.name == "integer") return {INT32_MIN, INT32_MAX};
  return {INT64_MIN, INT64_MAX};
}

}  // namespace

std::string CreateEnum(const model::Enum& type) {
  std::string values;
  for (const std::string& value : type.values) {
    if (!values.empty()) values += ", ";
    values += model::QuoteLiteral(value);
  }
  return fmt::format("CREATE TYPE {} AS ENUM ({});", QuoteQualified(type.name), values);
}

std::string CreateCollation(const model::Collation& collation) {
  std::vector<std::string> options{"provider = " + collation.provider};
  if (collation.locale) options.push_back("locale = " + model::QuoteLiteral(*collation.locale));
  if (collation.lc_collate) {
    options.push_back("lc_collate = " + model::QuoteLiteral(*collation.lc_collate));
  }
  if (collation.lc_ctype) options.push_back("lc_ctype = " + model::QuoteLiteral(*collation.lc_ctype));
  if (!collation.deterministic) options.push_back("deterministic = false");
  return fmt::format("CREATE COLLATION {} ({});", QuoteQualified(collation.name),
                     fmt::join(options, ", "));
}

std::string CreateDomain(const model::Domain& domain) {
  std::string out =
      fmt::format("CREATE DOMAIN {} AS {}", QuoteQualified(domain.name), domain.base_type.ToSql());
  if (domain.collation) out += " COLLATE " + CollationSql(*domain.collation);
  if (domain.default_expr) out += " DEFAULT " + DefaultExprSql(domain.default_expr->text);
  if (domain.not_null) out += " NOT NULL";
  for (const model::DomainCheck& check : domain.checks) {
    out += fmt::format("\n  CONSTRAINT {} CHECK ({})", QuoteIdent(check.name),
                       ExprSql(check.expression.text));
  }
  return out + ";";
}

std::string CreateCompositeType(const model::CompositeType& type) {
  if (type.fields.empty()) return fmt::format("CREATE TYPE {} AS ();", QuoteQualified(type.name));
  std::string out = fmt::format("CREATE TYPE {} AS (", QuoteQualified(type.name));
  for (size_t i = 0; i < type.fields.size(); ++i) {
    const model::CompositeField& field = type.fields[i];
    out += fmt::format("\n  {} {}", QuoteIdent(field.name), field.type.ToSql());
    if (field.collation) out += " COLLATE " + CollationSql(*field.collation);
    if (i + 1 < type.fields.size()) out += ",";
  }
  return out + "\n);";
}

std::vector<std::string> SequenceOptions(const model::SequenceParams& params, bool include_type) {
  // PostgreSQL's defaults (CREATE SEQUENCE docs): ascending sequences run from 1 to the type's
  // maximum, descending ones from -1 down to the type's minimum; START defaults to MINVALUE when
  // ascending and MAXVALUE when descending; CACHE 1; NO CYCLE.
  auto [type_min, type_max] = TypeRange(params.type);
  int64_t increment = params.increment == 0 ? 1 : params.increment;
  bool ascending = increment > 0;
  int64_t default_min = ascending ? 1 : type_min;
  int64_t default_max = ascending ? type_max : -1;
  int64_t default_start = ascending ? params.min_value : params.max_value;

  std::vector<std::string> options;
  if (include_type && !params.type.name.empty() && params.type.name != "bigint") {
    options.push_back("AS " + params.type.ToSql());
  }
  if (increment != 1) options.push_back(fmt::format("INCREMENT BY {}", increment));
  if (params.min_value != default_min) options.push_back(fmt::format("MINVALUE {}", params.min_value));
  if (params.max_value != default_max) options.push_back(fmt::format("MAXVALUE {}", params.max_value));
  if (params.start != default_start) options.push_back(fmt::format("START WITH {}", params.start));
  if (params.cache != 1) options.push_back(fmt::format("CACHE {}", params.cache));
  if (params.cycle) options.push_back("CYCLE");
  return options;
}

std::string CreateSequence(const model::Sequence& sequence) {
  std::string out = "CREATE SEQUENCE " + QuoteQualified(sequence.name);
  for (const std::string& option : SequenceOptions(sequence.params, /*include_type=*/true)) {
    out += " " + option;
  }
  return out + ";";
}

std::string AlterSequenceOwnedBy(const model::Sequence& sequence) {
  return fmt::format("ALTER SEQUENCE {} OWNED BY {}.{};", QuoteQualified(sequence.name),
                     QuoteQualified(sequence.owned_by_table.value_or(model::QualifiedName{})),
                     QuoteIdent(sequence.owned_by_column.value_or("")));
}

}  // namespace schemac::sqlgen
