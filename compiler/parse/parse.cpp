#include "compiler/parse/parse.h"

#include <fmt/format.h>

#include <optional>
#include <set>
#include <thread>

#include "SchemaParser.h"
#include "antlr4-runtime.h"
#include "compiler/parse/builder.h"
#include "compiler/parse/lexer.h"
#include "compiler/parse/syntax_errors.h"

namespace schemac::parse {

namespace {

// Files at least this large are parsed in parallel, one declaration-aligned chunk per core.
constexpr size_t kParallelThresholdBytes = 256 * 1024;

// A prediction cache private to the calling thread. The generated parser shares one static DFA
// cache between all its instances, and the ANTLR 4.9 C++ runtime does not guard all of it against
// concurrent updates; worker threads therefore predict with caches of their own (the ATN itself is
// read-only and safely shared).
struct PrivateDfa {
  std::vector<antlr4::dfa::DFA> dfa;
  antlr4::atn::PredictionContextCache cache;
};

// Gives a parser a simulator that predicts with the calling thread's private cache. In the 4.9
// runtime, Recognizer::setInterpreter deletes the previous simulator, and the parser deletes the new
// one when it is destroyed.
void UsePrivateDfa(g::SchemaParser& parser) {
  thread_local PrivateDfa mine;
  const antlr4::atn::ATN& atn = parser.getATN();
  if (mine.dfa.empty()) {
    mine.dfa.reserve(atn.getNumberOfDecisions());
    for (size_t i = 0; i < atn.getNumberOfDecisions(); ++i) mine.dfa.emplace_back(atn.getDecisionState(i), i);
  }
  parser.setInterpreter(new antlr4::atn::ParserATNSimulator(&parser, atn, mine.dfa, mine.cache));
}

// Result of parsing one chunk on the fast path: the declarations, or ok == false when the chunk
// needs the careful whole-file path (a syntax error, a missing column type, a builder error).
struct Chunk {
  FastLexer::Position from;
  size_t end = 0;
  bool ok = false;
  std::vector<ast::Decl> decls;
};

void ParseChunk(const base::SourceManager& sources, uint32_t file_id, bool private_dfa, Chunk& chunk) {
  try {
    const base::SourceFile& file = sources.file(file_id);
    FastLexer lexer(file.text(), chunk.from, chunk.end);
    antlr4::CommonTokenStream tokens(&lexer);
    tokens.fill();
    g::SchemaParser parser(&tokens);
    parser.removeErrorListeners();
    if (private_dfa) UsePrivateDfa(parser);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    g::SchemaParser::SchemaFileContext* tree = parser.schemaFile();
    if (!parser.missing_types_.empty()) return;
    base::Diagnostics local(sources);
    Builder builder(file, file_id, local);
    ast::File f = builder.Build(tree);
    if (local.HasErrors()) return;
    chunk.decls = std::move(f.decls);
    chunk.ok = true;
  } catch (...) {
    chunk.ok = false;  // ParseCancellationException and anything else: take the careful path
  }
}

// Splits a large file into `parts` chunks that each start at a declaration (a declaration keyword in
// column 1). Returns an empty vector when the file should be parsed whole (small, a lexical error,
// too few declarations).
std::vector<Chunk> SplitIntoChunks(const std::string& text, size_t parts) {
  std::vector<Chunk> chunks;
  if (parts < 2 || text.size() < kParallelThresholdBytes) return chunks;
  FastLexer scan(text);
  std::vector<FastLexer::Position> starts;
  while (true) {
    const FastLexer::Position before = scan.position();
    auto tok = scan.nextToken();
    const size_t type = tok->getType();
    if (type == antlr4::Token::EOF) break;
    if (IsLexicalError(type)) return {};
    if (tok->getCharPositionInLine() == 0 && IsDeclKeyword(type)) starts.push_back(before);
  }
  if (starts.size() < parts * 4) return {};
  // Cut at the declaration starts closest to equal byte shares.
  std::vector<FastLexer::Position> cuts = {FastLexer::Position{}};
  size_t next = 0;
  for (size_t k = 1; k < parts; ++k) {
    const size_t target = text.size() * k / parts;
    while (next < starts.size() && starts[next].byte < target) ++next;
    if (next >= starts.size()) break;
    if (starts[next].byte > cuts.back().byte) cuts.push_back(starts[next]);
  }
  for (size_t i = 0; i < cuts.size(); ++i) {
    Chunk c;
    c.from = cuts[i];
    c.end = i + 1 < cuts.size() ? cuts[i + 1].byte : text.size();
    chunks.push_back(std::move(c));
  }
  return chunks;
}

// The fast path for large, valid files. Returns false when the whole-file path must run.
bool ParseInParallel(const base::SourceManager& sources, uint32_t file_id, ast::File& out) {
  const size_t cores = std::max<size_t>(1, std::min<size_t>(8, std::thread::hardware_concurrency()));
  std::vector<Chunk> chunks = SplitIntoChunks(sources.file(file_id).text(), cores);
  if (chunks.size() < 2) return false;
  std::vector<std::thread> workers;
  for (size_t i = 1; i < chunks.size(); ++i) {
    workers.emplace_back([&sources, file_id, &chunks, i] { ParseChunk(sources, file_id, true, chunks[i]); });
  }
  ParseChunk(sources, file_id, false, chunks[0]);
  for (std::thread& w : workers) w.join();
  for (const Chunk& c : chunks) {
    if (!c.ok) return false;
  }
  out.file_id = file_id;
  for (Chunk& c : chunks) {
    for (ast::Decl& d : c.decls) out.decls.push_back(std::move(d));
  }
  return true;
}

// Parses with the given strategy and prediction mode. Returns the tree (owned by the parser).
g::SchemaParser::SchemaFileContext* RunParser(g::SchemaParser& parser,
                                              std::shared_ptr<antlr4::ANTLRErrorStrategy> strategy,
                                              antlr4::atn::PredictionMode mode) {
  parser.setErrorHandler(std::move(strategy));
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(mode);
  return parser.schemaFile();
}

}  // namespace

ast::File ParseFile(const base::SourceManager& sources, uint32_t file_id, base::Diagnostics& diags) {
  ast::File parallel;
  if (ParseInParallel(sources, file_id, parallel)) return parallel;

  const base::SourceFile& file = sources.file(file_id);
  // The hand-written lexer produces the tokens of grammar/SchemaLexer.g4 (see lexer.h). It never
  // fails: unknown characters become ERROR_CHAR tokens, reported below.
  FastLexer lexer(file.text());
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  g::SchemaParser parser(&tokens);
  parser.removeErrorListeners();
  Builder builder(file, file_id, diags);
  const size_t lexical_errors = ReportLexicalErrors(tokens, builder, diags);

  // Two-stage parsing: the fast SLL mode with bail-out first; only input that SLL cannot handle (an
  // error, or a true LL ambiguity) is parsed again in full LL mode with error reporting.
  g::SchemaParser::SchemaFileContext* tree = nullptr;
  if (lexical_errors == 0) {
    try {
      tree = RunParser(parser, std::make_shared<antlr4::BailErrorStrategy>(), antlr4::atn::PredictionMode::SLL);
    } catch (const antlr4::ParseCancellationException&) {
      tree = nullptr;
    }
  }
  if (tree == nullptr) {
    tokens.seek(0);
    parser.reset();
    parser.missing_types_.clear();
    auto strategy = std::make_shared<SyntaxErrorStrategy>(builder, diags);
    tree = RunParser(parser, strategy, antlr4::atn::PredictionMode::LL);
    if (strategy->errors() > 0 || lexical_errors > 0) tree = nullptr;
  }
  // Columns without a type: reported here (the grammar accepts them so parsing can go on). After a
  // lexical error the rest of the file is one bad token; what the parser made of it says nothing.
  if (lexical_errors > 0) parser.missing_types_.clear();
  std::set<size_t> reported;
  for (antlr4::Token* name : parser.missing_types_) {
    if (!reported.insert(name->getTokenIndex()).second) continue;
    const base::Loc loc = builder.LocOf(name);
    const std::string text = name->getText();
    diags.Error(base::DiagKind::SyntaxError, loc,
                fmt::format("column '{}' needs a type, e.g. '{} text'", text, text));
  }
  if (tree == nullptr || !reported.empty()) return ast::File{.file_id = file_id, .decls = {}};
  const size_t before = diags.ErrorCount();
  ast::File f = builder.Build(tree);
  if (diags.ErrorCount() != before) f.decls.clear();
  return f;
}

}  // namespace schemac::parse
