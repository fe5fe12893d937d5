// The hand-written lexer (compiler/parse/lexer.h) must produce exactly the tokens of the ANTLR lexer
// grammar (grammar/SchemaLexer.g4), which stays the specification.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "SchemaLexer.h"
#include "antlr4-runtime.h"
#include "compiler/parse/lexer.h"

namespace {

struct Tok {
  size_t type, start, stop, line, column;
  std::string text;
  bool operator==(const Tok&) const = default;
};

std::string Show(const Tok& t) {
  return std::to_string(t.line) + ":" + std::to_string(t.column) + " type=" + std::to_string(t.type) +
         " [" + std::to_string(t.start) + "," + std::to_string(t.stop) + "] '" + t.text + "'";
}

std::vector<Tok> Drain(antlr4::TokenSource& src) {
  std::vector<Tok> out;
  while (true) {
    auto t = src.nextToken();
    out.push_back({t->getType(), t->getStartIndex(), t->getStopIndex(), t->getLine(),
                   t->getCharPositionInLine(), t->getType() == antlr4::Token::EOF ? "" : t->getText()});
    if (t->getType() == antlr4::Token::EOF) break;
  }
  return out;
}

void ExpectSameTokens(const std::string& text, const std::string& what) {
  antlr4::ANTLRInputStream input(text);
  schemac::grammar::SchemaLexer reference(&input);
  reference.removeErrorListeners();
  schemac::parse::FastLexer fast(text);
  const std::vector<Tok> want = Drain(reference);
  const std::vector<Tok> got = Drain(fast);
  INFO(what);
  for (size_t i = 0; i < std::min(want.size(), got.size()); ++i) {
    if (!(want[i] == got[i])) {
      FAIL("token " << i << ": grammar " << Show(want[i]) << " vs fast " << Show(got[i]));
    }
  }
  REQUIRE(want.size() == got.size());
}

}  // namespace

TEST_CASE("fast lexer matches the grammar on hand-picked inputs", "[lexer]") {
  const char* inputs[] = {
      "table t { id bigint primary key default 1.5e3 check (x >= .5) }",
      "-- comment\n/* block /* nested */ still */ enum e { a, 'b c' }",
      "/** doc comment */ view v as select 1",
      "a<--comment\nb",
      "function f() returns int language sql as $$ select $1 $$",
      "function f() returns int language sql as $body$ select '$$' $body$",
      "x E'it\\'s' 'it''s' \"Quoted \"\"name\"\"\" :: : . ; , [ ] { }",
      "d = 'x' <> 'y' != 1 ->> '{a}' || 'b' @> @@ ~* #- %",
      "numbers 1 1. .5 1.5 1e5 1e 1e+ 2E-3 3.e2",
      "naïve café \"日本\" 'ü' x",
      "keywords TABLE Table tAbLe null NULL true FALSE in out domain",
      "unterminated 'string",
      "bad chars \\ $ $x",
      "/* never closed",
      "$$ never closed",
      "\"never closed",
      "\"\"",
      "",
  };
  for (const char* in : inputs) ExpectSameTokens(in, in);
}

TEST_CASE("fast lexer matches the grammar on every schema and test case in the repository", "[lexer]") {
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const char* dir : {"schemas", "tests/cases"}) {
    const fs::path root = fs::path(SCHEMAC_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".schema") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      ExpectSameTokens(ss.str(), entry.path().string());
      ++files;
    }
  }
  CHECK(files > 0);
}
