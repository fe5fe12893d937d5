// Tables, their columns, constraints and indexes.
#include <fmt/format.h>

#include "compiler/parse/builder.h"

namespace schemac::parse {

using g::SchemaParser;

ast::Table Builder::BuildTable(SchemaParser::TableDeclContext* ctx) {
  ast::Table t;
  t.loc = LocOf(ctx);
  t.name = QualNameOf(ctx->qualifiedName());
  t.unlogged = ctx->UNLOGGED() != nullptr;
  if (ctx->renamedFrom() != nullptr) t.renamed_from = QualNameOf(ctx->renamedFrom()->qualifiedName());
  if (auto* po = ctx->partitionOf()) {
    ast::PartitionOf p;
    p.loc = LocOf(po);
    p.parent = QualNameOf(po->qualifiedName());
    if (po->DEFAULT() != nullptr) {
      p.is_default = true;
    } else {
      p.bound = SqlOf(po->partitionBound());
    }
    t.partition_of = p;
  }
  if (auto* ih = ctx->inheritsClause()) {
    for (auto* parent : ih->qualifiedName()) t.inherits.push_back(QualNameOf(parent));
  }
  if (auto* pb = ctx->partitionBy()) {
    ast::PartitionBy p;
    p.loc = LocOf(pb);
    p.strategy = pb->RANGE() != nullptr  ? ast::PartitionStrategy::Range
                 : pb->LIST() != nullptr ? ast::PartitionStrategy::List
                                         : ast::PartitionStrategy::Hash;
    for (auto* e : pb->indexElem()) p.keys.push_back(IndexElemOf(e));
    t.partition_by = p;
  }
  if (ctx->storageParams() != nullptr) t.storage = OptionsOf(ctx->storageParams()->viewOption());
  if (ctx->tableBody() == nullptr) return t;
  for (auto* item : ctx->tableBody()->tableItem()) {
    if (item->columnDef() != nullptr) {
      t.columns.push_back(BuildColumn(item->columnDef()));
    } else if (item->tableConstraint() != nullptr) {
      t.constraints.push_back(BuildConstraint(item->tableConstraint()));
    } else if (item->indexDecl() != nullptr) {
      ast::Index idx = BuildIndex(item->indexDecl());
      if (idx.table.has_value()) {
        diags_.Error(base::DiagKind::InvalidOption, idx.table->loc,
                     "an index inside a table block belongs to that table; leave out 'on'");
      }
      t.indexes.push_back(std::move(idx));
    } else if (item->tableComment() != nullptr) {
      t.comment = StringOf(item->tableComment()->stringLiteral());
    } else if (auto* rls = item->tableRls()) {
      t.rls_loc = LocOf(rls);
      t.row_level_security = t.row_level_security || rls->ENABLED() == nullptr;
      t.force_row_level_security = t.force_row_level_security || rls->FORCE() != nullptr;
      t.rls_not_enabled = t.rls_not_enabled || rls->ENABLED() != nullptr;
    }
  }
  return t;
}

ast::Column Builder::BuildColumn(SchemaParser::ColumnDefContext* ctx) {
  ast::Column c;
  c.loc = LocOf(ctx);
  c.name = NameOf(ctx->identifier());
  if (ctx->typeName() != nullptr) c.type = TypeOf(ctx->typeName());
  for (auto* opt : ctx->columnOption()) {
    auto* body = opt;
    const base::Loc loc = LocOf(body);
    auto constraint_name = [&](SchemaParser::IdentifierContext* id) -> std::optional<ast::Name> {
      if (id == nullptr) return std::nullopt;
      return NameOf(id);
    };
    if (As<SchemaParser::NotNullOptionContext>(body) != nullptr) {
      if (c.not_null.has_value() && !*c.not_null) {
        diags_.Error(base::DiagKind::ConflictingColumnOptions, loc,
                     fmt::format("column '{}' is declared both null and not null", c.name.text));
      }
      c.not_null = true;
      c.not_null_loc = loc;
    } else if (As<SchemaParser::NullOptionContext>(body) != nullptr) {
      if (c.not_null.has_value() && *c.not_null) {
        diags_.Error(base::DiagKind::ConflictingColumnOptions, loc,
                     fmt::format("column '{}' is declared both not null and null", c.name.text));
      }
      c.not_null = false;
      c.not_null_loc = loc;
    } else if (auto* d = As<SchemaParser::DefaultOptionContext>(body)) {
      c.default_expr = SqlOf(d->expr());
    } else if (auto* id = As<SchemaParser::IdentityOptionContext>(body)) {
      ast::Identity ident;
      ident.loc = loc;
      ident.kind = id->ALWAYS() != nullptr ? ast::IdentityKind::Always : ast::IdentityKind::ByDefault;
      ident.options.loc = loc;
      for (auto* so : id->sequenceOption()) SequenceOptionOf(so, ident.options, nullptr);
      c.identity = ident;
    } else if (auto* gen = As<SchemaParser::GeneratedOptionContext>(body)) {
      c.generated = ParenSqlOf(gen->parenSql());
    } else if (auto* pk = As<SchemaParser::PrimaryKeyOptionContext>(body)) {
      c.primary_key = true;
      c.primary_key_loc = loc;
      c.primary_key_name = constraint_name(pk->identifier());
    } else if (auto* uq = As<SchemaParser::UniqueOptionContext>(body)) {
      c.unique = true;
      c.unique_loc = loc;
      c.unique_name = constraint_name(uq->identifier());
    } else if (auto* ref = As<SchemaParser::ReferencesOptionContext>(body)) {
      c.references.emplace_back(constraint_name(ref->identifier()), ReferencesOf(ref->referencesClause()));
    } else if (auto* ck = As<SchemaParser::CheckOptionContext>(body)) {
      ast::CheckClause check;
      check.loc = loc;
      check.name = constraint_name(ck->identifier());
      check.expr = ParenSqlOf(ck->parenSql());
      for (auto* attribute : ck->checkAttribute()) {
        if (attribute->INHERIT() != nullptr) check.no_inherit = true;
        if (attribute->VALID() != nullptr) check.not_valid = true;
      }
      c.checks.push_back(std::move(check));
    } else if (auto* col = As<SchemaParser::CollateOptionContext>(body)) {
      std::string name;
      for (auto* part : col->dottedName()->identifier()) {
        if (!name.empty()) name += '.';
        name += NameOf(part).text;
      }
      c.collation = ast::Name{name, LocOf(col->dottedName())};
    } else if (auto* cm = As<SchemaParser::CommentOptionContext>(body)) {
      c.comment = StringOf(cm->stringLiteral());
    } else if (auto* rn = As<SchemaParser::RenamedOptionContext>(body)) {
      c.renamed_from = NameOf(rn->identifier());
    }
  }
  return c;
}

ast::TableConstraint Builder::BuildConstraint(SchemaParser::TableConstraintContext* ctx) {
  ast::TableConstraint tc;
  tc.loc = LocOf(ctx);
  if (ctx->identifier() != nullptr) tc.name = NameOf(ctx->identifier());
  if (ctx->renamedFrom() != nullptr) {
    tc.renamed_from = QualNameOf(ctx->renamedFrom()->qualifiedName()).name;
  }
  auto* body = ctx->constraintBody();
  // `check name (...)`: a name after the keyword, as an alternative to `constraint name check (...)`.
  auto inner_name = [&](SchemaParser::IdentifierContext* id) {
    if (id == nullptr) return;
    if (tc.name.has_value()) {
      diags_.Error(base::DiagKind::InvalidOption, LocOf(id), "constraint is named twice");
      return;
    }
    tc.name = NameOf(id);
  };
  if (auto* pk = As<SchemaParser::PkConstraintContext>(body)) {
    tc.kind = ast::ConstraintKind::PrimaryKey;
    inner_name(pk->identifier());
    tc.columns = NamesOf(pk->identifierList());
    if (pk->includeClause() != nullptr) tc.include = NamesOf(pk->includeClause()->identifierList());
    tc.deferral = DeferralOf(pk->deferral());
  } else if (auto* uq = As<SchemaParser::UniqueConstraintContext>(body)) {
    tc.kind = ast::ConstraintKind::Unique;
    inner_name(uq->identifier());
    tc.columns = NamesOf(uq->identifierList());
    tc.nulls_not_distinct = uq->NULLS() != nullptr && uq->NOT() != nullptr;
    if (uq->includeClause() != nullptr) tc.include = NamesOf(uq->includeClause()->identifierList());
    tc.deferral = DeferralOf(uq->deferral());
  } else if (auto* fk = As<SchemaParser::FkConstraintContext>(body)) {
    tc.kind = ast::ConstraintKind::ForeignKey;
    inner_name(fk->identifier());
    tc.columns = NamesOf(fk->identifierList());
    tc.references = ReferencesOf(fk->referencesClause());
    tc.deferral = tc.references->deferral;
  } else if (auto* ck = As<SchemaParser::CheckConstraintContext>(body)) {
    tc.kind = ast::ConstraintKind::Check;
    inner_name(ck->identifier());
    tc.check = ParenSqlOf(ck->parenSql());
    for (auto* attribute : ck->checkAttribute()) {
      if (attribute->INHERIT() != nullptr) tc.no_inherit = true;
      if (attribute->VALID() != nullptr) tc.not_valid = true;
    }
  } else if (auto* ex = As<SchemaParser::ExcludeConstraintContext>(body)) {
    tc.kind = ast::ConstraintKind::Exclude;
    auto ids = ex->identifier();
    // identifier(0) may be the constraint name (`exclude name using ...`) or the method.
    if (ex->USING() != nullptr) {
      if (ids.size() == 2) {
        inner_name(ids[0]);
        tc.using_method = NameOf(ids[1]).text;
      } else {
        tc.using_method = NameOf(ids[0]).text;
      }
    } else if (!ids.empty()) {
      inner_name(ids[0]);
    }
    if (tc.using_method.empty()) tc.using_method = "gist";
    for (auto* el : ex->excludeElem()) {
      ast::IndexElem e = IndexElemOf(el->indexElem());
      e.exclude_operator = el->children.back()->getText();
      tc.elements.push_back(std::move(e));
    }
    if (ex->includeClause() != nullptr) tc.include = NamesOf(ex->includeClause()->identifierList());
    if (ex->parenSql() != nullptr) tc.where = ParenSqlOf(ex->parenSql());
    tc.deferral = DeferralOf(ex->deferral());
  }
  return tc;
}

ast::Index Builder::BuildIndex(SchemaParser::IndexDeclContext* ctx) {
  ast::Index idx;
  idx.loc = LocOf(ctx);
  idx.unique = ctx->UNIQUE() != nullptr;
  auto ids = ctx->identifier();
  // identifier children: [name] and/or [method]; the method follows USING.
  size_t next = 0;
  if (!ids.empty() && (ctx->USING() == nullptr || ids.size() == 2)) {
    idx.name = NameOf(ids[0]);
    next = 1;
  }
  if (ctx->USING() != nullptr && next < ids.size()) idx.method = NameOf(ids[next]).text;
  if (ctx->qualifiedName() != nullptr) idx.table = QualNameOf(ctx->qualifiedName());
  if (ctx->renamedFrom() != nullptr) idx.renamed_from = QualNameOf(ctx->renamedFrom()->qualifiedName()).name;
  for (auto* e : ctx->indexElem()) idx.elements.push_back(IndexElemOf(e));
  if (ctx->includeClause() != nullptr) idx.include = NamesOf(ctx->includeClause()->identifierList());
  idx.nulls_not_distinct = ctx->NULLS() != nullptr && ctx->NOT() != nullptr;
  if (ctx->storageParams() != nullptr) idx.storage = OptionsOf(ctx->storageParams()->viewOption());
  if (ctx->expr() != nullptr) idx.where = SqlOf(ctx->expr());
  return idx;
}

}  // namespace schemac::parse
