// The target model: the checked, resolved, canonical description of a database schema.
//
// Two producers, one model: the compiler (compiler/sema) builds it from `.schema` files, and the
// runtime introspector (runtime/, issue 3) builds it from a live database. Everything here is plain
// data. Names are resolved (every object has its schema), types are canonical (`integer`, not `int4`),
// implicit constraint and index names are filled in the way PostgreSQL derives them, and every list is
// sorted so that output built from a model is deterministic.
//
// Embedded SQL (defaults, checks, predicates, view queries, bodies) is kept as written; comparing it
// with a live database is done in PostgreSQL's canonical form by the runtime, never by string equality.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/base/source.h"

namespace schemac::model {

using base::Loc;

struct QualifiedName {
  std::string schema;
  std::string name;
  friend auto operator<=>(const QualifiedName&, const QualifiedName&) = default;
};

// Kinds of objects, used for dependencies and for messages.
enum class ObjectKind {
  Extension, Schema, Enum, Domain, CompositeType, Sequence, Table, Index, View, MaterializedView,
  Function, Procedure, Trigger, Policy, Constraint, Collation
};
// "table", "materialized view", ...
const char* ObjectKindName(ObjectKind kind);

// Identifies one object. Functions carry their argument signature in `name`, e.g. "touch()" or
// "add(integer, integer)". Triggers, policies and constraints are named "table_name.object_name" with
// the table's schema.
struct ObjectId {
  ObjectKind kind = ObjectKind::Table;
  QualifiedName name;
  friend auto operator<=>(const ObjectId&, const ObjectId&) = default;
};

// A piece of embedded SQL and where it came from.
struct Expr {
  std::string text;
  Loc loc;
};

// A type, canonical: built-ins by their SQL name as PostgreSQL's format_type prints them
// ("integer", "character varying", "timestamp with time zone", "double precision"), with schema
// "pg_catalog"; user-defined and extension types by their resolved schema and name.
struct TypeName {
  std::string schema;     // "pg_catalog" for built-ins
  std::string name;       // canonical name
  std::string modifiers;  // canonical typmod text without spaces, e.g. "(12,2)", "(3)"; empty if none
  int array_dims = 0;

  bool IsBuiltin() const { return schema == "pg_catalog"; }
  // SQL spelling: `numeric(12,2)`, `timestamp(3) with time zone`, `text[]`, `"billing"."money"`.
  std::string ToSql() const;
  friend bool operator==(const TypeName&, const TypeName&) = default;
};

enum class Deferral { NotDeferrable, InitiallyImmediate, InitiallyDeferred };
enum class FkAction { NoAction, Restrict, Cascade, SetNull, SetDefault };
// The SQL words, in lower case: "no action", "restrict", "cascade", "set null", "set default".
const char* FkActionName(FkAction action);
enum class IdentityKind { None, Always, ByDefault };

// Sequence parameters with PostgreSQL's defaults already applied (e.g. a bigint sequence counting up
// from 1 has min 1 and max 9223372036854775807).
struct SequenceParams {
  TypeName type;  // smallint / integer / bigint
  int64_t start = 1;
  int64_t increment = 1;
  int64_t min_value = 1;
  int64_t max_value = INT64_MAX;
  int64_t cache = 1;
  bool cycle = false;
  friend bool operator==(const SequenceParams&, const SequenceParams&) = default;
};

struct Column {
  std::string name;
  TypeName type;
  bool not_null = false;
  std::optional<Expr> default_expr;
  IdentityKind identity = IdentityKind::None;
  std::optional<SequenceParams> identity_params;
  std::optional<Expr> generated;      // generated always as (expr) stored
  std::optional<std::string> serial;  // "smallserial" / "serial" / "bigserial" as written
  // Collation name: built-in ones as written ("C", "pg_catalog.default"), declared ones qualified
  // ("public.numeric").
  std::optional<std::string> collation;
  std::optional<std::string> comment;
  std::optional<std::string> renamed_from;
  Loc loc;
};

struct IndexElement {
  std::string expression;  // column name (bare) or expression text
  bool is_column = false;
  std::optional<std::string> collation;
  std::optional<QualifiedName> opclass;
  bool descending = false;
  std::optional<bool> nulls_first;  // unset: the default for the direction
  std::string exclude_operator;     // exclusion constraints only
};

enum class ConstraintKind { PrimaryKey, Unique, ForeignKey, Check, Exclude };

struct Constraint {
  ConstraintKind kind = ConstraintKind::Check;
  std::string name;            // explicit, or derived the way PostgreSQL derives it
  bool name_explicit = false;
  std::vector<std::string> columns;  // pk, unique, fk
  std::vector<std::string> include;  // pk, unique
  bool nulls_not_distinct = false;
  // foreign key
  QualifiedName ref_table;
  std::vector<std::string> ref_columns;  // resolved (the primary key when not written)
  std::string match;                     // "simple" / "full"
  FkAction on_delete = FkAction::NoAction;
  FkAction on_update = FkAction::NoAction;
  std::vector<std::string> on_delete_set_columns;
  // check / exclude
  std::optional<Expr> expression;  // check expression, or exclude's where predicate
  bool no_inherit = false;
  std::string using_method;                 // exclude
  std::vector<IndexElement> elements;       // exclude
  Deferral deferral = Deferral::NotDeferrable;
  std::optional<std::string> renamed_from;
  std::optional<std::string> comment;
  Loc loc;
  // Check and foreign key only: NOT VALID, existing rows are not checked (`not valid` in the
  // language; pg_constraint.convalidated = false). PostgreSQL ignores NOT VALID inside CREATE
  // TABLE, so such a constraint is always added with ALTER TABLE ... ADD CONSTRAINT ... NOT VALID.
  bool not_valid = false;
};

struct Index {
  QualifiedName name;  // schema is the table's schema
  QualifiedName table;
  bool unique = false;
  std::string method = "btree";
  std::vector<IndexElement> elements;
  std::vector<std::string> include;
  bool nulls_not_distinct = false;
  std::optional<Expr> where;
  bool name_explicit = false;
  std::optional<std::string> renamed_from;
  std::optional<std::string> comment;
  std::vector<ObjectId> deps;
  // Storage parameters (`with (fillfactor = 70)`, pg_class.reloptions), sorted by name.
  std::vector<std::pair<std::string, std::string>> storage;
  Loc loc;
  // Introspection: the index is invalid (pg_index.indisvalid = false, e.g. after a failed CREATE
  // INDEX CONCURRENTLY) and must be rebuilt. The compiler never sets it.
  bool invalid = false;
  // Introspection: for an invalid index of a partitioned table, the partitions that have no index
  // attached to it yet (each needs ALTER INDEX ... ATTACH PARTITION). The compiler never sets it.
  std::vector<QualifiedName> unattached_partitions;
};

enum class PartitionStrategy { Range, List, Hash };
// "range", "list", "hash".
const char* PartitionStrategyName(PartitionStrategy strategy);

struct Table {
  QualifiedName name;
  bool unlogged = false;
  std::vector<Column> columns;          // declaration order (column order matters)
  std::vector<Constraint> constraints;  // sorted by name
  std::optional<PartitionStrategy> partition_strategy;
  std::vector<IndexElement> partition_keys;
  std::optional<QualifiedName> partition_of;
  std::optional<Expr> partition_bound;  // "for values ..." text after `for values`, or unset with
  bool partition_default = false;       //   partition_default for `default`
  // Table inheritance (`inherits (...)`, pg_inherits of a table that is not a partition): the
  // parents in order. `columns` then holds only the table's local columns (attislocal): those it
  // inherits are its parents' (a column both declared and inherited is local, PostgreSQL merges it).
  std::vector<QualifiedName> inherits;
  bool rls_enabled = false;
  bool rls_forced = false;
  std::optional<std::string> comment;
  std::optional<QualifiedName> renamed_from;
  std::vector<ObjectId> deps;  // types, sequences, functions, tables (fks, parent) it needs
  // Storage parameters (`with (fillfactor = 70)`, pg_class.reloptions), sorted by name.
  std::vector<std::pair<std::string, std::string>> storage;
  Loc loc;
};

// CREATE COLLATION, canonical: an ICU collation has `locale` (pg_collation.colliculocale), a
// libc one `lc_collate` and `lc_ctype` (`locale` written for libc sets both).
struct Collation {
  QualifiedName name;
  std::string provider = "libc";  // "libc" / "icu"
  std::optional<std::string> locale;      // icu
  std::optional<std::string> lc_collate;  // libc
  std::optional<std::string> lc_ctype;    // libc
  bool deterministic = true;
  Loc loc;
};

struct Extension {
  std::string name;
  std::optional<std::string> schema;
  std::optional<std::string> version;
  std::optional<std::string> comment;
  Loc loc;
};

struct Schema {
  std::string name;
  std::optional<std::string> comment;
  std::optional<std::string> renamed_from;
  Loc loc;
};

struct Enum {
  QualifiedName name;
  std::vector<std::string> values;
  std::optional<std::string> comment;
  std::optional<QualifiedName> renamed_from;
  Loc loc;
};

struct DomainCheck {
  std::string name;  // explicit or derived: <domain>_check, <domain>_check1, ...
  bool name_explicit = false;
  Expr expression;
  // Introspection: added NOT VALID and not validated yet. The compiler never sets it.
  bool not_valid = false;
};

struct Domain {
  QualifiedName name;
  TypeName base_type;
  std::optional<std::string> collation;
  std::optional<Expr> default_expr;
  bool not_null = false;
  std::vector<DomainCheck> checks;
  std::optional<std::string> comment;
  std::optional<QualifiedName> renamed_from;
  std::vector<ObjectId> deps;
  Loc loc;
};

struct CompositeField {
  std::string name;
  TypeName type;
  std::optional<std::string> collation;
};

struct CompositeType {
  QualifiedName name;
  std::vector<CompositeField> fields;
  std::optional<std::string> comment;
  std::optional<QualifiedName> renamed_from;
  std::vector<ObjectId> deps;
  Loc loc;
};

struct Sequence {
  QualifiedName name;
  SequenceParams params;
  std::optional<QualifiedName> owned_by_table;
  std::optional<std::string> owned_by_column;
  std::optional<std::string> comment;
  std::optional<QualifiedName> renamed_from;
  Loc loc;
};

struct View {
  QualifiedName name;
  bool materialized = false;
  std::vector<std::string> column_names;
  std::vector<std::pair<std::string, std::string>> options;  // sorted by name
  std::optional<std::string> check_option;
  Expr query;
  std::optional<std::string> comment;
  std::optional<QualifiedName> renamed_from;
  std::vector<ObjectId> deps;  // relations and functions the query reads
  Loc loc;
};

enum class ArgMode { In, Out, InOut, Variadic };

struct FunctionArg {
  ArgMode mode = ArgMode::In;
  std::string name;  // may be empty
  TypeName type;
  std::optional<Expr> default_expr;
};

struct Function {
  QualifiedName name;  // plain name, without signature
  bool is_procedure = false;
  std::vector<FunctionArg> args;
  std::optional<TypeName> returns;  // unset for procedures and `returns table`
  bool returns_setof = false;
  std::vector<FunctionArg> returns_table;
  std::string language;
  Expr body;
  std::string volatility = "volatile";
  bool strict = false;
  bool security_definer = false;
  std::string parallel = "unsafe";
  bool leakproof = false;
  std::optional<std::string> cost;
  std::optional<std::string> rows;
  std::vector<std::pair<std::string, std::string>> set_options;
  std::optional<std::string> comment;
  std::vector<ObjectId> deps;
  Loc loc;

  // "name(integer, text)": the identity PostgreSQL uses (input argument types only).
  std::string Signature() const;
};

enum class TriggerTiming { Before, After, InsteadOf };
// "before", "after", "instead of".
const char* TriggerTimingName(TriggerTiming timing);

struct Trigger {
  std::string name;
  QualifiedName table;
  bool constraint_trigger = false;
  TriggerTiming timing = TriggerTiming::Before;
  std::vector<std::string> events;          // canonical order: insert, delete, truncate, update
  std::vector<std::string> update_columns;  // update of ...
  std::optional<std::string> referencing_old;
  std::optional<std::string> referencing_new;
  bool for_each_row = false;
  std::optional<Expr> when;
  QualifiedName function;  // resolved
  std::vector<std::string> args;
  Deferral deferral = Deferral::NotDeferrable;
  std::optional<std::string> comment;
  std::vector<ObjectId> deps;
  Loc loc;
};

struct Policy {
  std::string name;
  QualifiedName table;
  bool permissive = true;
  std::string command = "all";
  std::vector<std::string> roles;  // sorted; {"public"} when none written
  std::optional<Expr> using_expr;
  std::optional<Expr> with_check;
  std::optional<std::string> comment;
  std::optional<std::string> renamed_from;
  std::vector<ObjectId> deps;
  Loc loc;
};

// One privilege for one grantee on one object (one row of aclexplode). Column grants carry `column`.
struct Grant {
  ObjectKind object_kind = ObjectKind::Table;  // Table (also views, sequences), Schema, Function...
  QualifiedName object;  // functions: name is the signature, e.g. "touch()"
  std::optional<std::string> column;
  std::string privilege;  // upper case: SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER,
                          // USAGE, CREATE, EXECUTE, CONNECT, TEMPORARY
  std::string grantee;    // role name, or "public"
  bool with_grant_option = false;
  Loc loc;
};

// The whole target. Every vector is sorted by name (tables, views, ...) except where noted, so two
// models of the same schema are identical.
struct Catalog {
  std::vector<Extension> extensions;
  std::vector<Schema> schemas;  // every schema objects live in, including "public"
  std::vector<Collation> collations;
  std::vector<Enum> enums;
  std::vector<Domain> domains;
  std::vector<CompositeType> composite_types;
  std::vector<Sequence> sequences;
  std::vector<Table> tables;
  std::vector<Index> indexes;  // sorted by table, then name
  std::vector<View> views;     // views and materialized views
  std::vector<Function> functions;  // sorted by name, then signature
  std::vector<Trigger> triggers;    // sorted by table, then name
  std::vector<Policy> policies;     // sorted by table, then name
  std::vector<Grant> grants;        // sorted by object, column, grantee, privilege
  std::vector<std::string> roles;   // roles that grants and policies name (must exist on the server)
};

// Sorts every list of `catalog` the way Catalog promises (after edits that rename objects, or a
// catalog assembled from pieces).
void SortCatalog(Catalog& catalog);

// Quotes an identifier only when PostgreSQL needs it to (like quote_ident): lower-case letters, digits,
// underscores, not starting with a digit, and not a reserved keyword stay bare.
std::string QuoteIdent(const std::string& ident);
// "schema"."name" with QuoteIdent applied to each part.
std::string QuoteQualified(const QualifiedName& name);
// A SQL string literal: 'it''s'. standard_conforming_strings is on in every supported PostgreSQL, so
// backslashes are literal and need no escaping.
std::string QuoteLiteral(const std::string& text);

}  // namespace schemac::model
