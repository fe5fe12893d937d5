// Internal to compiler/sema: the state the analysis passes share (declaration tables, the model
// under construction, the embedded-SQL cache) and the pass entry points. Not part of the module
// interface (sema.h).
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/base/diag.h"
#include "compiler/model/model.h"
#include "compiler/sqltext/sqltext.h"

namespace schemac::sema {

using base::DiagKind;
using base::Loc;
using QName = model::QualifiedName;

// "name" for objects in public, "schema.name" elsewhere: how messages show a qualified name.
std::string Display(const QName& name);

// One name in a schema's relation namespace (tables, views, sequences, indexes, composite types)
// or type namespace (enums, domains, composite types, row types of tables and views).
struct NameEntry {
  model::ObjectKind kind = model::ObjectKind::Table;
  std::string what;  // "table", "index", "constraint", ...: for messages
  Loc loc;
};

struct TableState;

// A primary key, unique, foreign key, check or exclusion constraint of a table, column-level or
// table-level, with the source positions the checks report at.
struct ConstraintState {
  model::Constraint model;
  Loc name_loc;                 // the explicit name, else the constraint
  std::vector<Loc> column_locs;  // parallel to model.columns
  std::vector<Loc> include_locs;  // parallel to model.include
  const ast::References* references = nullptr;  // foreign keys
  const ast::SqlText* check = nullptr;           // checks
  const ast::TableConstraint* ast = nullptr;     // table-level constraints
  bool dropped = false;  // a repeat of an earlier index-backed constraint (PostgreSQL merges them)
};

struct IndexState {
  const ast::Index* ast = nullptr;
  model::Index model;
  TableState* table = nullptr;  // null when the table is unknown or a materialized view
  bool on_materialized_view = false;
  bool duplicate = false;
};

struct TableState {
  const ast::Table* ast = nullptr;
  model::Table model;
  bool duplicate = false;
  std::vector<ConstraintState> constraints;
  std::vector<IndexState*> indexes;  // in-block indexes, then top-level ones, declaration order
  TableState* parent = nullptr;      // partition_of, when it resolves to a table
  std::vector<TableState*> inherits;  // `inherits (...)` parents that resolve to tables
  std::map<std::string, std::string> implicit_sequences;  // column -> identity/serial sequence
};

template <typename Ast, typename Model>
struct DeclState {
  const Ast* ast = nullptr;
  Model model;
  bool duplicate = false;
};

using EnumState = DeclState<ast::Enum, model::Enum>;
using DomainState = DeclState<ast::Domain, model::Domain>;
using CompositeState = DeclState<ast::CompositeType, model::CompositeType>;
using SequenceState = DeclState<ast::Sequence, model::Sequence>;
using ViewState = DeclState<ast::View, model::View>;

struct FunctionState {
  const ast::Function* ast = nullptr;
  model::Function model;
  bool duplicate = false;
  std::vector<model::TypeName> input_types;  // IN, INOUT and VARIADIC argument types
};

struct TriggerState {
  const ast::Trigger* ast = nullptr;
  model::Trigger model;
  TableState* table = nullptr;
  bool duplicate = false;
};

struct PolicyState {
  const ast::Policy* ast = nullptr;
  model::Policy model;
  TableState* table = nullptr;
  bool duplicate = false;
};

struct SchemaState {
  const ast::Schema* ast = nullptr;  // null for the implicit public schema
  model::Schema model;
};

struct ExtensionState {
  const ast::Extension* ast = nullptr;
  model::Extension model;
  std::string schema;  // where its objects live: the `schema` clause, else public
};

// Everything the passes share. Objects live in deques so that pointers to them stay valid; the
// maps index the first declaration of each name (later duplicates are reported and kept out).
class Context {
 public:
  Context(const base::SourceManager& source_manager, base::Diagnostics& diagnostics)
      : sources(source_manager), diags(diagnostics) {}

  const base::SourceManager& sources;
  base::Diagnostics& diags;

  std::map<std::string, SchemaState> schemas;  // declared schemas and public
  std::map<std::string, ExtensionState> extensions;
  std::map<QName, NameEntry> relation_names;
  std::map<QName, NameEntry> type_names;

  std::deque<TableState> tables;
  std::map<QName, TableState*> table_by_name;
  std::deque<IndexState> indexes;
  std::deque<ViewState> views;
  std::map<QName, ViewState*> view_by_name;
  std::deque<SequenceState> sequences;
  std::map<QName, SequenceState*> sequence_by_name;
  std::map<QName, model::Collation> collations;  // collations.cpp
  std::deque<EnumState> enums;
  std::map<QName, EnumState*> enum_by_name;
  std::deque<DomainState> domains;
  std::map<QName, DomainState*> domain_by_name;
  std::deque<CompositeState> composites;
  std::map<QName, CompositeState*> composite_by_name;
  std::deque<FunctionState> functions;
  std::multimap<QName, FunctionState*> function_by_name;  // overloads share a key
  std::deque<TriggerState> triggers;
  std::deque<PolicyState> policies;
  std::vector<model::Grant> grants;
  std::set<std::string> roles;
  // Identity and serial sequences: name -> (table, column).
  std::map<QName, std::pair<TableState*, std::string>> implicit_sequences;

  // Diagnostics. Messages are lower-case, without a trailing period, names in single quotes.
  base::Diagnostic& Error(DiagKind kind, Loc loc, std::string message);
  void Warning(DiagKind kind, Loc loc, std::string message);
  static void Note(base::Diagnostic& diag, Loc loc, std::string message);

  // The schema a name lives in: its schema part, else public. A schema part that is neither
  // public nor declared is reported as unknown-schema (and still returned, so that the object is
  // checked and referenced consistently).
  std::string SchemaOf(const ast::QualName& name);
  QName Qualify(const ast::QualName& name) { return {SchemaOf(name), name.name.text}; }
  bool SchemaExists(const std::string& schema) const { return schemas.contains(schema); }
  // Whether a declared extension installs its objects into `schema`.
  bool SchemaHasExtension(const std::string& schema) const;

  TableState* FindTable(const QName& name) const;
  // Columns of a table; a partition takes its parent's. (Without inherited columns: FindColumn
  // also looks in the `inherits` parents.)
  const std::vector<model::Column>& ColumnsOf(const TableState& table) const;
  const model::Column* FindColumn(const TableState& table, const std::string& column) const;
  // Functions (and procedures) declared with this schema and name.
  std::vector<FunctionState*> FindFunctions(const QName& name) const;

  // Parses embedded SQL once per text and reports sql-syntax errors at the offending position.
  // Returns nullptr when the text does not parse.
  const sqltext::Result* Sql(const ast::SqlText& text, sqltext::Context context);
  // The source range of the token at `offset` within `text`. Texts whose bytes are not the source
  // bytes (string literals) map to the whole text.
  Loc SqlLoc(const ast::SqlText& text, uint32_t offset, bool single_char = false) const;

 private:
  std::map<const ast::SqlText*, std::optional<sqltext::Result>> sql_cache_;
};

// Adds a dependency, skipping repeats.
void AddDep(std::vector<model::ObjectId>& deps, model::ObjectKind kind, const QName& name);

// Sequence parameters with PostgreSQL's defaults applied (sequences.cpp). `type` is the sequence's
// data type (`as` for sequences, the column type for identity columns). Reports invalid-option at
// `options.loc` and returns nullopt for inconsistent values.
std::optional<model::SequenceParams> MakeSequenceParams(Context& ctx,
                                                        const ast::SequenceOptions& options,
                                                        const model::TypeName& type);

// ---- passes, in the order sema.cpp runs them ----

// symbols.cpp: schemas and extensions, then every named declaration into its namespace
// (duplicates and rename conflicts reported); top-level indexes are attached to their tables, and
// functions, triggers and policies get their states for the later passes.
void DeclareSchemasAndExtensions(Context& ctx, const std::vector<ast::File>& files);
void DeclareObjects(Context& ctx, const std::vector<ast::File>& files);
// collations.cpp: `collation` declarations (their own namespace, as pg_collation); after
// assembly, collation names written in the schema resolved to declared collations (`numeric` is
// public.numeric), which become dependencies.
void BuildCollations(Context& ctx, const std::vector<ast::File>& files);
void ResolveCollations(Context& ctx, model::Catalog& catalog);
// type_decls.cpp: enums, domains, composite types.
void BuildUserTypes(Context& ctx);
// sequences.cpp: standalone sequences (identity parameters are built by tables.cpp).
void BuildSequences(Context& ctx);
// tables.cpp / constraints.cpp: columns, column options, constraints, indexes, partitions.
void BuildTables(Context& ctx);
// sequences.cpp: `owned by table.column`.
void ResolveSequenceOwners(Context& ctx);
// objects.cpp: views and functions (signatures; duplicates by signature).
void BuildViewsAndFunctions(Context& ctx);
// implicit_names.cpp: identity/serial sequence, constraint, index and domain check names.
void AssignImplicitNames(Context& ctx);
// check_expressions.cpp: embedded SQL of tables, indexes, domains, views and sql functions.
void CheckExpressions(Context& ctx);
// foreign_keys.cpp
void CheckForeignKeys(Context& ctx);
// triggers_policies.cpp
void BuildTriggersAndPolicies(Context& ctx);
// grants.cpp: `row level security on` (before policies, which warn without it), then grants.
void ApplyRowLevelSecurity(Context& ctx, const std::vector<ast::File>& files);
void BuildGrants(Context& ctx, const std::vector<ast::File>& files);
// grants.cpp: the function or procedure a grant or comment names, by name and, when written, input
// argument types. Reports unknown-function (also for an ambiguous name) and returns nullptr.
FunctionState* ResolveFunctionRef(Context& ctx, const ast::ObjectRef& ref);
// comments.cpp: in-block comments and `comment on`.
void ApplyComments(Context& ctx, const std::vector<ast::File>& files);

}  // namespace schemac::sema
