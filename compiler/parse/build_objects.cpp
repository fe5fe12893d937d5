// Top-level declarations other than tables: the file, types, sequences, views, functions, triggers,
// policies, row level security, grants and comments.
#include <fmt/format.h>

#include "compiler/parse/builder.h"

namespace schemac::parse {

using g::SchemaParser;

namespace {

std::string LowerText(antlr4::tree::ParseTree* t) {
  std::string s = t->getText();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Removes a trailing clause of the given lower-case words (`with cascaded check option`) from a view
// query, which the query grammar cannot tell apart from the query itself. Returns the clause's
// words (lower-cased) or "" when absent.
std::string StripTrailingWords(ast::SqlText& q, const std::vector<std::vector<std::string>>& forms) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // Split the tail into words (whitespace separated), compare with each form.
  std::vector<std::pair<size_t, std::string>> words;  // (offset, word)
  const std::string& t = q.text;
  size_t i = t.size();
  while (words.size() < 4 && i > 0) {
    while (i > 0 && std::isspace(static_cast<unsigned char>(t[i - 1]))) --i;
    size_t e = i;
    while (i > 0 && !std::isspace(static_cast<unsigned char>(t[i - 1]))) --i;
    if (e > i) words.insert(words.begin(), {i, lower(t.substr(i, e - i))});
  }
  for (const auto& form : forms) {
    if (form.size() > words.size()) continue;
    const size_t off = words.size() - form.size();
    bool match = true;
    for (size_t k = 0; k < form.size(); ++k) match = match && words[off + k].second == form[k];
    if (!match) continue;
    std::string clause;
    for (const auto& w : form) clause += (clause.empty() ? "" : " ") + w;
    size_t cut = words[off].first;
    while (cut > 0 && std::isspace(static_cast<unsigned char>(t[cut - 1]))) --cut;
    q.loc.end = q.loc.begin + static_cast<uint32_t>(cut);
    q.text.resize(cut);
    return clause;
  }
  return "";
}

ast::ObjectKind KindOf(antlr4::ParserRuleContext* kind_ctx) {
  const std::string k = LowerText(kind_ctx);
  if (k == "table") return ast::ObjectKind::Table;
  if (k == "sequence") return ast::ObjectKind::Sequence;
  if (k == "schema") return ast::ObjectKind::Schema;
  if (k == "function") return ast::ObjectKind::Function;
  if (k == "procedure") return ast::ObjectKind::Procedure;
  if (k == "type") return ast::ObjectKind::Type;
  if (k == "domain") return ast::ObjectKind::Domain;
  if (k == "view") return ast::ObjectKind::View;
  if (k == "materializedview") return ast::ObjectKind::MaterializedView;
  if (k == "index") return ast::ObjectKind::Index;
  if (k == "extension") return ast::ObjectKind::Extension;
  if (k == "enum") return ast::ObjectKind::Enum;
  return ast::ObjectKind::Table;
}

}  // namespace

ast::File Builder::Build(SchemaParser::SchemaFileContext* ctx) {
  ast::File f;
  f.file_id = file_id_;
  for (auto* d : ctx->declaration()) {
    if (auto* ext = d->extensionDecl()) {
      ast::Extension e;
      e.loc = LocOf(ext);
      auto ids = ext->identifier();
      e.name = NameOf(ids[0]);
      if (ids.size() > 1) e.schema = NameOf(ids[1]);
      if (ext->stringLiteral() != nullptr) e.version = StringOf(ext->stringLiteral());
      f.decls.emplace_back(std::move(e));
    } else if (auto* sch = d->schemaDecl()) {
      ast::Schema s;
      s.loc = LocOf(sch);
      s.name = NameOf(sch->identifier());
      if (sch->renamedFrom() != nullptr) s.renamed_from = QualNameOf(sch->renamedFrom()->qualifiedName()).name;
      f.decls.emplace_back(std::move(s));
    } else if (auto* en = d->enumDecl()) {
      ast::Enum e;
      e.loc = LocOf(en);
      e.name = QualNameOf(en->qualifiedName());
      if (en->renamedFrom() != nullptr) e.renamed_from = QualNameOf(en->renamedFrom()->qualifiedName());
      for (auto* v : en->enumValue()) {
        if (v->identifier() != nullptr) {
          e.values.push_back({NameOf(v->identifier()).text, LocOf(v)});
        } else {
          e.values.push_back({StringOf(v->stringLiteral()).text, LocOf(v)});
        }
      }
      f.decls.emplace_back(std::move(e));
    } else if (auto* dm = d->domainDecl()) {
      ast::Domain dom;
      dom.loc = LocOf(dm);
      dom.name = QualNameOf(dm->qualifiedName());
      if (dm->renamedFrom() != nullptr) dom.renamed_from = QualNameOf(dm->renamedFrom()->qualifiedName());
      dom.base_type = TypeOf(dm->typeName());
      for (auto* o : dm->domainOption()) {
        if (o->COLLATE() != nullptr) {
          std::string name;
          for (auto* part : o->dottedName()->identifier()) {
            if (!name.empty()) name += '.';
            name += NameOf(part).text;
          }
          dom.collation = ast::Name{name, LocOf(o->dottedName())};
        } else if (o->DEFAULT() != nullptr) {
          dom.default_expr = SqlOf(o->expr());
        } else if (o->CHECK() != nullptr) {
          ast::CheckClause c;
          c.loc = LocOf(o);
          if (o->identifier() != nullptr) c.name = NameOf(o->identifier());
          c.expr = ParenSqlOf(o->parenSql());
          dom.checks.push_back(std::move(c));
        } else if (o->NOT() != nullptr) {
          dom.not_null = true;
        }
      }
      f.decls.emplace_back(std::move(dom));
    } else if (auto* ct = d->compositeTypeDecl()) {
      ast::CompositeType t;
      t.loc = LocOf(ct);
      t.name = QualNameOf(ct->qualifiedName());
      if (ct->renamedFrom() != nullptr) t.renamed_from = QualNameOf(ct->renamedFrom()->qualifiedName());
      for (auto* fld : ct->compositeField()) {
        ast::CompositeField cf;
        cf.loc = LocOf(fld);
        cf.name = NameOf(fld->identifier());
        cf.type = TypeOf(fld->typeName());
        if (fld->dottedName() != nullptr) {
          std::string name;
          for (auto* part : fld->dottedName()->identifier()) {
            if (!name.empty()) name += '.';
            name += NameOf(part).text;
          }
          cf.collation = ast::Name{name, LocOf(fld->dottedName())};
        }
        t.fields.push_back(std::move(cf));
      }
      f.decls.emplace_back(std::move(t));
    } else if (auto* sq = d->sequenceDecl()) {
      ast::Sequence s;
      s.loc = LocOf(sq);
      s.name = QualNameOf(sq->qualifiedName());
      s.options.loc = s.loc;
      if (sq->renamedFrom() != nullptr) s.renamed_from = QualNameOf(sq->renamedFrom()->qualifiedName());
      for (auto* o : sq->sequenceOption()) SequenceOptionOf(o, s.options, &s);
      f.decls.emplace_back(std::move(s));
    } else if (auto* co = d->collationDecl()) {
      ast::Collation c;
      c.loc = LocOf(co);
      c.name = QualNameOf(co->qualifiedName());
      for (auto* o : co->viewOption()) {
        std::string value = "true";
        if (o->children.size() > 2) {
          value = LowerText(o->children.back());
          if (o->stringLiteral() != nullptr) value = StringOf(o->stringLiteral()).text;
        }
        c.options.emplace_back(NameOf(o->identifier(0)), value);
      }
      f.decls.emplace_back(std::move(c));
    } else if (auto* tb = d->tableDecl()) {
      f.decls.emplace_back(BuildTable(tb));
    } else if (auto* ix = d->indexDecl()) {
      ast::Index idx = BuildIndex(ix);
      if (!idx.table.has_value()) {
        diags_.Error(base::DiagKind::SyntaxError, idx.loc,
                     "an index declared outside a table block needs 'on <table>'");
      }
      f.decls.emplace_back(std::move(idx));
    } else if (auto* vw = d->viewDecl()) {
      f.decls.emplace_back(BuildView(vw));
    } else if (auto* fn = d->functionDecl()) {
      f.decls.emplace_back(BuildFunction(fn));
    } else if (auto* tg = d->triggerDecl()) {
      f.decls.emplace_back(BuildTrigger(tg));
    } else if (auto* pl = d->policyDecl()) {
      f.decls.emplace_back(BuildPolicy(pl));
    } else if (auto* rls = d->rlsDecl()) {
      ast::RowLevelSecurity r;
      r.loc = LocOf(rls);
      r.table = QualNameOf(rls->qualifiedName());
      r.force = rls->FORCE() != nullptr;
      r.not_enabled = rls->ENABLED() != nullptr;
      f.decls.emplace_back(std::move(r));
    } else if (auto* gr = d->grantDecl()) {
      for (ast::Grant& g : BuildGrant(gr)) f.decls.emplace_back(std::move(g));
    } else if (auto* cm = d->commentDecl()) {
      f.decls.emplace_back(BuildComment(cm));
    }
  }
  return f;
}

ast::View Builder::BuildView(SchemaParser::ViewDeclContext* ctx) {
  ast::View v;
  v.loc = LocOf(ctx);
  v.materialized = ctx->MATERIALIZED() != nullptr;
  v.name = QualNameOf(ctx->qualifiedName());
  if (ctx->renamedFrom() != nullptr) v.renamed_from = QualNameOf(ctx->renamedFrom()->qualifiedName());
  v.column_names = NamesOf(ctx->identifierList());
  v.options = OptionsOf(ctx->viewOption());
  v.query = SqlOf(ctx->queryText());
  if (v.materialized) {
    const std::string data = StripTrailingWords(v.query, {{"with", "no", "data"}, {"with", "data"}});
    if (data == "with no data") {
      diags_.Error(base::DiagKind::InvalidOption, v.loc,
                   "'with no data' is not supported: a materialized view is created populated");
    }
  } else {
    const std::string opt = StripTrailingWords(
        v.query, {{"with", "local", "check", "option"}, {"with", "cascaded", "check", "option"},
                  {"with", "check", "option"}});
    if (!opt.empty()) v.check_option = opt.find("local") != std::string::npos ? "local" : "cascaded";
  }
  return v;
}

ast::Function Builder::BuildFunction(SchemaParser::FunctionDeclContext* ctx) {
  ast::Function fn;
  fn.loc = LocOf(ctx);
  fn.is_procedure = ctx->PROCEDURE() != nullptr;
  fn.name = QualNameOf(ctx->qualifiedName());
  for (auto* a : ctx->functionArg()) {
    ast::FunctionArg arg;
    arg.loc = LocOf(a);
    if (auto* m = a->argMode()) {
      const std::string mode = LowerText(m);
      arg.mode = mode == "out"      ? ast::ArgMode::Out
                 : mode == "inout"  ? ast::ArgMode::InOut
                 : mode == "variadic" ? ast::ArgMode::Variadic
                                      : ast::ArgMode::In;
    }
    if (a->identifier() != nullptr) arg.name = NameOf(a->identifier());
    arg.type = TypeOf(a->typeName());
    if (a->expr() != nullptr) arg.default_expr = SqlOf(a->expr());
    fn.args.push_back(std::move(arg));
  }
  if (auto* r = ctx->functionReturns()) {
    if (r->TABLE() != nullptr) {
      auto ids = r->identifier();
      auto types = r->typeName();
      for (size_t i = 0; i < ids.size() && i < types.size(); ++i) {
        ast::FunctionArg col;
        col.mode = ast::ArgMode::Out;
        col.name = NameOf(ids[i]);
        col.type = TypeOf(types[i]);
        col.loc = LocOf(ids[i]);
        fn.returns_table.push_back(std::move(col));
      }
    } else {
      fn.returns = TypeOf(r->typeName(0));
      fn.returns_setof = r->SETOF() != nullptr;
    }
  }
  bool has_body = false;
  for (auto* o : ctx->functionOption()) {
    if (auto* l = As<SchemaParser::LanguageOptionContext>(o)) {
      fn.language = NameOf(l->identifier()).text;
    } else if (As<SchemaParser::VolatilityOptionContext>(o) != nullptr) {
      fn.volatility = LowerText(o);
    } else if (As<SchemaParser::StrictOptionContext>(o) != nullptr ||
               As<SchemaParser::StrictOption2Context>(o) != nullptr) {
      fn.strict = true;
    } else if (As<SchemaParser::CalledOptionContext>(o) != nullptr) {
      fn.strict = false;
    } else if (auto* s = As<SchemaParser::SecurityOptionContext>(o)) {
      fn.security_definer = s->DEFINER() != nullptr;
    } else if (auto* p = As<SchemaParser::ParallelOptionContext>(o)) {
      const std::string level = NameOf(p->identifier()).text;
      if (level != "safe" && level != "restricted" && level != "unsafe") {
        diags_.Error(base::DiagKind::InvalidOption, LocOf(p->identifier()),
                     fmt::format("unknown parallel mode '{}'; expected safe, restricted or unsafe", level));
      }
      fn.parallel = level;
    } else if (auto* lp = As<SchemaParser::LeakproofOptionContext>(o)) {
      fn.leakproof = lp->NOT() == nullptr;
    } else if (auto* c = As<SchemaParser::CostOptionContext>(o)) {
      fn.cost = c->NUMBER()->getText();
    } else if (auto* r = As<SchemaParser::RowsOptionContext>(o)) {
      fn.rows = r->NUMBER()->getText();
    } else if (auto* so = As<SchemaParser::SetOptionContext>(o)) {
      std::string value;
      for (auto* v : so->setValue()) {
        if (!value.empty()) value += ", ";
        value += v->getText();
      }
      fn.set_options.emplace_back(NameOf(so->identifier()), value);
    } else if (auto* b = As<SchemaParser::BodyOptionContext>(o)) {
      has_body = true;
      if (b->stringLiteral() != nullptr) {
        fn.body = StringOf(b->stringLiteral());
      } else {
        // Strip the dollar tags; the location covers the body between them.
        antlr4::Token* tok = b->DOLLAR_STRING()->getSymbol();
        const std::string text = tok->getText();
        const size_t tag_len = text.find('$', 1) + 1;
        const base::Loc loc = LocOf(tok);
        fn.body.text = text.substr(tag_len, text.size() - 2 * tag_len);
        fn.body.loc = {loc.file, loc.begin + static_cast<uint32_t>(tag_len),
                       loc.end - static_cast<uint32_t>(tag_len)};
      }
    }
  }
  if (!has_body) {
    diags_.Error(base::DiagKind::SyntaxError, fn.loc,
                 fmt::format("{} '{}' has no body; expected 'as $$ ... $$'",
                             fn.is_procedure ? "procedure" : "function", fn.name.name.text));
  }
  if (fn.language.empty()) {
    diags_.Error(base::DiagKind::SyntaxError, fn.loc,
                 fmt::format("{} '{}' needs a language, e.g. 'language plpgsql'",
                             fn.is_procedure ? "procedure" : "function", fn.name.name.text));
  }
  if (!fn.is_procedure && !fn.returns.has_value() && fn.returns_table.empty()) {
    diags_.Error(base::DiagKind::SyntaxError, fn.loc,
                 fmt::format("function '{}' needs 'returns <type>'", fn.name.name.text));
  }
  return fn;
}

ast::Trigger Builder::BuildTrigger(SchemaParser::TriggerDeclContext* ctx) {
  ast::Trigger t;
  t.loc = LocOf(ctx);
  t.constraint_trigger = ctx->CONSTRAINT() != nullptr;
  t.name = NameOf(ctx->identifier());
  t.timing = ctx->BEFORE() != nullptr  ? ast::TriggerTiming::Before
             : ctx->AFTER() != nullptr ? ast::TriggerTiming::After
                                       : ast::TriggerTiming::InsteadOf;
  for (auto* e : ctx->triggerEvent()) {
    ast::TriggerEvent ev;
    ev.loc = LocOf(e);
    ev.event = LowerText(e->children[0]);
    ev.columns = NamesOf(e->identifierList());
    t.events.push_back(std::move(ev));
  }
  auto names = ctx->qualifiedName();
  t.table = QualNameOf(names[0]);
  t.function = QualNameOf(names[1]);
  t.deferral = DeferralOf(ctx->deferral());
  for (auto* tr : ctx->triggerTransition()) {
    if (tr->OLD() != nullptr) {
      t.referencing_old = NameOf(tr->identifier());
    } else {
      t.referencing_new = NameOf(tr->identifier());
    }
  }
  t.for_each_row = ctx->ROW() != nullptr;
  if (ctx->parenSql() != nullptr) t.when = ParenSqlOf(ctx->parenSql());
  for (auto* a : ctx->triggerArg()) t.args.push_back(SqlOf(a));
  return t;
}

ast::Policy Builder::BuildPolicy(SchemaParser::PolicyDeclContext* ctx) {
  ast::Policy p;
  p.loc = LocOf(ctx);
  auto ids = ctx->identifier();
  p.name = NameOf(ids[0]);
  p.table = QualNameOf(ctx->qualifiedName());
  if (ctx->renamedFrom() != nullptr) p.renamed_from = QualNameOf(ctx->renamedFrom()->qualifiedName()).name;
  if (ctx->AS() != nullptr && ids.size() > 1) {
    const ast::Name kind = NameOf(ids[1]);
    if (kind.text == "restrictive") {
      p.permissive = false;
    } else if (kind.text != "permissive") {
      diags_.Error(base::DiagKind::InvalidOption, kind.loc,
                   fmt::format("unexpected '{}'; expected 'permissive' or 'restrictive'", kind.text));
    }
  }
  if (ctx->FOR() != nullptr) {
    // The token after FOR is the command.
    for (size_t i = 0; i + 1 < ctx->children.size(); ++i) {
      if (ctx->children[i] == ctx->FOR()) p.command = LowerText(ctx->children[i + 1]);
    }
  }
  p.roles = NamesOf(ctx->identifierList());
  auto sqls = ctx->parenSql();
  size_t next = 0;
  if (ctx->USING() != nullptr && next < sqls.size()) p.using_expr = ParenSqlOf(sqls[next++]);
  if (ctx->CHECK() != nullptr && next < sqls.size()) p.with_check = ParenSqlOf(sqls[next++]);
  return p;
}

std::vector<ast::Grant> Builder::BuildGrant(SchemaParser::GrantDeclContext* ctx) {
  ast::Grant base;
  base.loc = LocOf(ctx);
  auto* obj = ctx->grantObject();
  base.object.loc = LocOf(obj);
  base.object.kind = obj->objectKind() != nullptr ? KindOf(obj->objectKind()) : ast::ObjectKind::Table;
  base.object.name = QualNameOf(obj->qualifiedName());
  if (auto* sig = obj->functionSignature()) {
    std::vector<ast::TypeRef> types;
    for (auto* t : sig->typeName()) types.push_back(TypeOf(t));
    base.object.signature = std::move(types);
  }
  base.grantees = NamesOf(ctx->identifierList());
  base.with_grant_option = ctx->OPTION() != nullptr;

  std::vector<ast::Grant> out;
  auto add = [&](std::string privilege, std::vector<ast::Name> columns) {
    // Privileges with the same column list share one grant, in the order written.
    for (ast::Grant& g : out) {
      bool same = g.columns.size() == columns.size();
      for (size_t i = 0; same && i < columns.size(); ++i) same = g.columns[i].text == columns[i].text;
      if (same) {
        g.privileges.push_back(std::move(privilege));
        return;
      }
    }
    ast::Grant g = base;
    g.privileges.push_back(std::move(privilege));
    g.columns = std::move(columns);
    out.push_back(std::move(g));
  };
  auto* pl = ctx->privilegeList();
  if (pl->ALL() != nullptr) {
    add("all", NamesOf(pl->identifierList()));
  } else {
    for (auto* p : pl->privilege()) {
      add(p->identifier() != nullptr ? NameOf(p->identifier()).text : LowerText(p->children[0]),
          NamesOf(p->identifierList()));
    }
  }
  return out;
}

ast::Comment Builder::BuildComment(SchemaParser::CommentDeclContext* ctx) {
  ast::Comment c;
  c.loc = LocOf(ctx);
  if (ctx->stringLiteral() != nullptr) c.text = StringOf(ctx->stringLiteral());
  auto* target = ctx->commentTarget();
  c.object.loc = LocOf(target);
  if (auto* col = As<SchemaParser::ColumnCommentTargetContext>(target)) {
    c.object.kind = ast::ObjectKind::Column;
    auto ids = col->dottedName()->identifier();
    if (ids.size() < 2) {
      diags_.Error(base::DiagKind::SyntaxError, LocOf(col->dottedName()),
                   "a column comment names 'table.column'");
      return c;
    }
    c.object.column = NameOf(ids.back());
    c.object.name.name = NameOf(ids[ids.size() - 2]);
    if (ids.size() >= 3) c.object.name.schema = NameOf(ids[ids.size() - 3]);
    c.object.name.loc = LocOf(col->dottedName());
  } else if (auto* on = As<SchemaParser::OnTableCommentTargetContext>(target)) {
    c.object.kind = on->CONSTRAINT() != nullptr ? ast::ObjectKind::Constraint
                    : on->TRIGGER() != nullptr  ? ast::ObjectKind::Trigger
                                                : ast::ObjectKind::Policy;
    ast::Name n = NameOf(on->identifier());
    c.object.name.name = n;
    c.object.name.loc = n.loc;
    c.object.on_table = QualNameOf(on->qualifiedName());
  } else if (auto* fn = As<SchemaParser::FunctionCommentTargetContext>(target)) {
    c.object.kind = fn->PROCEDURE() != nullptr ? ast::ObjectKind::Procedure : ast::ObjectKind::Function;
    c.object.name = QualNameOf(fn->qualifiedName());
    if (auto* sig = fn->functionSignature()) {
      std::vector<ast::TypeRef> types;
      for (auto* t : sig->typeName()) types.push_back(TypeOf(t));
      c.object.signature = std::move(types);
    }
  } else if (auto* s = As<SchemaParser::SimpleCommentTargetContext>(target)) {
    c.object.kind = KindOf(s->objectKind2());
    c.object.name = QualNameOf(s->qualifiedName());
  }
  return c;
}

}  // namespace schemac::parse
