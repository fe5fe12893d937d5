// Introspection: reads a live PostgreSQL (15) database into the model the compiler produces
// (compiler/model/model.h), so that a database and a `.schema` target can be compared.
//
// A fixed, small set of set-based catalog queries (runtime/catalog/queries/*.sql, embedded at build
// time) reads every schema in scope at once; their number does not depend on how many objects
// there are (14 queries, 16 statements with the transaction's). They run in one read-only
// REPEATABLE READ transaction (one consistent snapshot) with search_path = pg_catalog, so the
// canonical texts PostgreSQL prints (pg_get_expr, pg_get_viewdef, format_type, regclass) qualify
// every name outside pg_catalog the same way on every database.
//
// What the result holds, and how it differs from a compiled model:
// - Names are the catalog's: constraint, index and trigger names as stored (name_explicit = true).
// - Types are canonical as format_type prints them ("integer", "character varying",
//   "timestamp(3) with time zone" -> name "timestamp with time zone", modifiers "(3)"); built-ins in
//   schema "pg_catalog", other types by their schema. Array dimensions from attndims (at least 1).
// - Embedded SQL (defaults, checks, generated columns, index keys and predicates, partition keys
//   and bounds, view queries, policy expressions, trigger conditions, argument defaults) is
//   PostgreSQL's canonical text, in model::Expr::text with an invalid Loc. It is meant to be
//   compared with the same introspection of a dev database built from the target, not with the
//   text the user wrote. Function bodies are prosrc as stored.
// - Serial columns are not recognized: a serial column is a plain integer column with a
//   nextval('...') default and a sequence OWNED BY it, which is exactly what PostgreSQL stores
//   (Column::serial stays unset, the sequence is listed). Identity columns carry their sequence's
//   parameters; identity sequences are not listed as sequences.
// - Partitions: a partition lists no columns (they are its parent's), and neither the constraints,
//   indexes and triggers PostgreSQL clones from the parent (conparentid, attached indexes,
//   tgparentid) nor inherited check constraints. Its own additions are listed.
// - Extensions always carry their schema and version. Comments PostgreSQL sets by itself are left
//   out: an extension's comment equal to its control file's, and "standard public schema".
// - Grants: only explicit ones. What an object would have anyway is not listed: its owner's
//   privileges (implicit; the model has no owners) and the built-in defaults (EXECUTE on functions
//   and USAGE on types for PUBLIC, the initdb privileges of the public schema). A revoked default
//   (REVOKE EXECUTE ... FROM PUBLIC) cannot be expressed in the model and is reported in
//   `unsupported`.
// - Trigger arguments are string literals ('id'), as pg_get_triggerdef prints them: PostgreSQL
//   stores every argument as a string, whether it was written as 'id', id or 42.
// - Defaults are left unset: a collation only when it is not the type's default ("C" for
//   pg_catalog's, "schema.name" otherwise; for an index expression, compared with the database
//   default), an opclass only when it is not a default one, nulls_first only when it is not the
//   default for the direction, a function's cost and rows only when they are not PostgreSQL's
//   defaults. Non-foreign-key constraints have match "simple", as compiled ones do.
// - A view always lists its column names; WITH CHECK OPTION is check_option, not an option.
// - Policy roles and grantees: "public" for PUBLIC.
// - A table that inherits from another, or is typed (OF type), is in the model; the inheritance or
//   typing is reported in `unsupported`.
// - Constraint::not_valid and Index::invalid report NOT VALID constraints and invalid indexes.
// - deps are left empty.
// Every vector is sorted as model.h says, so the same database gives the same model.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/model/model.h"
#include "runtime/pg/connection.h"

namespace schemac::catalog {

struct IntrospectOptions {
  // The schemas to read. Empty: every schema except PostgreSQL's (pg_catalog, information_schema,
  // pg_toast*, pg_temp*), schemac's own (`schemac`) and schemas created by extensions. Those are
  // never read, even when listed. Listed schemas that do not exist are not an error.
  std::vector<std::string> schemas;
  // When set, a second connection to the same database (this conninfo) runs about half of the
  // catalog queries at the same time, in the same snapshot (pg_export_snapshot), so the server
  // works on two cores. Empty: everything on the one connection.
  std::string parallel_conninfo;
};

// An object in scope that schemac does not manage (aggregate, operator, cast, foreign table, rule,
// event trigger, statistics object, table inheritance, typed table, collation, text search object,
// range or base type, default privileges, a revoked default privilege, ...). It is not part of the
// model; a plan must leave it alone, never drop it.
struct Unsupported {
  std::string kind;  // "aggregate", "table inheritance", ...
  std::string name;  // schema-qualified, e.g. "public.my_sum(integer)", "public.child inherits public.parent"
  friend auto operator<=>(const Unsupported&, const Unsupported&) = default;
};

// Size estimates of a table, from pg_class (as of the last VACUUM or ANALYZE).
struct TableStats {
  int64_t estimated_rows = -1;  // -1: never analyzed
  int64_t estimated_bytes = 0;  // the table's own pages, without indexes and TOAST
};

struct Introspection {
  model::Catalog catalog;
  std::vector<Unsupported> unsupported;  // sorted by kind, then name
  std::map<model::QualifiedName, TableStats> table_stats;
  // Statements sent to the server: the catalog queries plus the two that open and close the
  // snapshot transaction. Constant: it does not grow with the number of objects.
  int query_count = 0;
  // Wall time of each catalog query (name, seconds), in the order they ran.
  std::vector<std::pair<std::string, double>> query_seconds;
};

// Reads the schemas in scope. Throws pg::DbError if a query fails (the transaction is rolled back;
// the connection stays usable) and std::runtime_error if a result cannot be understood. The
// connection must not be inside a transaction block.
Introspection Introspect(pg::Connection& conn, const IntrospectOptions& options);

}  // namespace schemac::catalog
