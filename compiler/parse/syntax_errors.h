// Syntax errors in plain words: "unexpected '}' in column 'email' of table 'customers'; expected a type".
// Panic-mode recovery: after an error the parser skips to the next declaration (a declaration keyword
// in column 1), so each declaration yields at most one syntax error and none cascades into the next.
#pragma once

#include <memory>

#include "SchemaParser.h"
#include "antlr4-runtime.h"
#include "compiler/base/diag.h"
#include "compiler/parse/builder.h"

namespace schemac::parse {

// Whether a token type is a keyword that starts a declaration when it stands in column 1.
bool IsDeclKeyword(size_t token_type);

// Lexical errors (unterminated strings and comments, invalid characters) are reported from the token
// stream before parsing, so none is lost to error recovery. Returns how many there were.
bool IsLexicalError(size_t token_type);
size_t ReportLexicalErrors(antlr4::CommonTokenStream& tokens, const Builder& locs, base::Diagnostics& diags);

class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  SyntaxErrorStrategy(const Builder& locs, base::Diagnostics& diags) : locs_(locs), diags_(diags) {}

  void reportError(antlr4::Parser* recognizer, const antlr4::RecognitionException& e) override;
  void recover(antlr4::Parser* recognizer, std::exception_ptr e) override;
  antlr4::Token* recoverInline(antlr4::Parser* recognizer) override;
  // Loops do not resynchronise on their own; errors surface where a rule fails and recovery skips to
  // the next declaration.
  void sync(antlr4::Parser* /*recognizer*/) override {}
  size_t errors() const { return errors_; }

 protected:
  void reportUnwantedToken(antlr4::Parser* recognizer) override;
  void reportMissingToken(antlr4::Parser* recognizer) override;

 private:
  void Report(antlr4::Parser* recognizer, antlr4::Token* offending,
              const antlr4::misc::IntervalSet& expected, antlr4::ParserRuleContext* ctx);
  // Index of the first token at or after `from` that starts a declaration (or EOF).
  size_t NextDeclStart(antlr4::Parser* recognizer, size_t from) const;

  const Builder& locs_;
  base::Diagnostics& diags_;
  size_t errors_ = 0;
  size_t suppress_until_ = 0;  // token index: errors before it belong to an already reported declaration
};

}  // namespace schemac::parse
