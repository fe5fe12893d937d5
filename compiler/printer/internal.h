// Internal to compiler/printer: spelling helpers and the context the per-object printers share.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/model/model.h"
#include "compiler/printer/printer.h"

namespace schemac::printer::internal {

// ---- spelling (names.cpp) ------------------------------------------------------------------------

// A type or function name: Ident, and also quoted where PostgreSQL would read the bare word as a
// keyword (quote_ident's rule: `"time"`, `"integer"`).
std::string TypeIdent(const std::string& name);
// `name` for an object in `public` (unqualified means public), `schema.name` otherwise.
std::string Qualified(const model::QualifiedName& name);
// The name of a type (enum, domain, composite): like Qualified with TypeIdent, and qualified with
// `public.` when the bare name would mean a built-in type.
std::string TypeQualified(const model::QualifiedName& name);
// A type as the language spells it: built-ins by their usual short names (`timestamptz`,
// `varchar(20)`, `char(3)`, `time`, `integer[]`), other types like Qualified, and qualified with
// `public.` when the bare name would mean a built-in type.
std::string Type(const model::TypeName& type);
// Identifiers joined with ", ", each through Ident.
std::string IdentList(const std::vector<std::string>& names);
// A collation: `"C"`, `pg_catalog."default"`.
std::string Collation(const std::string& collation);
// Embedded SQL trimmed, with a newline after a trailing `--` comment.
std::string Sql(const std::string& text);
// An expression after a keyword that takes a bare expression (`default`, an index's `where`, an
// argument default): bare when it is one operand, else in parentheses.
std::string BareOrParenthesized(const std::string& text);
// ` with (fillfactor = 70, ...)` for storage parameters; "" when there are none.
std::string StorageParams(const std::vector<std::pair<std::string, std::string>>& storage);
// ASCII lower case.
std::string Lower(std::string text);
// `parts` joined with " " when the line stays short, else each part after the first on a line of
// its own, indented by two spaces.
std::string Wrap(const std::vector<std::string>& parts);

// ---- shared state -------------------------------------------------------------------------------

// What the printers need to know about the whole catalog.
class Context {
 public:
  explicit Context(const model::Catalog& catalog);

  const model::Catalog& catalog;

  const model::Table* FindTable(const model::QualifiedName& name) const;
  // The columns of a table; of its root parent for a partition (partitions list none).
  const std::vector<model::Column>& ColumnsOf(const model::Table& table) const;
  const model::Sequence* FindSequence(const model::QualifiedName& name) const;
  // What belongs to a table (or view): in catalog order.
  const std::vector<const model::Index*>& IndexesOn(const model::QualifiedName& relation) const;
  const std::vector<const model::Trigger*>& TriggersOn(const model::QualifiedName& relation) const;
  const std::vector<const model::Policy*>& PoliciesOn(const model::QualifiedName& table) const;
  const std::vector<const model::Table*>& PartitionsOf(const model::QualifiedName& table) const;
  const model::View* FindView(const model::QualifiedName& name) const;
  // A function by schema and model::Function::Signature().
  const model::Function* FindFunction(const std::string& schema, const std::string& signature) const;
  // More than one function or procedure of this name in its schema.
  bool Overloaded(const model::Function& function) const;

  // True when `name` is the only constraint (of tables and domains) of that name in `schema` and
  // no relation has it either: a derived name would come out exactly like this.
  bool UniqueConstraintName(const std::string& schema, const std::string& name) const;

  // Grants of one object, taken once (later calls return nothing), so leftovers can be found.
  std::vector<model::Grant> TakeGrants(model::ObjectKind kind, const model::QualifiedName& object);
  // Grants nobody took, for objects in `schema`, one list per object.
  std::vector<std::vector<model::Grant>> LeftoverGrants(const std::string& schema);

  void Note(std::string note) { notes.insert(std::move(note)); }
  std::set<std::string> notes;

 private:
  std::map<model::QualifiedName, const model::Table*> tables_;
  std::map<model::QualifiedName, const model::Sequence*> sequences_;
  std::map<model::QualifiedName, std::vector<const model::Index*>> indexes_;
  std::map<model::QualifiedName, std::vector<const model::Trigger*>> triggers_;
  std::map<model::QualifiedName, std::vector<const model::Policy*>> policies_;
  std::map<model::QualifiedName, std::vector<const model::Table*>> partitions_;
  std::map<model::QualifiedName, const model::View*> views_;
  std::map<std::pair<std::string, std::string>, const model::Function*> functions_;
  std::map<model::QualifiedName, int> function_names_;
  std::map<std::pair<std::string, std::string>, int> constraint_names_;  // (schema, name) -> count
  std::set<std::pair<std::string, std::string>> relation_names_;
  std::map<std::tuple<std::string, std::string, int>, std::vector<model::Grant>> grants_;  // by schema, name, kind
};

// ---- object printers ------------------------------------------------------------------------------
// Each returns the text of one group of declarations, ending in a newline.

// print_tables.cpp: a table with its partitions (same schema), triggers, policies, grants and the
// comments that cannot be written inside its block.
std::string TableGroup(Context& ctx, const model::Table& table);
// Partitions that TableGroup prints with their parent.
bool PrintedWithParent(const Context& ctx, const model::Table& table);
// An index element as the language writes it (shared by indexes, exclusion constraints and
// partition keys).
std::string IndexElement(const model::IndexElement& element);
// The sequence behind a serial column (written `serial`, `bigserial`, `smallserial`; the sequence
// is not declared of its own), or nullptr.
const model::Sequence* SerialSequence(const Context& ctx, const model::Table& table, const model::Column& column);
// A top-level index (on a materialized view).
std::string TopLevelIndex(const model::Index& index);

// print_objects.cpp
std::string SchemaGroup(Context& ctx, const model::Schema& schema);
std::string ExtensionGroup(const model::Extension& extension);
std::string EnumGroup(Context& ctx, const model::Enum& type);
std::string DomainGroup(Context& ctx, const model::Domain& domain);
std::string CompositeGroup(Context& ctx, const model::CompositeType& type);
std::string SequenceGroup(Context& ctx, const model::Sequence& sequence);
std::string ViewGroup(Context& ctx, const model::View& view);
std::string FunctionGroup(Context& ctx, const model::Function& function);
std::string TriggerDecl(const model::Trigger& trigger);
std::string PolicyDecl(const model::Policy& policy);
// Non-default sequence options, lower case (`as integer`, `start with 10`, `cache 20`).
std::vector<std::string> SequenceOptions(const model::SequenceParams& params, bool include_type);

// print_access.cpp: grants and `comment on`.
// GRANT lines for the grants of one object (grouped by privileges; grantees with the same
// privileges share a line).
std::string GrantLines(Context& ctx, const std::vector<model::Grant>& grants);
// `comment on <target> is '...'` (nothing when `comment` is unset).
std::string CommentOn(const std::string& target, const std::optional<std::string>& comment);
// How `comment on` and `grant` name a function: `f`, or `f(integer, text)` when overloaded.
std::string FunctionRef(const Context& ctx, const model::Function& function);

}  // namespace schemac::printer::internal
