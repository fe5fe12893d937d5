// Pass 1: every declared name goes into its namespace before anything is resolved, so that
// declaration order (within and across files) never matters.
//
// PostgreSQL's namespaces, per schema: relations (pg_class: tables, views, materialized views,
// sequences, indexes, composite types) and types (pg_type: enums, domains, composite types and the
// row types of tables, views and materialized views; sequences and indexes have none). Index-backed
// constraints (primary key, unique, exclude) create an index of the constraint's name.
#include <fmt/format.h>

#include <algorithm>

#include "compiler/sema/context.h"
#include "compiler/sema/tables.h"

namespace schemac::sema {
namespace {

using model::ObjectKind;

// Registers `name` in the relation and/or type namespace. On a clash with an earlier declaration
// reports duplicate-object at `loc` and returns false.
bool Declare(Context& ctx, const QName& name, ObjectKind kind, const std::string& what, Loc loc,
             bool in_relations, bool in_types) {
  const NameEntry* earlier = nullptr;
  if (in_relations) {
    auto it = ctx.relation_names.find(name);
    if (it != ctx.relation_names.end()) earlier = &it->second;
  }
  if (earlier == nullptr && in_types) {
    auto it = ctx.type_names.find(name);
    if (it != ctx.type_names.end()) earlier = &it->second;
  }
  if (earlier != nullptr) {
    std::string message =
        earlier->what == what
            ? fmt::format("duplicate {} '{}'", what, Display(name))
            : fmt::format("{} '{}' conflicts with {} '{}'", what, Display(name), earlier->what,
                          Display(name));
    base::Diagnostic& d = ctx.Error(DiagKind::DuplicateObject, loc, std::move(message));
    Context::Note(d, earlier->loc, "previous declaration is here");
    return false;
  }
  NameEntry entry{.kind = kind, .what = what, .loc = loc};
  if (in_relations) ctx.relation_names.emplace(name, entry);
  if (in_types) ctx.type_names.emplace(name, entry);
  return true;
}

// Explicit constraint names: unique per table, and index-backed ones are relation names.
void DeclareConstraintName(Context& ctx, TableState& table, std::map<std::string, Loc>& names,
                           const ast::Name& name, bool index_backed) {
  auto [it, inserted] = names.emplace(name.text, name.loc);
  if (!inserted) {
    base::Diagnostic& d = ctx.Error(DiagKind::DuplicateObject, name.loc,
                                    fmt::format("duplicate constraint '{}' on table '{}'",
                                                name.text, Display(table.model.name)));
    Context::Note(d, it->second, "previous declaration is here");
    return;
  }
  if (index_backed) {
    Declare(ctx, {table.model.name.schema, name.text}, ObjectKind::Constraint, "constraint",
            name.loc, /*in_relations=*/true, /*in_types=*/false);
  }
}

void DeclareTable(Context& ctx, const ast::Table& t) {
  TableState& table = ctx.tables.emplace_back();
  table.ast = &t;
  table.model.name = ctx.Qualify(t.name);
  table.model.loc = t.loc;
  table.model.unlogged = t.unlogged;
  table.model.storage = StorageOf(ctx, t.storage, "table");
  table.duplicate = !Declare(ctx, table.model.name, ObjectKind::Table, "table", t.name.loc,
                             /*in_relations=*/true, /*in_types=*/true);
  if (!table.duplicate) ctx.table_by_name.emplace(table.model.name, &table);

  std::map<std::string, Loc> names;
  for (const ast::Column& c : t.columns) {
    if (c.primary_key_name) DeclareConstraintName(ctx, table, names, *c.primary_key_name, true);
    if (c.unique_name) DeclareConstraintName(ctx, table, names, *c.unique_name, true);
    for (const auto& [name, ref] : c.references) {
      if (name) DeclareConstraintName(ctx, table, names, *name, false);
    }
    for (const ast::CheckClause& check : c.checks) {
      if (check.name) DeclareConstraintName(ctx, table, names, *check.name, false);
    }
  }
  for (const ast::TableConstraint& c : t.constraints) {
    if (!c.name) continue;
    const bool index_backed = c.kind == ast::ConstraintKind::PrimaryKey ||
                              c.kind == ast::ConstraintKind::Unique ||
                              c.kind == ast::ConstraintKind::Exclude;
    DeclareConstraintName(ctx, table, names, *c.name, index_backed);
  }
  for (const ast::Index& i : t.indexes) {
    IndexState& index = ctx.indexes.emplace_back();
    index.ast = &i;
    index.table = &table;
    index.model.table = table.model.name;
    if (i.name) {
      index.model.name = {table.model.name.schema, i.name->text};
      index.duplicate = !Declare(ctx, index.model.name, ObjectKind::Index, "index", i.name->loc,
                                 true, false);
    }
    table.indexes.push_back(&index);
  }
}

void DeclareTopLevelIndex(Context& ctx, const ast::Index& i) {
  if (!i.table) return;
  IndexState& index = ctx.indexes.emplace_back();
  index.ast = &i;
  index.model.table = ctx.Qualify(*i.table);
  if (i.name) {
    // An index always lives in its table's schema.
    index.model.name = {index.model.table.schema, i.name->text};
    index.duplicate =
        !Declare(ctx, index.model.name, ObjectKind::Index, "index", i.name->loc, true, false);
  }
}

template <typename State>
State& AddState(std::deque<State>& states, std::map<QName, State*>& by_name,
                const typename std::remove_pointer_t<decltype(State::ast)>& decl, const QName& name,
                bool declared) {
  State& state = states.emplace_back();
  state.ast = &decl;
  state.model.name = name;
  state.model.loc = decl.loc;
  state.duplicate = !declared;
  if (declared) by_name.emplace(name, &state);
  return state;
}

void DeclareDecl(Context& ctx, const ast::Decl& decl) {
  if (const auto* e = std::get_if<ast::Enum>(&decl)) {
    const QName name = ctx.Qualify(e->name);
    const bool ok = Declare(ctx, name, ObjectKind::Enum, "enum", e->name.loc, false, true);
    AddState(ctx.enums, ctx.enum_by_name, *e, name, ok);
  } else if (const auto* d = std::get_if<ast::Domain>(&decl)) {
    const QName name = ctx.Qualify(d->name);
    const bool ok = Declare(ctx, name, ObjectKind::Domain, "domain", d->name.loc, false, true);
    AddState(ctx.domains, ctx.domain_by_name, *d, name, ok);
  } else if (const auto* c = std::get_if<ast::CompositeType>(&decl)) {
    const QName name = ctx.Qualify(c->name);
    const bool ok = Declare(ctx, name, ObjectKind::CompositeType, "type", c->name.loc, true, true);
    AddState(ctx.composites, ctx.composite_by_name, *c, name, ok);
  } else if (const auto* s = std::get_if<ast::Sequence>(&decl)) {
    const QName name = ctx.Qualify(s->name);
    const bool ok =
        Declare(ctx, name, ObjectKind::Sequence, "sequence", s->name.loc, true, false);
    AddState(ctx.sequences, ctx.sequence_by_name, *s, name, ok);
  } else if (const auto* v = std::get_if<ast::View>(&decl)) {
    const QName name = ctx.Qualify(v->name);
    const ObjectKind kind = v->materialized ? ObjectKind::MaterializedView : ObjectKind::View;
    const bool ok = Declare(ctx, name, kind, model::ObjectKindName(kind), v->name.loc, true, true);
    AddState(ctx.views, ctx.view_by_name, *v, name, ok);
  } else if (const auto* t = std::get_if<ast::Table>(&decl)) {
    DeclareTable(ctx, *t);
  } else if (const auto* i = std::get_if<ast::Index>(&decl)) {
    DeclareTopLevelIndex(ctx, *i);
  } else if (const auto* f = std::get_if<ast::Function>(&decl)) {
    FunctionState& state = ctx.functions.emplace_back();
    state.ast = f;
  } else if (const auto* tr = std::get_if<ast::Trigger>(&decl)) {
    ctx.triggers.emplace_back().ast = tr;
  } else if (const auto* p = std::get_if<ast::Policy>(&decl)) {
    ctx.policies.emplace_back().ast = p;
  }
}

// A `renamed from X` names the object's previous name; X must not also be declared in the target,
// and two objects cannot both claim X.
void CheckRename(Context& ctx, std::map<QName, Loc>& claimed, const std::string& what,
                 const QName& name, const ast::QualName& from, bool in_relations) {
  // An unqualified previous name is in the object's own schema. Its schema may be gone from the
  // target, so it is not checked.
  const QName old{from.schema ? from.schema->text : name.schema, from.name.text};
  const auto& names = in_relations ? ctx.relation_names : ctx.type_names;
  auto it = names.find(old);
  if (it != names.end()) {
    base::Diagnostic& d = ctx.Error(
        DiagKind::RenameConflict, from.loc,
        fmt::format("{} '{}' is renamed from '{}', but '{}' is also declared", what, Display(name),
                    Display(old), Display(old)));
    Context::Note(d, it->second.loc, fmt::format("'{}' is declared here", Display(old)));
    return;
  }
  auto [pos, inserted] = claimed.emplace(old, from.loc);
  if (!inserted) {
    base::Diagnostic& d =
        ctx.Error(DiagKind::RenameConflict, from.loc,
                  fmt::format("{} '{}' is renamed from '{}', but another {} is already renamed "
                              "from '{}'",
                              what, Display(name), Display(old), what, Display(old)));
    Context::Note(d, pos->second, "the other rename is here");
  }
}

void CheckRenames(Context& ctx) {
  std::map<QName, Loc> relations;
  std::map<QName, Loc> types;
  for (const TableState& t : ctx.tables) {
    if (!t.duplicate && t.ast->renamed_from) {
      CheckRename(ctx, relations, "table", t.model.name, *t.ast->renamed_from, true);
    }
  }
  for (const ViewState& v : ctx.views) {
    if (!v.duplicate && v.ast->renamed_from) {
      CheckRename(ctx, relations, v.ast->materialized ? "materialized view" : "view",
                  v.model.name, *v.ast->renamed_from, true);
    }
  }
  for (const SequenceState& s : ctx.sequences) {
    if (!s.duplicate && s.ast->renamed_from) {
      CheckRename(ctx, relations, "sequence", s.model.name, *s.ast->renamed_from, true);
    }
  }
  for (const IndexState& i : ctx.indexes) {
    if (!i.duplicate && i.ast->name && i.ast->renamed_from) {
      ast::QualName from{.schema = std::nullopt, .name = *i.ast->renamed_from,
                         .loc = i.ast->renamed_from->loc};
      CheckRename(ctx, relations, "index", i.model.name, from, true);
    }
  }
  for (const EnumState& e : ctx.enums) {
    if (!e.duplicate && e.ast->renamed_from) {
      CheckRename(ctx, types, "enum", e.model.name, *e.ast->renamed_from, false);
    }
  }
  for (const DomainState& d : ctx.domains) {
    if (!d.duplicate && d.ast->renamed_from) {
      CheckRename(ctx, types, "domain", d.model.name, *d.ast->renamed_from, false);
    }
  }
  for (const CompositeState& c : ctx.composites) {
    if (!c.duplicate && c.ast->renamed_from) {
      CheckRename(ctx, types, "type", c.model.name, *c.ast->renamed_from, false);
    }
  }
}

}  // namespace

void DeclareSchemasAndExtensions(Context& ctx, const std::vector<ast::File>& files) {
  ctx.schemas["public"].model.name = "public";
  for (const ast::File& file : files) {
    for (const ast::Decl& decl : file.decls) {
      const auto* s = std::get_if<ast::Schema>(&decl);
      if (s == nullptr) continue;
      SchemaState& state = ctx.schemas[s->name.text];
      if (state.ast != nullptr) {
        base::Diagnostic& d = ctx.Error(DiagKind::DuplicateObject, s->name.loc,
                                        fmt::format("duplicate schema '{}'", s->name.text));
        Context::Note(d, state.ast->name.loc, "previous declaration is here");
        continue;
      }
      if (s->name.text.starts_with("pg_")) {
        ctx.Error(DiagKind::InvalidOption, s->name.loc,
                  fmt::format("schema name '{}' is reserved: the prefix 'pg_' is for system "
                              "schemas",
                              s->name.text));
      }
      state.ast = s;
      state.model.name = s->name.text;
      state.model.loc = s->loc;
      if (s->comment) state.model.comment = s->comment->text;
      if (s->renamed_from) state.model.renamed_from = s->renamed_from->text;
    }
  }
  // Schema renames: the previous name must not be declared too.
  for (const auto& [name, state] : ctx.schemas) {
    if (state.ast == nullptr || !state.ast->renamed_from) continue;
    const ast::Name& from = *state.ast->renamed_from;
    auto it = ctx.schemas.find(from.text);
    if (it == ctx.schemas.end()) continue;
    base::Diagnostic& d = ctx.Error(
        DiagKind::RenameConflict, from.loc,
        fmt::format("schema '{}' is renamed from '{}', but '{}' is also declared", name, from.text,
                    from.text));
    if (it->second.ast != nullptr) {
      Context::Note(d, it->second.ast->name.loc, fmt::format("'{}' is declared here", from.text));
    }
  }
  for (const ast::File& file : files) {
    for (const ast::Decl& decl : file.decls) {
      const auto* e = std::get_if<ast::Extension>(&decl);
      if (e == nullptr) continue;
      auto [it, inserted] = ctx.extensions.try_emplace(e->name.text);
      if (!inserted) {
        base::Diagnostic& d = ctx.Error(DiagKind::DuplicateObject, e->name.loc,
                                        fmt::format("duplicate extension '{}'", e->name.text));
        Context::Note(d, it->second.ast->name.loc, "previous declaration is here");
        continue;
      }
      ExtensionState& state = it->second;
      state.ast = e;
      state.model.name = e->name.text;
      state.model.loc = e->loc;
      state.schema = "public";
      if (e->schema) {
        state.model.schema = e->schema->text;
        state.schema = e->schema->text;
        if (!ctx.SchemaExists(e->schema->text)) {
          ctx.Error(DiagKind::UnknownSchema, e->schema->loc,
                    fmt::format("unknown schema '{}'", e->schema->text));
        }
      }
      if (e->version) state.model.version = e->version->text;
    }
  }
}

void DeclareObjects(Context& ctx, const std::vector<ast::File>& files) {
  for (const ast::File& file : files) {
    for (const ast::Decl& decl : file.decls) DeclareDecl(ctx, decl);
  }
  // Top-level indexes join their table once every table is known.
  for (IndexState& index : ctx.indexes) {
    if (index.ast->table == std::nullopt) continue;
    index.table = ctx.FindTable(index.model.table);
    if (index.table == nullptr) {
      auto view = ctx.view_by_name.find(index.model.table);
      if (view == ctx.view_by_name.end()) {
        ctx.Error(DiagKind::UnknownTable, index.ast->table->loc,
                  fmt::format("unknown table '{}'", Display(index.model.table)));
      } else if (view->second->ast->materialized) {
        // Materialized views can be indexed; their columns come from the query, so the index's
        // columns are not checked offline.
        index.on_materialized_view = true;
      } else {
        ctx.Error(DiagKind::UnknownTable, index.ast->table->loc,
                  fmt::format("cannot index view '{}': only tables and materialized views have "
                              "indexes",
                              Display(index.model.table)));
      }
      continue;
    }
    index.table->indexes.push_back(&index);
  }
  CheckRenames(ctx);
}

}  // namespace schemac::sema
