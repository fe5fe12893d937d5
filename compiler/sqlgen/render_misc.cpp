// Schemas, extensions, policies and comments.
#include "compiler/sqlgen/render.h"

#include <fmt/format.h>

namespace schemac::sqlgen {

using model::QuoteIdent;
using model::QuoteQualified;

namespace {

// Objects that live on a table (constraints, triggers, policies) are named `name ON table`.
std::string OnTable(const std::string& name, const model::QualifiedName& table) {
  return QuoteIdent(name) + " ON " + QuoteQualified(table);
}

}  // namespace

std::string CreateSchema(const model::Schema& schema) {
  return "CREATE SCHEMA " + QuoteIdent(schema.name) + ";";
}

std::string CreateExtension(const model::Extension& extension) {
  // IF NOT EXISTS because an empty database is not quite empty: plpgsql is installed by initdb,
  // and template1 may carry others. Creating one that is there already must not fail the script.
  std::string out = "CREATE EXTENSION IF NOT EXISTS " + QuoteIdent(extension.name);
  if (extension.schema) out += " SCHEMA " + QuoteIdent(*extension.schema);
  if (extension.version) out += " VERSION " + model::QuoteLiteral(*extension.version);
  return out + ";";
}

std::string CreatePolicy(const model::Policy& policy) {
  std::string out = "CREATE POLICY " + OnTable(policy.name, policy.table);
  // Defaults: AS PERMISSIVE, FOR ALL, TO PUBLIC.
  if (!policy.permissive) out += " AS RESTRICTIVE";
  if (!policy.command.empty() && policy.command != "all") out += " FOR " + Upper(policy.command);
  bool to_public = policy.roles.empty() || (policy.roles.size() == 1 && policy.roles[0] == "public");
  if (!to_public) {
    std::vector<std::string> roles;
    for (const std::string& role : policy.roles) roles.push_back(RoleSql(role));
    out += fmt::format(" TO {}", fmt::join(roles, ", "));
  }
  if (policy.using_expr) out += " USING (" + ExprSql(policy.using_expr->text) + ")";
  if (policy.with_check) out += " WITH CHECK (" + ExprSql(policy.with_check->text) + ")";
  return out + ";";
}

std::string CommentOn(std::string_view target, const std::optional<std::string>& text) {
  return fmt::format("COMMENT ON {} IS {};", target,
                     text ? model::QuoteLiteral(*text) : std::string("NULL"));
}

std::string CommentOnSchema(const model::Schema& schema) {
  return CommentOn("SCHEMA " + QuoteIdent(schema.name), schema.comment);
}

std::string CommentOnExtension(const model::Extension& extension) {
  return CommentOn("EXTENSION " + QuoteIdent(extension.name), extension.comment);
}

std::string CommentOnEnum(const model::Enum& type) {
  return CommentOn("TYPE " + QuoteQualified(type.name), type.comment);
}

std::string CommentOnDomain(const model::Domain& domain) {
  return CommentOn("DOMAIN " + QuoteQualified(domain.name), domain.comment);
}

std::string CommentOnCompositeType(const model::CompositeType& type) {
  return CommentOn("TYPE " + QuoteQualified(type.name), type.comment);
}

std::string CommentOnSequence(const model::Sequence& sequence) {
  return CommentOn("SEQUENCE " + QuoteQualified(sequence.name), sequence.comment);
}

std::string CommentOnTable(const model::Table& table) {
  return CommentOn("TABLE " + QuoteQualified(table.name), table.comment);
}

std::string CommentOnColumn(const model::Table& table, const model::Column& column) {
  return CommentOn("COLUMN " + QuoteQualified(table.name) + "." + QuoteIdent(column.name),
                   column.comment);
}

std::string CommentOnConstraint(const model::Table& table, const model::Constraint& constraint) {
  return CommentOn("CONSTRAINT " + OnTable(constraint.name, table.name), constraint.comment);
}

std::string CommentOnIndex(const model::Index& index) {
  // The index lives in its table's schema; use that if the model left the schema empty.
  model::QualifiedName name = index.name;
  if (name.schema.empty()) name.schema = index.table.schema;
  return CommentOn("INDEX " + QuoteQualified(name), index.comment);
}

std::string CommentOnView(const model::View& view) {
  return CommentOn((view.materialized ? "MATERIALIZED VIEW " : "VIEW ") + QuoteQualified(view.name),
                   view.comment);
}

std::string CommentOnFunction(const model::Function& function) {
  return CommentOn((function.is_procedure ? "PROCEDURE " : "FUNCTION ") + FunctionTarget(function),
                   function.comment);
}

std::string CommentOnTrigger(const model::Trigger& trigger) {
  return CommentOn("TRIGGER " + OnTable(trigger.name, trigger.table), trigger.comment);
}

std::string CommentOnPolicy(const model::Policy& policy) {
  return CommentOn("POLICY " + OnTable(policy.name, policy.table), policy.comment);
}

}  // namespace schemac::sqlgen
