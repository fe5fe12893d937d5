// The production lexer: a hand-written scanner that produces exactly the tokens the ANTLR lexer
// grammar (grammar/SchemaLexer.g4) defines, about an order of magnitude faster than the generated
// ANTLR C++ lexer. The grammar stays the specification: tests/unit/lexer_test.cpp checks that both
// lexers produce the same token stream (types, texts, positions) on every schema in the repository.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "antlr4-runtime.h"

namespace schemac::parse {

class FastLexer : public antlr4::TokenSource {
 public:
  // `text` must outlive the lexer. Token start/stop indices and columns count code points, as the
  // ANTLR runtime does.
  explicit FastLexer(std::string_view text);

  // Where the lexer stands: enough to start another lexer at the same place.
  struct Position {
    size_t byte = 0;
    size_t code_point = 0;
    size_t line = 1;
    size_t column = 0;
  };
  // Lexes text[from.byte, end_byte) only, as if the text before `from` had been lexed already.
  // `end_byte` must fall between two tokens.
  FastLexer(std::string_view text, Position from, size_t end_byte);
  Position position() const { return {pos_, cp_, line_, column_}; }

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() override { return column_; }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "schema"; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override { return nullptr; }

 private:
  // Advances over one byte, keeping line, column and code point index.
  void Advance();
  char Peek(size_t ahead = 0) const { return pos_ + ahead < end_ ? text_[pos_ + ahead] : '\0'; }
  bool AtEnd(size_t ahead = 0) const { return pos_ + ahead >= end_; }
  // Consumes a whole UTF-8 sequence.
  void AdvanceCodePoint();
  std::unique_ptr<antlr4::Token> Make(size_t type, size_t start_pos, size_t start_cp, size_t line, size_t column);

  std::string_view text_;
  size_t end_ = 0;       // byte offset where lexing stops
  size_t pos_ = 0;       // byte offset
  size_t cp_ = 0;        // code point index
  size_t line_ = 1;
  size_t column_ = 0;    // code points since the line start
};

}  // namespace schemac::parse
