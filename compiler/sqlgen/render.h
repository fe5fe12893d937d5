// Per-object DDL rendering, shared by CreateAll (sqlgen.cpp) and by the plan/apply step, which
// renders the same statements for objects it adds to an existing database.
//
// Internal to compiler/sqlgen and its direct users: nothing here decides order; each function prints
// one statement (or one clause) for one model object. Statements come back complete, ending in `;`
// with no trailing newline. Every object name is schema-qualified with QuoteQualified and every
// identifier goes through QuoteIdent, so the text loads into PostgreSQL 15 whatever the names are.
// Embedded SQL (defaults, checks, predicates, queries, bodies) is emitted as the model holds it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/model/model.h"

namespace schemac::sqlgen {

// ---- shared clauses (render_common.cpp) ----------------------------------------------------------

// A collation name as written ("C", "pg_catalog.default") with each dot-separated part quoted:
// `"C"`, `pg_catalog."default"`.
std::string CollationSql(const std::string& collation);
// Embedded SQL trimmed of surrounding whitespace. When it ends inside a `--` comment (not a `--`
// in a string or quoted name), a newline is appended so that text we put after it (`)`, `;`) is
// not swallowed by the comment.
std::string ExprSql(const std::string& text);
// `DEFAULT` takes a b_expr in PostgreSQL's grammar (no AND/OR/IS/IN/BETWEEN/COLLATE/AT TIME ZONE
// ...), so an expression with whitespace outside quotes and parentheses is wrapped in parentheses;
// simple ones (`now()`, `'x'::text`, `0`) stay bare.
std::string DefaultExprSql(const std::string& text);
// The body wrapped in the first dollar quote that cannot end early: `$$`, then `$body$`, `$body1$`,
// `$body2$`, ...
std::string DollarQuote(const std::string& body);
// "" / " DEFERRABLE" / " DEFERRABLE INITIALLY DEFERRED" (with the leading space).
std::string DeferralSql(model::Deferral deferral);
// ASCII upper case, for keywords the model keeps in lower case ("stable" -> "STABLE").
std::string Upper(std::string_view keyword);
// Identifiers joined with ", ", each quoted.
std::string IdentList(const std::vector<std::string>& idents);
// A role in GRANT / TO lists: `PUBLIC` for "public", otherwise the quoted name.
std::string RoleSql(const std::string& role);
// A function as COMMENT ON / GRANT name it: `"s"."f"(integer, text)`.
std::string FunctionTarget(const model::Function& function);

// ---- types and sequences (render_type.cpp) -------------------------------------------------------

std::string CreateEnum(const model::Enum& type);
// `CREATE COLLATION "s"."c" (provider = icu, locale = '...', deterministic = false);`
std::string CreateCollation(const model::Collation& collation);
std::string CreateDomain(const model::Domain& domain);
std::string CreateCompositeType(const model::CompositeType& type);
// Sequence options that differ from PostgreSQL's defaults for the sequence's type and direction, in
// CREATE SEQUENCE order (`AS integer`, `INCREMENT BY 5`, ..., `CYCLE`). `AS` only when `include_type`
// and the type is not bigint (identity columns take their type from the column instead).
std::vector<std::string> SequenceOptions(const model::SequenceParams& params, bool include_type);
std::string CreateSequence(const model::Sequence& sequence);
// `ALTER SEQUENCE s OWNED BY t.c;`. Requires owned_by_table and owned_by_column.
std::string AlterSequenceOwnedBy(const model::Sequence& sequence);

// ---- tables and constraints (render_table.cpp) ---------------------------------------------------

// One column line of CREATE TABLE (also usable after ALTER TABLE ... ADD COLUMN):
// `name type [COLLATE c] [GENERATED ... AS IDENTITY (...)] [GENERATED ALWAYS AS (e) STORED]
//  [DEFAULT e] [NOT NULL]`; a serial column is `name bigserial` and nothing else.
std::string ColumnDefinition(const model::Column& column);
// The constraint body after `CONSTRAINT name`: `PRIMARY KEY (a)`, `FOREIGN KEY (a) REFERENCES ...`.
std::string ConstraintDefinition(const model::Constraint& constraint);
// Which constraints a CREATE TABLE writes inline. Constraints it leaves out are expected to be added
// later with AddConstraint.
using ConstraintFilter = std::function<bool(const model::Constraint&)>;
// CREATE TABLE with every column and every non-foreign-key constraint, plus the foreign keys when
// `include_foreign_keys`. NOT VALID constraints are never written inline (CREATE TABLE would
// validate them); they are added with AddConstraint. Partitions are written `PARTITION OF parent ... FOR VALUES ...` and list
// only their own constraints (columns come from the parent).
std::string CreateTable(const model::Table& table, bool include_foreign_keys);
// As above, with the constraints to write inline chosen by `include`.
std::string CreateTable(const model::Table& table, const ConstraintFilter& include);
// `ALTER TABLE t ADD CONSTRAINT name ...;`, ending in `NOT VALID` for a NOT VALID constraint.
std::string AddConstraint(const model::QualifiedName& table, const model::Constraint& constraint);
// `ALTER TABLE t ENABLE ROW LEVEL SECURITY;` and `ALTER TABLE t FORCE ROW LEVEL SECURITY;`
std::string EnableRowLevelSecurity(const model::QualifiedName& table);
std::string ForceRowLevelSecurity(const model::QualifiedName& table);

// ---- indexes (render_index.cpp) ------------------------------------------------------------------

// One element of an index, exclusion constraint or partition key:
// `col` or `(expr)`, then COLLATE, opclass, DESC, NULLS FIRST/LAST when not the default.
std::string IndexElementSql(const model::IndexElement& element);
std::string CreateIndex(const model::Index& index);
// Storage parameters as `(fillfactor=70, autovacuum_enabled=false)` (a value that is not a plain
// word or number is quoted as a string literal); "" when there are none.
std::string StorageParamsSql(const std::vector<std::pair<std::string, std::string>>& storage);

// ---- views (render_view.cpp) ---------------------------------------------------------------------

// CREATE VIEW or CREATE MATERIALIZED VIEW.
std::string CreateView(const model::View& view);

// ---- functions and triggers (render_function.cpp) ------------------------------------------------

// CREATE FUNCTION or CREATE PROCEDURE with only the attributes that differ from the defaults.
std::string CreateFunction(const model::Function& function);
std::string CreateTrigger(const model::Trigger& trigger);

// ---- schemas, extensions, policies, comments (render_misc.cpp) -----------------------------------

std::string CreateSchema(const model::Schema& schema);
std::string CreateExtension(const model::Extension& extension);
std::string CreatePolicy(const model::Policy& policy);

// `COMMENT ON <target> IS '...';`, or `IS NULL` (which removes a comment) when `text` is unset.
// `target` is already SQL, e.g. `TABLE public.t`.
std::string CommentOn(std::string_view target, const std::optional<std::string>& text);
// The same for one model object, with the object's own comment.
std::string CommentOnSchema(const model::Schema& schema);
std::string CommentOnExtension(const model::Extension& extension);
std::string CommentOnEnum(const model::Enum& type);
std::string CommentOnDomain(const model::Domain& domain);
std::string CommentOnCompositeType(const model::CompositeType& type);
std::string CommentOnSequence(const model::Sequence& sequence);
std::string CommentOnTable(const model::Table& table);
std::string CommentOnColumn(const model::Table& table, const model::Column& column);
std::string CommentOnConstraint(const model::Table& table, const model::Constraint& constraint);
std::string CommentOnIndex(const model::Index& index);
std::string CommentOnView(const model::View& view);
std::string CommentOnFunction(const model::Function& function);
std::string CommentOnTrigger(const model::Trigger& trigger);
std::string CommentOnPolicy(const model::Policy& policy);

// ---- privileges (render_grant.cpp) ---------------------------------------------------------------

// The GRANT target: `TABLE "s"."t"`, `SEQUENCE ...`, `SCHEMA s`, `FUNCTION s.f(integer)`, `TYPE ...`.
std::string GrantTarget(model::ObjectKind kind, const model::QualifiedName& object);
// One GRANT for rows that share object, grantee and grant option (the caller groups them):
// `GRANT INSERT, SELECT, UPDATE (a, b) ON TABLE t TO role [WITH GRANT OPTION];`.
std::string GrantStatement(const std::vector<model::Grant>& group);
// The REVOKE that undoes GrantStatement(group) (privileges, not only the grant option).
std::string RevokeStatement(const std::vector<model::Grant>& group);
// Groups `grants` by object, grantee and grant option and renders one GRANT per group, in the order
// of (object, object kind, grantee, grant option).
std::vector<std::string> GrantStatements(const std::vector<model::Grant>& grants);

}  // namespace schemac::sqlgen
