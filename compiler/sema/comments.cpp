// `comment on <object> is '...'`, merged with the comments written inside declarations. The same
// object commented twice with different text is an error; `is null` means "no comment".
#include <fmt/format.h>

#include "compiler/sema/context.h"
#include "compiler/sema/tables.h"

namespace schemac::sema {
namespace {

using Kind = ast::ObjectKind;

// Objects found by name for comments (built once: a schema may have thousands of comments).
struct Objects {
  std::map<QName, IndexState*> indexes;
  std::map<std::pair<QName, std::string>, TriggerState*> triggers;
  std::map<std::pair<QName, std::string>, PolicyState*> policies;

  explicit Objects(Context& ctx) {
    for (IndexState& i : ctx.indexes) {
      if (!i.duplicate) indexes.emplace(i.model.name, &i);
    }
    for (TriggerState& t : ctx.triggers) {
      if (!t.duplicate) triggers.emplace(std::pair{t.model.table, t.model.name}, &t);
    }
    for (PolicyState& p : ctx.policies) {
      if (!p.duplicate) policies.emplace(std::pair{p.model.table, p.model.name}, &p);
    }
  }
};

// Where a comment goes.
struct Target {
  std::optional<std::string>* comment = nullptr;
  std::string what;  // "table 'customers'", for messages
  Loc written_in_block;  // a comment written inside the declaration, if any
};

std::optional<Target> FindOnTable(Context& ctx, const Objects& objects, const ast::ObjectRef& o) {
  if (!o.on_table) {
    ctx.Error(DiagKind::UnknownObject, o.loc, "the comment needs `on <table>`");
    return std::nullopt;
  }
  const QName table_name = ctx.Qualify(*o.on_table);
  TableState* table = ctx.FindTable(table_name);
  const std::string& name = o.name.name.text;
  const std::string on = Display(table_name);
  if (o.kind == Kind::Trigger) {
    if (auto it = objects.triggers.find({table_name, name}); it != objects.triggers.end()) {
      return Target{&it->second->model.comment, fmt::format("trigger '{}' on '{}'", name, on), {}};
    }
  } else if (o.kind == Kind::Policy) {
    if (auto it = objects.policies.find({table_name, name}); it != objects.policies.end()) {
      return Target{&it->second->model.comment, fmt::format("policy '{}' on '{}'", name, on), {}};
    }
  } else if (table != nullptr) {
    for (ConstraintState& c : table->constraints) {
      if (!c.dropped && c.model.name == name) {
        return Target{&c.model.comment, fmt::format("constraint '{}' on '{}'", name, on), {}};
      }
    }
  }
  if (table == nullptr && !ctx.view_by_name.contains(table_name)) {
    ctx.Error(DiagKind::UnknownTable, o.on_table->loc, fmt::format("unknown table '{}'", on));
    return std::nullopt;
  }
  const char* what = o.kind == Kind::Trigger ? "trigger" : o.kind == Kind::Policy ? "policy" : "constraint";
  ctx.Error(DiagKind::UnknownObject, o.name.loc,
            fmt::format("unknown {} '{}' on table '{}'", what, name, on));
  return std::nullopt;
}

std::optional<Target> FindColumn(Context& ctx, const ast::ObjectRef& o) {
  // `comment on column [schema.]table.column`: `name` is the table, `column` the column.
  if (!o.column) return std::nullopt;
  const QName table_name = ctx.Qualify(o.name);
  const std::string& column = o.column->text;
  TableState* table = ctx.FindTable(table_name);
  if (table == nullptr) {
    ctx.Error(DiagKind::UnknownTable, o.name.name.loc,
              fmt::format("unknown table '{}'", Display(table_name)));
    return std::nullopt;
  }
  for (model::Column& c : table->model.columns) {
    if (c.name != column) continue;
    Loc in_block;
    for (const ast::Column& a : table->ast->columns) {
      if (a.name.text == column && a.comment) in_block = a.comment->loc;
    }
    return Target{&c.comment, fmt::format("column '{}.{}'", Display(table_name), column), in_block};
  }
  ReportUnknownColumn(ctx, *table, column, o.column->loc);
  return std::nullopt;
}

template <typename Map>
std::optional<Target> FindIn(Context& ctx, Map& map, const ast::ObjectRef& o, const char* what,
                             DiagKind unknown) {
  const QName name = ctx.Qualify(o.name);
  auto it = map.find(name);
  if (it == map.end()) {
    ctx.Error(unknown, o.name.loc, fmt::format("unknown {} '{}'", what, Display(name)));
    return std::nullopt;
  }
  return Target{&it->second->model.comment, fmt::format("{} '{}'", what, Display(name)), {}};
}

std::optional<Target> FindTarget(Context& ctx, const Objects& objects, const ast::ObjectRef& o) {
  switch (o.kind) {
    case Kind::Schema: {
      auto it = ctx.schemas.find(o.name.name.text);
      if (it == ctx.schemas.end()) {
        ctx.Error(DiagKind::UnknownSchema, o.name.loc,
                  fmt::format("unknown schema '{}'", o.name.name.text));
        return std::nullopt;
      }
      SchemaState& s = it->second;
      const Loc in_block = s.ast != nullptr && s.ast->comment ? s.ast->comment->loc : Loc{};
      return Target{&s.model.comment, fmt::format("schema '{}'", s.model.name), in_block};
    }
    case Kind::Extension: {
      auto it = ctx.extensions.find(o.name.name.text);
      if (it == ctx.extensions.end()) {
        ctx.Error(DiagKind::UnknownExtension, o.name.loc,
                  fmt::format("unknown extension '{}'", o.name.name.text));
        return std::nullopt;
      }
      return Target{&it->second.model.comment, fmt::format("extension '{}'", it->first), {}};
    }
    case Kind::Table: {
      const QName name = ctx.Qualify(o.name);
      TableState* t = ctx.FindTable(name);
      if (t == nullptr) {
        ctx.Error(DiagKind::UnknownTable, o.name.loc, fmt::format("unknown table '{}'", Display(name)));
        return std::nullopt;
      }
      const Loc in_block = t->ast->comment ? t->ast->comment->loc : Loc{};
      return Target{&t->model.comment, fmt::format("table '{}'", Display(name)), in_block};
    }
    case Kind::Column:
      return FindColumn(ctx, o);
    case Kind::View:
    case Kind::MaterializedView: {
      const bool mat = o.kind == Kind::MaterializedView;
      const QName name = ctx.Qualify(o.name);
      auto it = ctx.view_by_name.find(name);
      const char* what = mat ? "materialized view" : "view";
      if (it == ctx.view_by_name.end() || it->second->model.materialized != mat) {
        ctx.Error(DiagKind::UnknownObject, o.name.loc, fmt::format("unknown {} '{}'", what, Display(name)));
        return std::nullopt;
      }
      return Target{&it->second->model.comment, fmt::format("{} '{}'", what, Display(name)), {}};
    }
    case Kind::Sequence:
      return FindIn(ctx, ctx.sequence_by_name, o, "sequence", DiagKind::UnknownSequence);
    case Kind::Index: {
      const QName name = ctx.Qualify(o.name);
      if (auto it = objects.indexes.find(name); it != objects.indexes.end()) {
        return Target{&it->second->model.comment, fmt::format("index '{}'", Display(name)), {}};
      }
      ctx.Error(DiagKind::UnknownObject, o.name.loc, fmt::format("unknown index '{}'", Display(name)));
      return std::nullopt;
    }
    case Kind::Domain:
      return FindIn(ctx, ctx.domain_by_name, o, "domain", DiagKind::UnknownType);
    case Kind::Enum:
      return FindIn(ctx, ctx.enum_by_name, o, "enum", DiagKind::UnknownType);
    case Kind::Type: {
      const QName name = ctx.Qualify(o.name);
      if (auto it = ctx.enum_by_name.find(name); it != ctx.enum_by_name.end()) {
        return Target{&it->second->model.comment, fmt::format("type '{}'", Display(name)), {}};
      }
      if (auto it = ctx.domain_by_name.find(name); it != ctx.domain_by_name.end()) {
        return Target{&it->second->model.comment, fmt::format("type '{}'", Display(name)), {}};
      }
      if (auto it = ctx.composite_by_name.find(name); it != ctx.composite_by_name.end()) {
        return Target{&it->second->model.comment, fmt::format("type '{}'", Display(name)), {}};
      }
      ctx.Error(DiagKind::UnknownType, o.name.loc, fmt::format("unknown type '{}'", Display(name)));
      return std::nullopt;
    }
    case Kind::Function:
    case Kind::Procedure: {
      FunctionState* f = ResolveFunctionRef(ctx, o);
      if (f == nullptr) return std::nullopt;
      return Target{&f->model.comment,
                    fmt::format("{} '{}'", f->model.is_procedure ? "procedure" : "function",
                                f->model.Signature()),
                    {}};
    }
    case Kind::Trigger:
    case Kind::Policy:
    case Kind::Constraint:
      return FindOnTable(ctx, objects, o);
  }
  return std::nullopt;
}

}  // namespace

void ApplyComments(Context& ctx, const std::vector<ast::File>& files) {
  // Comments already given by `comment on`, by target, with where they were written.
  std::map<std::optional<std::string>*, Loc> given;
  const Objects objects(ctx);
  for (const ast::File& file : files) {
    for (const ast::Decl& decl : file.decls) {
      const auto* c = std::get_if<ast::Comment>(&decl);
      if (c == nullptr) continue;
      const std::optional<Target> target = FindTarget(ctx, objects, c->object);
      if (!target) continue;
      std::optional<std::string> text;
      if (c->text) text = c->text->text;
      auto it = given.find(target->comment);
      const Loc earlier = it != given.end() ? it->second : target->written_in_block;
      if (earlier.IsValid() && *target->comment != text) {
        base::Diagnostic& d = ctx.Error(DiagKind::ConflictingComment, c->loc,
                                        fmt::format("conflicting comments on {}", target->what));
        Context::Note(d, earlier, "the other comment is here");
        continue;
      }
      *target->comment = text;
      given.emplace(target->comment, c->loc);
    }
  }
}

}  // namespace schemac::sema
