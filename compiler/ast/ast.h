// The abstract syntax tree of `.schema` files: what the user wrote, with source ranges, names already
// case-folded the way PostgreSQL folds them (unquoted -> lower case, quoted -> exact). Embedded SQL is
// kept as the text the user wrote (SqlText), together with its location, for sema to validate.
//
// The parser (compiler/parse) produces one ast::File per source file; sema (compiler/sema) turns the
// merged files into the checked target model. No ANTLR type appears here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compiler/base/source.h"

namespace schemac::ast {

using base::Loc;

// An identifier, folded: unquoted names are lower-cased, quoted names kept exactly.
struct Name {
  std::string text;
  Loc loc;
};

// `name` or `schema.name`.
struct QualName {
  std::optional<Name> schema;
  Name name;
  Loc loc;
};

// A piece of embedded SQL exactly as written (expression, query, predicate, function body).
struct SqlText {
  std::string text;
  Loc loc;
};

// A type as written: `integer`, `numeric(12,2)`, `character varying(20)[]`, `billing.money_amount`,
// `timestamp(3) with time zone`. `name` holds the folded base name: for multi-word built-in types the
// words joined by one space ("double precision", "timestamp with time zone"), for others the (possibly
// qualified) identifier.
struct TypeRef {
  std::optional<Name> schema;       // set for a qualified type name
  std::string name;                 // folded; multi-word built-ins joined by single spaces
  std::vector<std::string> modifiers;  // typmod arguments as written, e.g. {"12", "2"}
  int array_dims = 0;               // `[]`, `[3]` and `array` each add one
  Loc loc;
};

enum class Deferral { NotDeferrable, InitiallyImmediate, InitiallyDeferred };

// ON DELETE / ON UPDATE actions.
enum class FkAction { NoAction, Restrict, Cascade, SetNull, SetDefault };

// `references t (cols) [match full|simple] [on delete A] [on update A] [deferrable ...]`
struct References {
  QualName table;
  std::vector<Name> columns;  // empty: the referenced table's primary key
  std::optional<std::string> match;  // "full" / "simple" / "partial"
  FkAction on_delete = FkAction::NoAction;
  FkAction on_update = FkAction::NoAction;
  std::vector<Name> on_delete_set_columns;  // PG15: on delete set null (a, b)
  Deferral deferral = Deferral::NotDeferrable;
  bool not_valid = false;  // `not valid`: existing rows are not checked
  Loc loc;
};

// Sequence options shared by `sequence`, identity columns and `sequence ... owned by`.
struct SequenceOptions {
  std::optional<TypeRef> as_type;
  std::optional<std::string> start;      // integer literals as written (may be negative)
  std::optional<std::string> increment;
  std::optional<std::string> min_value;  // "" means `no minvalue`
  std::optional<std::string> max_value;  // "" means `no maxvalue`
  std::optional<std::string> cache;
  std::optional<bool> cycle;
  Loc loc;
};

enum class IdentityKind { Always, ByDefault };

struct Identity {
  IdentityKind kind = IdentityKind::Always;
  SequenceOptions options;
  Loc loc;
};

// `[constraint name] check (expr) [no inherit] [not valid]`
struct CheckClause {
  std::optional<Name> name;
  SqlText expr;
  bool no_inherit = false;
  bool not_valid = false;
  Loc loc;
};

// A column line inside a table block.
struct Column {
  Name name;
  TypeRef type;
  std::optional<bool> not_null;  // unset: nullable (SQL default); `null` sets false explicitly
  Loc not_null_loc;
  std::optional<SqlText> default_expr;
  std::optional<Identity> identity;
  std::optional<SqlText> generated;  // generated always as (expr) stored
  std::optional<Name> primary_key_name;  // constraint name given with `constraint x primary key`
  bool primary_key = false;
  Loc primary_key_loc;
  bool unique = false;
  std::optional<Name> unique_name;
  Loc unique_loc;
  std::vector<std::pair<std::optional<Name>, References>> references;
  std::vector<CheckClause> checks;
  std::optional<Name> collation;
  std::optional<SqlText> comment;  // string literal text, unescaped
  std::optional<Name> renamed_from;
  Loc loc;
};

// One element of an index, a primary key/unique `include`, or an exclusion constraint.
struct IndexElem {
  SqlText expr;  // a column name or an expression as written (parentheses preserved)
  bool is_column = false;  // the element is a bare column name (expr.text is then the folded name)
  std::optional<Name> collation;
  std::optional<QualName> opclass;
  bool descending = false;
  std::optional<bool> nulls_first;
  std::optional<std::string> exclude_operator;  // exclusion constraints: `with &&`
  Loc loc;
};

enum class ConstraintKind { PrimaryKey, Unique, ForeignKey, Check, Exclude };

// A table-level constraint line.
struct TableConstraint {
  ConstraintKind kind = ConstraintKind::Check;
  std::optional<Name> name;
  std::vector<Name> columns;            // pk, unique, fk (local columns)
  std::vector<Name> include;            // pk, unique: include (...)
  bool nulls_not_distinct = false;      // unique nulls not distinct (PG15)
  std::optional<References> references;  // fk
  Deferral deferral = Deferral::NotDeferrable;  // pk, unique, exclude
  std::optional<SqlText> check;         // check
  bool no_inherit = false;              // check
  bool not_valid = false;               // check (foreign keys: references->not_valid)
  std::string using_method;             // exclude: index method, default "gist"
  std::vector<IndexElem> elements;      // exclude
  std::optional<SqlText> where;         // exclude: where (predicate)
  std::optional<Name> renamed_from;
  Loc loc;
};

// `[unique] index [name] [on table] [using method] (elems) [include (cols)] [nulls not distinct]
//  [where predicate]`. Inside a table block `table` is unset (it is the enclosing table).
struct Index {
  std::optional<Name> name;
  std::optional<QualName> table;
  bool unique = false;
  std::string method;  // empty: btree
  std::vector<IndexElem> elements;
  std::vector<Name> include;
  bool nulls_not_distinct = false;
  std::optional<SqlText> where;
  std::optional<Name> renamed_from;
  std::vector<std::pair<Name, std::string>> storage;  // with (fillfactor = 70, ...)
  Loc loc;
};

enum class PartitionStrategy { Range, List, Hash };

struct PartitionBy {
  PartitionStrategy strategy = PartitionStrategy::Range;
  std::vector<IndexElem> keys;  // columns or (expressions), with optional collation/opclass
  Loc loc;
};

// `partition of parent for values ...` / `default`.
struct PartitionOf {
  QualName parent;
  std::optional<SqlText> bound;  // the bound spec as written after `for values`, e.g. "from (...) to (...)"
  bool is_default = false;
  Loc loc;
};

struct Table {
  QualName name;
  std::optional<QualName> renamed_from;
  bool unlogged = false;
  std::vector<Column> columns;
  std::vector<TableConstraint> constraints;
  std::vector<Index> indexes;
  std::optional<PartitionBy> partition_by;
  std::optional<PartitionOf> partition_of;
  std::vector<QualName> inherits;  // `inherits (parent, ...)`, in the order written
  std::optional<SqlText> comment;
  // Inside the block: `row level security` enables, `force row level security` enables and forces,
  // `force row level security not enabled` only forces.
  bool row_level_security = false;        // a line that enables
  bool force_row_level_security = false;  // a line that forces
  bool rls_not_enabled = false;           // a line that says `not enabled`
  Loc rls_loc;
  std::vector<std::pair<Name, std::string>> storage;  // with (fillfactor = 70, ...)
  Loc loc;
};

// `collation name (provider = icu, locale = '...', deterministic = false)`. Options are kept as
// written (name folded, value unquoted); sema checks them.
struct Collation {
  QualName name;
  std::vector<std::pair<Name, std::string>> options;
  Loc loc;
};

struct Extension {
  Name name;
  std::optional<Name> schema;
  std::optional<SqlText> version;
  Loc loc;
};

struct Schema {
  Name name;
  std::optional<Name> renamed_from;
  std::optional<SqlText> comment;
  Loc loc;
};

struct EnumValue {
  std::string text;  // identifier (folded) or string literal (unescaped)
  Loc loc;
};

struct Enum {
  QualName name;
  std::vector<EnumValue> values;
  std::optional<QualName> renamed_from;
  Loc loc;
};

struct Domain {
  QualName name;
  TypeRef base_type;
  std::optional<Name> collation;
  std::optional<SqlText> default_expr;
  bool not_null = false;
  std::vector<CheckClause> checks;
  std::optional<QualName> renamed_from;
  Loc loc;
};

struct CompositeField {
  Name name;
  TypeRef type;
  std::optional<Name> collation;
  Loc loc;
};

struct CompositeType {
  QualName name;
  std::vector<CompositeField> fields;
  std::optional<QualName> renamed_from;
  Loc loc;
};

struct Sequence {
  QualName name;
  SequenceOptions options;
  std::optional<QualName> owned_by;  // table.column, schema.table.column (last part is the column)
  bool owned_by_none = false;
  std::optional<QualName> renamed_from;
  Loc loc;
};

struct View {
  QualName name;
  bool materialized = false;
  std::vector<Name> column_names;
  std::vector<std::pair<Name, std::string>> options;  // with (security_barrier = true, ...)
  SqlText query;
  std::optional<std::string> check_option;  // views: "local" / "cascaded"
  std::optional<QualName> renamed_from;
  Loc loc;
};

enum class ArgMode { In, Out, InOut, Variadic };

struct FunctionArg {
  ArgMode mode = ArgMode::In;
  std::optional<Name> name;
  TypeRef type;
  std::optional<SqlText> default_expr;
  Loc loc;
};

struct Function {
  QualName name;
  bool is_procedure = false;
  std::vector<FunctionArg> args;
  // returns: a type, `setof type`, or `table (name type, ...)`. Unset for procedures.
  std::optional<TypeRef> returns;
  bool returns_setof = false;
  std::vector<FunctionArg> returns_table;  // `returns table (...)`; mode Out
  std::string language;                    // folded
  SqlText body;                            // dollar-quoted or string body, unquoted
  std::optional<std::string> volatility;   // immutable / stable / volatile
  std::optional<bool> strict;              // strict / returns null on null input: true; called on null input: false
  std::optional<bool> security_definer;
  std::optional<std::string> parallel;     // safe / restricted / unsafe
  std::optional<bool> leakproof;
  std::optional<std::string> cost;
  std::optional<std::string> rows;
  std::vector<std::pair<Name, std::string>> set_options;  // set search_path = 'a, b' (value as written)
  Loc loc;
};

enum class TriggerTiming { Before, After, InsteadOf };

struct TriggerEvent {
  std::string event;            // insert / update / delete / truncate
  std::vector<Name> columns;    // update of a, b
  Loc loc;
};

struct Trigger {
  Name name;
  QualName table;
  bool constraint_trigger = false;
  TriggerTiming timing = TriggerTiming::Before;
  std::vector<TriggerEvent> events;
  std::optional<Name> referencing_old;  // referencing old table as x
  std::optional<Name> referencing_new;
  bool for_each_row = false;
  std::optional<SqlText> when;
  QualName function;
  std::vector<SqlText> args;  // literal arguments as written
  Deferral deferral = Deferral::NotDeferrable;  // constraint triggers
  Loc loc;
};

struct Policy {
  Name name;
  QualName table;
  bool permissive = true;
  std::string command = "all";  // all / select / insert / update / delete
  std::vector<Name> roles;      // empty: public
  std::optional<SqlText> using_expr;
  std::optional<SqlText> with_check;
  std::optional<Name> renamed_from;
  Loc loc;
};

// `[force] row level security [not enabled] on table` (top level).
struct RowLevelSecurity {
  QualName table;
  bool force = false;
  bool not_enabled = false;  // `force row level security not enabled on table`
  Loc loc;
};

enum class ObjectKind {
  Schema, Table, Column, View, MaterializedView, Sequence, Index, Type, Domain, Enum,
  Function, Procedure, Trigger, Policy, Constraint, Extension
};

// The object a grant or comment names. For columns `name` is `table.column` (qualified as written) and
// `column` holds the column; for functions `signature` holds argument types when written.
struct ObjectRef {
  ObjectKind kind = ObjectKind::Table;
  QualName name;
  std::optional<Name> column;           // comment on column t.c
  std::optional<QualName> on_table;     // comment on trigger/policy/constraint x on t
  std::optional<std::vector<TypeRef>> signature;  // functions: f(int, text)
  Loc loc;
};

struct Grant {
  std::vector<std::string> privileges;  // folded; "all" for all [privileges]
  std::vector<Name> columns;            // grant select (a, b) on t
  ObjectRef object;
  std::vector<Name> grantees;           // role names; "public" for public
  bool with_grant_option = false;
  Loc loc;
};

struct Comment {
  ObjectRef object;
  std::optional<SqlText> text;  // unset: `is null`
  Loc loc;
};

using Decl = std::variant<Extension, Schema, Enum, Domain, CompositeType, Sequence, Table, Index, View,
                          Function, Trigger, Policy, RowLevelSecurity, Grant, Comment, Collation>;

struct File {
  uint32_t file_id = 0;
  std::vector<Decl> decls;
};

}  // namespace schemac::ast
