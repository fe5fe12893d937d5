#include "compiler/parse/syntax_errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace schemac::parse {

using g::SchemaParser;

bool IsDeclKeyword(size_t type) {
  switch (type) {
    case SchemaParser::EXTENSION: case SchemaParser::SCHEMA: case SchemaParser::ENUM:
    case SchemaParser::DOMAIN_P: case SchemaParser::TYPE: case SchemaParser::SEQUENCE:
    case SchemaParser::TABLE: case SchemaParser::UNLOGGED: case SchemaParser::VIEW:
    case SchemaParser::MATERIALIZED: case SchemaParser::FUNCTION: case SchemaParser::PROCEDURE:
    case SchemaParser::TRIGGER: case SchemaParser::CONSTRAINT: case SchemaParser::POLICY:
    case SchemaParser::ROW: case SchemaParser::FORCE: case SchemaParser::GRANT:
    case SchemaParser::COMMENT: case SchemaParser::INDEX: case SchemaParser::UNIQUE:
    case SchemaParser::COLLATION:
      return true;
    default:
      return false;
  }
}

namespace {

bool IsKeyword(size_t type) { return type >= SchemaParser::ACTION && type <= SchemaParser::ZONE; }

// How a token type reads in a message.
std::string Describe(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case SchemaParser::IDENT:
    case SchemaParser::QIDENT: return "a name";
    case SchemaParser::NUMBER: return "a number";
    case SchemaParser::STRING:
    case SchemaParser::ESCAPE_STRING: return "a string";
    case SchemaParser::DOLLAR_STRING: return "a $$-quoted body";
    case SchemaParser::OP: return "an operator";
    case SchemaParser::EQ: return "'='";
    case SchemaParser::PARAM: return "a parameter";
    default: break;
  }
  std::string literal = vocab.getLiteralName(type);
  if (!literal.empty()) return literal;  // already quoted: '('
  std::string sym = vocab.getSymbolicName(type);
  if (sym.size() > 2 && sym.compare(sym.size() - 2, 2, "_P") == 0) sym.resize(sym.size() - 2);
  std::transform(sym.begin(), sym.end(), sym.begin(), [](unsigned char c) { return std::tolower(c); });
  return "'" + sym + "'";
}

// The offending token as the user sees it.
std::string Quote(antlr4::Token* t) {
  if (t->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = t->getText();
  if (text.size() > 24) text = text.substr(0, 21) + "...";
  return "'" + text + "'";
}

// A phrase for what the parser expected. A set that contains names stands for "a name" and leaves out
// the keywords that are only there because they may be used as names.
std::string DescribeExpected(const antlr4::dfa::Vocabulary& vocab, const antlr4::misc::IntervalSet& set,
                             antlr4::ParserRuleContext* ctx) {
  std::vector<size_t> types;
  for (ssize_t t : set.toList()) types.push_back(static_cast<size_t>(t));
  const bool has_name = set.contains(static_cast<size_t>(SchemaParser::IDENT));
  const bool is_decl = set.contains(static_cast<size_t>(SchemaParser::EXTENSION)) && set.contains(static_cast<size_t>(SchemaParser::TABLE)) &&
                       set.contains(static_cast<size_t>(SchemaParser::VIEW));
  if (is_decl) {
    return "a declaration such as 'table', 'view', 'enum', 'function' or 'index'";
  }
  // Expression starts: keep the message short.
  if (set.contains(static_cast<size_t>(SchemaParser::NUMBER)) && set.contains(static_cast<size_t>(SchemaParser::STRING)) && has_name &&
      set.contains(static_cast<size_t>(SchemaParser::LPAREN))) {
    return "an expression";
  }
  if (ctx != nullptr && ctx->getRuleIndex() == SchemaParser::RuleTypeName && has_name) return "a type";
  if (has_name && set.contains(static_cast<size_t>(SchemaParser::PRIMARY)) &&
      set.contains(static_cast<size_t>(SchemaParser::FOREIGN))) {
    return set.contains(static_cast<size_t>(SchemaParser::RBRACE))
               ? "a column, a constraint, an index or '}'"
               : "a column, a constraint or an index";
  }
  std::vector<std::string> words;
  std::set<std::string> seen;
  auto add = [&](const std::string& w) {
    if (seen.insert(w).second) words.push_back(w);
  };
  if (has_name) add("a name");
  for (size_t t : types) {
    if (t == SchemaParser::IDENT || t == SchemaParser::QIDENT) continue;
    add(Describe(vocab, t));
  }
  // With a name expected, keywords that are also valid names add noise: keep reserved ones only.
  if (has_name) {
    std::vector<std::string> kept;
    for (const std::string& w : words) {
      bool drop = false;
      for (size_t t : types) {
        if (IsKeyword(t) && Describe(vocab, t) == w) {
          // Reserved keywords are not names, so they are real alternatives worth listing.
          static const std::set<size_t> kReserved = {
              SchemaParser::ALL, SchemaParser::AND, SchemaParser::ARRAY, SchemaParser::AS,
              SchemaParser::ASC, SchemaParser::CHECK, SchemaParser::COLLATE, SchemaParser::CONSTRAINT,
              SchemaParser::DEFAULT, SchemaParser::DESC, SchemaParser::FOREIGN, SchemaParser::FROM,
              SchemaParser::NOT, SchemaParser::NULL_P, SchemaParser::ON, SchemaParser::PRIMARY,
              SchemaParser::REFERENCES, SchemaParser::TABLE, SchemaParser::TO, SchemaParser::UNIQUE,
              SchemaParser::USING, SchemaParser::WHERE, SchemaParser::WITH, SchemaParser::IN_P};
          drop = kReserved.count(t) == 0;
        }
      }
      if (!drop) kept.push_back(w);
    }
    words = kept;
  }
  if (words.empty()) return "something else";
  if (words.size() > 6) {
    words.resize(6);
    words.push_back("...");
  }
  if (words.size() == 1) return words[0];
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += (i + 1 == words.size()) ? " or " : ", ";
    out += words[i];
  }
  return out;
}

// "column 'email' of table 'customers'", "table 'orders'", "view 'v'", or "" at top level.
std::string DescribeContext(antlr4::ParserRuleContext* ctx) {
  std::string column;
  for (auto* c = ctx; c != nullptr; c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
    auto named = [&](const char* what, antlr4::ParserRuleContext* name) -> std::string {
      if (name == nullptr || name->getStart() == nullptr || name->getStop() == nullptr ||
          name->exception != nullptr) {
        return fmt::format("{} declaration", what);
      }
      return fmt::format("{} '{}'", what, name->getText());
    };
    switch (c->getRuleIndex()) {
      case SchemaParser::RuleColumnDef: {
        auto* cd = static_cast<SchemaParser::ColumnDefContext*>(c);
        if (column.empty() && cd->identifier() != nullptr) column = "column '" + cd->identifier()->getText() + "'";
        break;
      }
      case SchemaParser::RuleTableDecl: {
        auto* t = static_cast<SchemaParser::TableDeclContext*>(c);
        std::string table = named("table", t->qualifiedName());
        return column.empty() ? table : column + " of " + table;
      }
      case SchemaParser::RuleIndexDecl: return "index declaration";
      case SchemaParser::RuleTableConstraint: return "constraint declaration";
      case SchemaParser::RuleEnumDecl: return named("enum", static_cast<SchemaParser::EnumDeclContext*>(c)->qualifiedName());
      case SchemaParser::RuleDomainDecl: return named("domain", static_cast<SchemaParser::DomainDeclContext*>(c)->qualifiedName());
      case SchemaParser::RuleCompositeTypeDecl: return named("type", static_cast<SchemaParser::CompositeTypeDeclContext*>(c)->qualifiedName());
      case SchemaParser::RuleSequenceDecl: return named("sequence", static_cast<SchemaParser::SequenceDeclContext*>(c)->qualifiedName());
      case SchemaParser::RuleViewDecl: return named("view", static_cast<SchemaParser::ViewDeclContext*>(c)->qualifiedName());
      case SchemaParser::RuleFunctionDecl: return named("function", static_cast<SchemaParser::FunctionDeclContext*>(c)->qualifiedName());
      case SchemaParser::RuleTriggerDecl: return named("trigger", static_cast<SchemaParser::TriggerDeclContext*>(c)->identifier());
      case SchemaParser::RulePolicyDecl: return named("policy", static_cast<SchemaParser::PolicyDeclContext*>(c)->identifier(0));
      case SchemaParser::RuleGrantDecl: return "grant";
      case SchemaParser::RuleCommentDecl: return "comment";
      case SchemaParser::RuleExtensionDecl: return "extension declaration";
      case SchemaParser::RuleSchemaDecl: return "schema declaration";
      case SchemaParser::RuleRlsDecl: return "row level security declaration";
      default: break;
    }
  }
  return column;
}

}  // namespace

size_t SyntaxErrorStrategy::NextDeclStart(antlr4::Parser* recognizer, size_t from) const {
  auto* stream = dynamic_cast<antlr4::BufferedTokenStream*>(recognizer->getTokenStream());
  const size_t n = stream->size();
  for (size_t i = from + 1; i < n; ++i) {
    antlr4::Token* t = stream->get(i);
    if (t->getType() == antlr4::Token::EOF) return i;
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    if (t->getCharPositionInLine() == 0 && IsDeclKeyword(t->getType())) return i;
  }
  return n;
}

void SyntaxErrorStrategy::Report(antlr4::Parser* recognizer, antlr4::Token* offending,
                                 const antlr4::misc::IntervalSet& expected,
                                 antlr4::ParserRuleContext* ctx) {
  if (offending->getTokenIndex() <= suppress_until_ && errors_ > 0) return;
  ++errors_;
  suppress_until_ = NextDeclStart(recognizer, offending->getTokenIndex());
  if (IsLexicalError(offending->getType())) return;  // already reported by ReportLexicalErrors

  base::Loc loc = locs_.LocOf(offending);
  if (offending->getType() == antlr4::Token::EOF) {
    // Point just after the last real token, not at a blank line after the end.
    auto* stream = recognizer->getTokenStream();
    const size_t idx = offending->getTokenIndex();
    if (idx > 0) {
      const base::Loc prev = locs_.LocOf(stream->get(idx - 1));
      loc = {prev.file, prev.end, prev.end};
    }
  }
  const std::string where = DescribeContext(ctx);
  // The expected set can be computed where a decision started rather than where it failed; never
  // claim to expect the very token that was found.
  antlr4::misc::IntervalSet want_set = expected;
  if (offending->getType() != antlr4::Token::EOF && offending->getType() != SchemaParser::IDENT &&
      offending->getType() != SchemaParser::QIDENT) {
    want_set.remove(offending->getType());
  }
  std::string want = want_set.isEmpty() ? "" : DescribeExpected(recognizer->getVocabulary(), want_set, ctx);
  if (ctx != nullptr && (ctx->getRuleIndex() == SchemaParser::RuleViewDecl ||
                         ctx->getRuleIndex() == SchemaParser::RuleQueryText)) {
    want = "a query after 'as'";
  } else if (ctx == nullptr || ctx->getRuleIndex() == SchemaParser::RuleSchemaFile ||
      ctx->getRuleIndex() == SchemaParser::RuleDeclaration) {
    want = "a declaration such as 'table', 'view', 'enum', 'function' or 'index'";
  }
  std::string message = fmt::format("unexpected {}", Quote(offending));
  if (!where.empty()) message += " in " + where;
  if (!want.empty()) {
    message += "; expected " + want;
  }
  diags_.Error(base::DiagKind::SyntaxError, loc, std::move(message));
}

bool IsLexicalError(size_t type) {
  return type == SchemaParser::UNTERMINATED_STRING || type == SchemaParser::UNTERMINATED_QIDENT ||
         type == SchemaParser::UNTERMINATED_DOLLAR_STRING || type == SchemaParser::UNTERMINATED_COMMENT ||
         type == SchemaParser::ERROR_CHAR;
}

size_t ReportLexicalErrors(antlr4::CommonTokenStream& tokens, const Builder& locs,
                           base::Diagnostics& diags) {
  size_t count = 0;
  for (antlr4::Token* tok : tokens.getTokens()) {
    if (!IsLexicalError(tok->getType())) continue;
    ++count;
    base::Loc loc = locs.LocOf(tok);
    switch (tok->getType()) {
      case SchemaParser::UNTERMINATED_STRING:
        loc.end = loc.begin + 1;
        diags.Error(base::DiagKind::UnterminatedString, loc, "unterminated string literal");
        break;
      case SchemaParser::UNTERMINATED_QIDENT:
        loc.end = loc.begin + 1;
        diags.Error(base::DiagKind::UnterminatedString, loc, "unterminated quoted identifier");
        break;
      case SchemaParser::UNTERMINATED_DOLLAR_STRING:
        loc.end = loc.begin + static_cast<uint32_t>(tok->getText().find('$', 1) + 1);
        diags.Error(base::DiagKind::UnterminatedString, loc,
                    "unterminated dollar-quoted string: no closing tag");
        break;
      case SchemaParser::UNTERMINATED_COMMENT:
        loc.end = loc.begin + 2;
        diags.Error(base::DiagKind::UnterminatedComment, loc, "unterminated /* comment");
        break;
      default:
        diags.Error(base::DiagKind::InvalidCharacter, loc, fmt::format("invalid character {}", Quote(tok)));
        break;
    }
  }
  return count;
}

void SyntaxErrorStrategy::reportError(antlr4::Parser* recognizer, const antlr4::RecognitionException& e) {
  if (inErrorRecoveryMode(recognizer)) return;
  beginErrorCondition(recognizer);
  auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(e.getCtx());
  Report(recognizer, e.getOffendingToken(), e.getExpectedTokens(), ctx);
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser* recognizer) {
  if (inErrorRecoveryMode(recognizer)) return;
  beginErrorCondition(recognizer);
  Report(recognizer, recognizer->getCurrentToken(), getExpectedTokens(recognizer), recognizer->getContext());
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser* recognizer) {
  if (inErrorRecoveryMode(recognizer)) return;
  beginErrorCondition(recognizer);
  Report(recognizer, recognizer->getCurrentToken(), getExpectedTokens(recognizer), recognizer->getContext());
}

antlr4::Token* SyntaxErrorStrategy::recoverInline(antlr4::Parser* recognizer) {
  // No single-token insertion or deletion: they guess, and a wrong guess produces follow-on errors.
  // The rule's handler reports the mismatch and recovers at the next declaration.
  throw antlr4::InputMismatchException(recognizer);
}

void SyntaxErrorStrategy::recover(antlr4::Parser* recognizer, std::exception_ptr /*e*/) {
  // Skip to the next declaration: an error inside a declaration makes the rest of it unreliable, and
  // the next declaration is where parsing can resume without cascading errors.
  antlr4::TokenStream* in = recognizer->getTokenStream();
  const size_t stop = NextDeclStart(recognizer, in->index());
  if (in->LA(1) != antlr4::Token::EOF && in->index() == stop) {
    recognizer->consume();
    return;
  }
  while (in->index() < stop && in->LA(1) != antlr4::Token::EOF) recognizer->consume();
  // Unwind to the enclosing declaration, if the error happened inside one.
  antlr4::ParserRuleContext* ctx = recognizer->getContext();
  for (auto* c = ctx == nullptr ? nullptr : dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent); c != nullptr;
       c = dynamic_cast<antlr4::ParserRuleContext*>(c->parent)) {
    if (c->getRuleIndex() == SchemaParser::RuleDeclaration) throw ResyncToDeclaration{};
  }
}

}  // namespace schemac::parse
