// Parse tree -> AST. Internal to compiler/parse: the only place besides syntax_errors.cpp that sees
// ANTLR and generated parser types.
#pragma once

#include <string>
#include <typeinfo>
#include <string_view>

#include "SchemaParser.h"
#include "compiler/ast/ast.h"
#include "compiler/base/diag.h"

namespace schemac::parse {

namespace g = schemac::grammar;

// The context as its exact class, or nullptr. Labelled alternatives are leaf classes, so comparing
// type_info is enough, and much cheaper than a failing dynamic_cast on ANTLR's deep hierarchy.
template <class T, class From>
T* As(From* ctx) {
  return ctx != nullptr && typeid(*ctx) == typeid(T) ? static_cast<T*>(ctx) : nullptr;
}

class Builder {
 public:
  Builder(const base::SourceFile& file, uint32_t file_id, base::Diagnostics& diags)
      : file_(file), file_id_(file_id), diags_(diags) {}

  ast::File Build(g::SchemaParser::SchemaFileContext* ctx);

  // ---- helpers shared by the build_*.cpp files ----
  base::Loc LocOf(antlr4::ParserRuleContext* ctx) const;
  base::Loc LocOf(antlr4::Token* tok) const;
  base::Loc LocOf(antlr4::tree::TerminalNode* node) const { return LocOf(node->getSymbol()); }
  // Source text of a context, exactly as written.
  ast::SqlText SqlOf(antlr4::ParserRuleContext* ctx) const;
  // Source text between two tokens (exclusive), e.g. the inside of parentheses.
  ast::SqlText SqlBetween(antlr4::Token* open, antlr4::Token* close) const;
  ast::Name NameOf(g::SchemaParser::IdentifierContext* ctx) const;
  ast::QualName QualNameOf(g::SchemaParser::QualifiedNameContext* ctx) const;
  // A dotted name a.b.c as a QualName: the last part is `name`, the one before it `schema`.
  ast::QualName DottedOf(g::SchemaParser::DottedNameContext* ctx) const;
  std::vector<ast::Name> NamesOf(g::SchemaParser::IdentifierListContext* ctx) const;
  ast::SqlText StringOf(g::SchemaParser::StringLiteralContext* ctx) const;
  ast::TypeRef TypeOf(g::SchemaParser::TypeNameContext* ctx) const;
  ast::SqlText ParenSqlOf(g::SchemaParser::ParenSqlContext* ctx) const;
  std::string SignedNumberOf(g::SchemaParser::SignedNumberContext* ctx) const;
  ast::Deferral DeferralOf(g::SchemaParser::DeferralContext* ctx) const;
  ast::References ReferencesOf(g::SchemaParser::ReferencesClauseContext* ctx) const;
  ast::IndexElem IndexElemOf(g::SchemaParser::IndexElemContext* ctx) const;
  // `name [= value]` options (view options, storage parameters): the value as PostgreSQL stores
  // it in reloptions (lower-cased words and numbers, a string literal's text; "true" when absent).
  std::vector<std::pair<ast::Name, std::string>> OptionsOf(
      const std::vector<g::SchemaParser::ViewOptionContext*>& options) const;
  void SequenceOptionOf(g::SchemaParser::SequenceOptionContext* ctx, ast::SequenceOptions& opts,
                        ast::Sequence* seq) const;

  // ---- declarations ----
  ast::Table BuildTable(g::SchemaParser::TableDeclContext* ctx);
  ast::Index BuildIndex(g::SchemaParser::IndexDeclContext* ctx);
  ast::View BuildView(g::SchemaParser::ViewDeclContext* ctx);
  ast::Function BuildFunction(g::SchemaParser::FunctionDeclContext* ctx);
  ast::Trigger BuildTrigger(g::SchemaParser::TriggerDeclContext* ctx);
  ast::Policy BuildPolicy(g::SchemaParser::PolicyDeclContext* ctx);
  // One grant per distinct column list: `grant select, update (note) on t` grants SELECT on the
  // table and UPDATE on one column.
  std::vector<ast::Grant> BuildGrant(g::SchemaParser::GrantDeclContext* ctx);
  ast::Comment BuildComment(g::SchemaParser::CommentDeclContext* ctx);

  base::Diagnostics& diags() const { return diags_; }

 private:
  ast::Column BuildColumn(g::SchemaParser::ColumnDefContext* ctx);
  ast::TableConstraint BuildConstraint(g::SchemaParser::TableConstraintContext* ctx);

  const base::SourceFile& file_;
  uint32_t file_id_;
  base::Diagnostics& diags_;
};

// PostgreSQL's identifier folding: ASCII letters lower-cased.
std::string FoldIdent(std::string_view text);
// The value of a string literal token: 'it''s' -> it's; E'a\nb' -> a<newline>b.
std::string UnquoteString(std::string_view token_text);

}  // namespace schemac::parse
