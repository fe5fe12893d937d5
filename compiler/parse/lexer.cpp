#include "compiler/parse/lexer.h"

#include <string>
#include <unordered_map>

#include "SchemaLexer.h"

namespace schemac::parse {

using L = schemac::grammar::SchemaLexer;

namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentPart(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOpChar(char c) {
  switch (c) {
    case '+': case '-': case '*': case '/': case '<': case '>': case '=': case '~': case '!':
    case '@': case '#': case '%': case '^': case '&': case '|': case '`': case '?':
      return true;
    default:
      return false;
  }
}

// Keyword token types by lower-case spelling, taken from the ANTLR vocabulary so the two lexers
// can never disagree about which words are keywords.
const std::unordered_map<std::string, size_t>& Keywords() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string, size_t>();
    antlr4::ANTLRInputStream empty("");
    L reference(&empty);
    const antlr4::dfa::Vocabulary& vocab = reference.getVocabulary();
    for (size_t t = L::ACTION; t <= L::ZONE; ++t) {
      std::string name = vocab.getSymbolicName(t);
      if (name.size() > 2 && name.compare(name.size() - 2, 2, "_P") == 0) name.resize(name.size() - 2);
      for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      (*m)[name] = t;
    }
    return m;
  }();
  return *map;
}

}  // namespace

FastLexer::FastLexer(std::string_view text) : text_(text), end_(text.size()) { Keywords(); }

FastLexer::FastLexer(std::string_view text, Position from, size_t end_byte)
    : text_(text), end_(end_byte), pos_(from.byte), cp_(from.code_point), line_(from.line), column_(from.column) {
  Keywords();
}

void FastLexer::Advance() {
  const auto c = static_cast<unsigned char>(text_[pos_]);
  ++pos_;
  if ((c & 0xC0) == 0x80) return;  // continuation byte: same code point
  ++cp_;
  if (c == '\n') {
    ++line_;
    column_ = 0;
  } else {
    ++column_;
  }
}

void FastLexer::AdvanceCodePoint() {
  Advance();
  while (!AtEnd() && (static_cast<unsigned char>(text_[pos_]) & 0xC0) == 0x80) ++pos_;
}

std::unique_ptr<antlr4::Token> FastLexer::Make(size_t type, size_t start_pos, size_t start_cp, size_t line,
                                               size_t column) {
  auto tok = std::make_unique<antlr4::CommonToken>(type);
  tok->setText(std::string(text_.substr(start_pos, pos_ - start_pos)));
  tok->setStartIndex(start_cp);
  tok->setStopIndex(cp_ - 1);
  tok->setLine(line);
  tok->setCharPositionInLine(column);
  return tok;
}

std::unique_ptr<antlr4::Token> FastLexer::nextToken() {
  while (true) {
    // Whitespace and comments.
    while (!AtEnd()) {
      const char c = Peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
        Advance();
      } else if (c == '-' && Peek(1) == '-') {
        while (!AtEnd() && Peek() != '\n' && Peek() != '\r') AdvanceCodePoint();
      } else {
        break;
      }
    }
    const size_t start = pos_;
    const size_t start_cp = cp_;
    const size_t line = line_;
    const size_t column = column_;
    if (AtEnd()) {
      auto eof = std::make_unique<antlr4::CommonToken>(antlr4::Token::EOF);
      eof->setText("<EOF>");
      eof->setStartIndex(cp_);
      eof->setStopIndex(cp_ - 1);
      eof->setLine(line_);
      eof->setCharPositionInLine(column_);
      return eof;
    }
    const char c = Peek();
    // Block comments nest, as in PostgreSQL.
    if (c == '/' && Peek(1) == '*') {
      Advance();
      Advance();
      int depth = 1;
      while (depth > 0 && !AtEnd()) {
        if (Peek() == '/' && Peek(1) == '*') {
          Advance();
          Advance();
          ++depth;
        } else if (Peek() == '*' && Peek(1) == '/') {
          Advance();
          Advance();
          --depth;
        } else {
          AdvanceCodePoint();
        }
      }
      if (depth > 0) return Make(L::UNTERMINATED_COMMENT, start, start_cp, line, column);
      continue;
    }
    if (IsIdentStart(static_cast<unsigned char>(c))) {
      // E'...' escape strings.
      if ((c == 'e' || c == 'E') && Peek(1) == '\'') {
        Advance();
        Advance();
        while (!AtEnd()) {
          if (Peek() == '\\' && !AtEnd(1)) {
            Advance();
            AdvanceCodePoint();
          } else if (Peek() == '\'') {
            if (Peek(1) == '\'') {
              Advance();
              Advance();
            } else {
              Advance();
              return Make(L::ESCAPE_STRING, start, start_cp, line, column);
            }
          } else {
            AdvanceCodePoint();
          }
        }
        return Make(L::UNTERMINATED_STRING, start, start_cp, line, column);
      }
      while (!AtEnd() && IsIdentPart(static_cast<unsigned char>(Peek()))) AdvanceCodePoint();
      std::string word(text_.substr(start, pos_ - start));
      for (char& ch : word) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      }
      const auto& kw = Keywords();
      auto it = kw.find(word);
      return Make(it != kw.end() ? it->second : static_cast<size_t>(L::IDENT), start, start_cp, line, column);
    }
    if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) {
      while (IsDigit(Peek())) Advance();
      if (Peek() == '.' && c != '.') {
        Advance();
        while (IsDigit(Peek())) Advance();
      } else if (c == '.') {
        Advance();
        while (IsDigit(Peek())) Advance();
      }
      if ((Peek() == 'e' || Peek() == 'E') &&
          (IsDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && IsDigit(Peek(2))))) {
        Advance();
        if (Peek() == '+' || Peek() == '-') Advance();
        while (IsDigit(Peek())) Advance();
      }
      return Make(L::NUMBER, start, start_cp, line, column);
    }
    switch (c) {
      case '\'': {
        Advance();
        while (!AtEnd()) {
          if (Peek() == '\'') {
            if (Peek(1) == '\'') {
              Advance();
              Advance();
              continue;
            }
            Advance();
            return Make(L::STRING, start, start_cp, line, column);
          }
          AdvanceCodePoint();
        }
        return Make(L::UNTERMINATED_STRING, start, start_cp, line, column);
      }
      case '"': {
        Advance();
        size_t chars = 0;
        while (!AtEnd()) {
          if (Peek() == '"') {
            if (Peek(1) == '"') {
              Advance();
              Advance();
              ++chars;
              continue;
            }
            if (chars == 0) return Make(L::ERROR_CHAR, start, start_cp, line, column);  // "" is not a name
            Advance();
            return Make(L::QIDENT, start, start_cp, line, column);
          }
          AdvanceCodePoint();
          ++chars;
        }
        return Make(L::UNTERMINATED_QIDENT, start, start_cp, line, column);
      }
      case '$': {
        if (IsDigit(Peek(1))) {
          Advance();
          while (IsDigit(Peek())) Advance();
          return Make(L::PARAM, start, start_cp, line, column);
        }
        // $tag$ ... $tag$
        size_t end = pos_ + 1;
        if (end < end_ && IsIdentStart(static_cast<unsigned char>(text_[end]))) {
          ++end;
          while (end < end_ && IsIdentPart(static_cast<unsigned char>(text_[end])) && text_[end] != '$') ++end;
        }
        if (end >= end_ || text_[end] != '$') {
          Advance();
          return Make(L::ERROR_CHAR, start, start_cp, line, column);
        }
        const std::string_view tag = text_.substr(start, end - start + 1);
        while (pos_ <= end) Advance();
        const size_t close = text_.substr(0, end_).find(tag, pos_);
        if (close == std::string_view::npos) {
          while (!AtEnd()) AdvanceCodePoint();
          return Make(L::UNTERMINATED_DOLLAR_STRING, start, start_cp, line, column);
        }
        while (pos_ < close + tag.size()) Advance();
        return Make(L::DOLLAR_STRING, start, start_cp, line, column);
      }
      case '(': Advance(); return Make(L::LPAREN, start, start_cp, line, column);
      case ')': Advance(); return Make(L::RPAREN, start, start_cp, line, column);
      case '[': Advance(); return Make(L::LBRACK, start, start_cp, line, column);
      case ']': Advance(); return Make(L::RBRACK, start, start_cp, line, column);
      case '{': Advance(); return Make(L::LBRACE, start, start_cp, line, column);
      case '}': Advance(); return Make(L::RBRACE, start, start_cp, line, column);
      case ',': Advance(); return Make(L::COMMA, start, start_cp, line, column);
      case ';': Advance(); return Make(L::SEMI, start, start_cp, line, column);
      case '.': Advance(); return Make(L::DOT, start, start_cp, line, column);
      case ':':
        Advance();
        if (Peek() == ':') {
          Advance();
          return Make(L::DCOLON, start, start_cp, line, column);
        }
        return Make(L::COLON, start, start_cp, line, column);
      default:
        break;
    }
    if (IsOpChar(c)) {
      // An operator never contains `--` or `/*`: those start comments.
      while (!AtEnd() && IsOpChar(Peek()) && !(Peek() == '-' && Peek(1) == '-') &&
             !(Peek() == '/' && Peek(1) == '*')) {
        Advance();
      }
      const bool eq = pos_ - start == 1 && c == '=';
      return Make(eq ? L::EQ : L::OP, start, start_cp, line, column);
    }
    AdvanceCodePoint();
    return Make(L::ERROR_CHAR, start, start_cp, line, column);
  }
}

}  // namespace schemac::parse
