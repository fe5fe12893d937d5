#include "compiler/sqltext/sqltext.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "compiler/sqltext/tree_walk.h"

namespace schemac::sqltext {
namespace {

using internal::Arena;
using internal::MapLocation;

// An expression is parsed as the target of a SELECT; offsets are shifted back by its length.
constexpr std::string_view kExpressionPrefix = "SELECT ";
constexpr int32_t kExpressionPrefixSize = static_cast<int32_t>(kExpressionPrefix.size());
// A SQL-standard function body (`RETURN expr`, `BEGIN ATOMIC ... END`) is only valid inside
// CREATE FUNCTION: it is parsed after this prefix, and only the body's references are collected.
constexpr std::string_view kStandardBodyPrefix = "CREATE FUNCTION pg_temp.schemac_body() RETURNS void LANGUAGE sql ";
constexpr char kExpectedBody[] = "expected one function body";
constexpr char kExpectedExpression[] = "expected a single expression";
constexpr char kExpectedQuery[] = "expected a query";

struct Failure {
  std::string message;
  uint32_t offset = 0;
};

Result MakeError(std::string message, uint32_t offset) {
  Result result;
  result.ok = false;
  result.error = std::move(message);
  result.error_offset = offset;
  return result;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == y;
         });
}

// True for texts that are certainly a single valid expression without references: an unsigned or
// negated integer/decimal, a plain '...' string, true/false/null. These are a large share of real
// defaults, and skipping the parser makes them hundreds of times cheaper. Anything unusual
// (exponents, E'' strings, string continuation across lines) goes to the parser.
bool IsTrivialLiteral(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  std::string_view core = text.substr(begin, end - begin);
  if (core.empty()) return false;
  if (core.front() == '\'') {
    for (size_t i = 1; i < core.size(); ++i) {
      if (core[i] == '\0') return false;
      if (core[i] != '\'') continue;
      if (i + 1 == core.size()) return true;
      // '' inside the literal is an escaped quote; any other quote ends the literal early.
      if (core[i + 1] != '\'') return false;
      ++i;
    }
    return false;
  }
  if (EqualsIgnoreCase(core, "true") || EqualsIgnoreCase(core, "false") ||
      EqualsIgnoreCase(core, "null")) {
    return true;
  }
  if (core.front() == '-') core.remove_prefix(1);
  size_t digits = 0;
  size_t i = 0;
  for (; i < core.size() && IsDigit(core[i]); ++i) ++digits;
  if (i < core.size() && core[i] == '.') {
    for (++i; i < core.size() && IsDigit(core[i]); ++i) ++digits;
  }
  return digits > 0 && i == core.size();
}

// Offset of the first token at or after `pos`: skips whitespace, `--` comments and (nested)
// `/* */` comments the way PostgreSQL's scanner does.
size_t SkipSpaceAndComments(std::string_view text, size_t pos) {
  while (pos < text.size()) {
    if (IsSpace(text[pos])) {
      ++pos;
    } else if (text.substr(pos, 2) == "--") {
      while (pos < text.size() && text[pos] != '\n' && text[pos] != '\r') ++pos;
    } else if (text.substr(pos, 2) == "/*") {
      int depth = 0;
      while (pos < text.size()) {
        if (text.substr(pos, 2) == "/*") {
          ++depth;
          pos += 2;
        } else if (text.substr(pos, 2) == "*/") {
          pos += 2;
          if (--depth == 0) break;
        } else {
          ++pos;
        }
      }
    } else {
      break;
    }
  }
  return std::min(pos, text.size());
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The word at `pos` equals `word` (case-insensitive) and ends there.
bool WordAt(std::string_view text, size_t pos, std::string_view word) {
  return pos + word.size() <= text.size() && EqualsIgnoreCase(text.substr(pos, word.size()), word) &&
         (pos + word.size() == text.size() || !IsWordChar(text[pos + word.size()]));
}

// True for a SQL-standard body: it starts with RETURN, or with BEGIN ATOMIC.
bool IsStandardBody(std::string_view text) {
  const size_t first = SkipSpaceAndComments(text, 0);
  if (WordAt(text, first, "return")) return true;
  return WordAt(text, first, "begin") && WordAt(text, SkipSpaceAndComments(text, first + 5), "atomic");
}

// PostgreSQL reports `cursorpos` as a 1-based character position in the parsed string, counting
// characters the way pg_mbstrlen_with_len does for UTF-8; converts it to a byte offset in the
// original text.
uint32_t CursorToOffset(std::string_view text, int cursorpos, int32_t prefix) {
  if (cursorpos <= 0) return 0;
  long chars = static_cast<long>(cursorpos) - 1 - prefix;
  size_t pos = 0;
  while (chars > 0 && pos < text.size()) {
    pos += internal::Utf8CharLength(static_cast<unsigned char>(text[pos]));
    --chars;
  }
  return static_cast<uint32_t>(std::min(pos, text.size()));
}

const ProtobufCMessage* AsMessage(const void* msg) {
  return static_cast<const ProtobufCMessage*>(msg);
}

// `*` or `t.*`: valid as a SELECT target, but not an expression.
bool IsStar(const PgQuery__Node* node) {
  if (node == nullptr || node->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return false;
  const PgQuery__ColumnRef* ref = node->column_ref;
  return ref->n_fields > 0 &&
         ref->fields[ref->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR;
}

// For an expression that parsed as a SELECT with something extra, finds the first token that
// cannot belong to the expression: a top-level `,`, AS or clause keyword after `after` (the last
// location inside the expression), else the last token (a bare alias). Offsets are in `wrapped`.
int32_t FindStrayToken(const std::string& wrapped, int32_t after, Arena& arena) {
  PgQueryScanResult scan = pg_query_scan(wrapped.c_str());
  int32_t found = -1;
  if (scan.error == nullptr) {
    PgQuery__ScanResult* tokens = pg_query__scan_result__unpack(
        arena.Allocator(), scan.pbuf.len, reinterpret_cast<const uint8_t*>(scan.pbuf.data));
    int depth = 0;
    int32_t last = -1;
    for (size_t i = 0; tokens != nullptr && i < tokens->n_tokens && found < 0; ++i) {
      const PgQuery__ScanToken* token = tokens->tokens[i];
      if (token->start < kExpressionPrefixSize || token->token == PG_QUERY__TOKEN__SQL_COMMENT ||
          token->token == PG_QUERY__TOKEN__C_COMMENT) {
        continue;
      }
      switch (token->token) {
        case PG_QUERY__TOKEN__ASCII_40:
        case PG_QUERY__TOKEN__ASCII_91:
          ++depth;
          break;
        case PG_QUERY__TOKEN__ASCII_41:
        case PG_QUERY__TOKEN__ASCII_93:
          --depth;
          break;
        case PG_QUERY__TOKEN__ASCII_44:
        case PG_QUERY__TOKEN__AS:
        case PG_QUERY__TOKEN__FROM:
        case PG_QUERY__TOKEN__WHERE:
        case PG_QUERY__TOKEN__GROUP_P:
        case PG_QUERY__TOKEN__HAVING:
        case PG_QUERY__TOKEN__WINDOW:
        case PG_QUERY__TOKEN__ORDER:
        case PG_QUERY__TOKEN__LIMIT:
        case PG_QUERY__TOKEN__OFFSET:
        case PG_QUERY__TOKEN__FETCH:
        case PG_QUERY__TOKEN__FOR:
        case PG_QUERY__TOKEN__INTO:
        case PG_QUERY__TOKEN__UNION:
        case PG_QUERY__TOKEN__INTERSECT:
        case PG_QUERY__TOKEN__EXCEPT:
          if (depth == 0 && token->start > after) found = token->start;
          break;
        default:
          break;
      }
      last = token->start;
    }
    if (found < 0) found = last;
  }
  pg_query_free_scan_result(scan);
  return found;
}

// Checks that the parsed `SELECT <text>` is exactly one plain expression.
std::optional<Failure> CheckExpression(const PgQuery__ParseResult& tree, std::string_view text,
                                       const std::string& wrapped, Arena& arena) {
  auto fail = [&](int32_t location) {
    return Failure{kExpectedExpression, MapLocation(location, kExpressionPrefixSize, text.size())};
  };
  const uint32_t first_token = static_cast<uint32_t>(SkipSpaceAndComments(text, 0));
  const int32_t first_location = static_cast<int32_t>(first_token) + kExpressionPrefixSize;
  if (tree.n_stmts != 1) {
    if (tree.n_stmts == 0) return fail(first_location);
    // The first statement ends at its `;`.
    return fail(tree.stmts[0]->stmt_location + tree.stmts[0]->stmt_len);
  }
  const PgQuery__RawStmt* raw = tree.stmts[0];
  if (raw->stmt_len != 0) return fail(raw->stmt_location + raw->stmt_len);
  if (raw->stmt == nullptr || raw->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
    return fail(first_location);
  }
  const PgQuery__SelectStmt* select = raw->stmt->select_stmt;
  if (select->n_target_list == 0 && select->op == PG_QUERY__SET_OPERATION__SETOP_NONE) {
    return fail(first_location);
  }
  if (select->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
    // `1 union select 2`: the tree has no top-level target; point at the set operator.
    int32_t stray = FindStrayToken(wrapped, first_location - 1, arena);
    return fail(stray >= 0 ? stray : first_location);
  }
  const PgQuery__ResTarget* target = nullptr;
  if (select->n_target_list > 0 &&
      select->target_list[0]->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
    target = select->target_list[0]->res_target;
  }
  // `distinct x` and `all x` put a keyword before the expression: the target does not start at the
  // text's first token.
  if (select->n_distinct_clause > 0 || target == nullptr || target->location != first_location) {
    return fail(first_location);
  }
  const bool has_clause = select->into_clause != nullptr || select->n_from_clause > 0 ||
                          select->where_clause != nullptr || select->n_group_clause > 0 ||
                          select->having_clause != nullptr || select->n_window_clause > 0 ||
                          select->n_values_lists > 0 || select->n_sort_clause > 0 ||
                          select->limit_offset != nullptr || select->limit_count != nullptr ||
                          select->n_locking_clause > 0 || select->with_clause != nullptr ||
                          select->limit_option != PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
  if (IsStar(target->val)) return fail(first_location);
  const bool has_alias = target->name != nullptr && target->name[0] != '\0';
  if (has_clause || has_alias || select->n_target_list > 1) {
    int32_t after =
        target->val != nullptr ? internal::MaxLocation(AsMessage(target->val)) : first_location;
    int32_t stray = FindStrayToken(wrapped, after, arena);
    return fail(stray >= 0 ? stray : first_location);
  }
  return std::nullopt;
}

// SELECT INTO anywhere in a set operation creates a table: not a query.
const PgQuery__IntoClause* FindInto(const PgQuery__SelectStmt* select) {
  if (select == nullptr) return nullptr;
  if (select->into_clause != nullptr) return select->into_clause;
  if (const PgQuery__IntoClause* into = FindInto(select->larg)) return into;
  return FindInto(select->rarg);
}

std::optional<Failure> CheckQuery(const PgQuery__ParseResult& tree, std::string_view text) {
  auto fail = [&](int32_t location) {
    return Failure{kExpectedQuery, MapLocation(location, 0, text.size())};
  };
  if (tree.n_stmts == 0) return fail(static_cast<int32_t>(SkipSpaceAndComments(text, 0)));
  if (tree.n_stmts > 1) {
    return fail(static_cast<int32_t>(
        SkipSpaceAndComments(text, static_cast<size_t>(tree.stmts[1]->stmt_location))));
  }
  const PgQuery__RawStmt* raw = tree.stmts[0];
  const int32_t first_location = static_cast<int32_t>(SkipSpaceAndComments(text, 0));
  if (raw->stmt == nullptr || raw->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
    return fail(first_location);
  const PgQuery__SelectStmt* select = raw->stmt->select_stmt;
  if (const PgQuery__IntoClause* into = FindInto(select)) {
    return fail(into->rel != nullptr ? into->rel->location : first_location);
  }
  // A data-modifying WITH (INSERT/UPDATE/DELETE ... RETURNING) makes the query a write.
  const PgQuery__WithClause* with = select->with_clause;
  for (size_t i = 0; with != nullptr && i < with->n_ctes; ++i) {
    const PgQuery__Node* cte = with->ctes[i];
    if (cte->node_case != PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) continue;
    const PgQuery__Node* body = cte->common_table_expr->ctequery;
    if (body != nullptr && body->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
      return fail(cte->common_table_expr->location);
    }
  }
  return std::nullopt;
}

// Owns one libpg_query protobuf parse and the arena its unpacked tree lives in.
class ParsedText {
 public:
  ParsedText(const std::string& sql, Arena& arena)
      : arena_(arena), raw_(pg_query_parse_protobuf(sql.c_str())) {
    if (raw_.error != nullptr) return;
    const auto* data = reinterpret_cast<const uint8_t*>(raw_.parse_tree.data);
    // Unpacking and walking recurse once per nesting level: refuse trees that could overflow the
    // stack instead of crashing on them.
    too_deep_ = internal::NestingExceeds(
        data, raw_.parse_tree.len, &pg_query__parse_result__descriptor, internal::kMaxNestingDepth);
    if (!too_deep_) {
      tree_ = pg_query__parse_result__unpack(arena_.Allocator(), raw_.parse_tree.len, data);
    }
  }
  ~ParsedText() {
    pg_query_free_protobuf_parse_result(raw_);
    arena_.Reset();
  }
  ParsedText(const ParsedText&) = delete;
  ParsedText& operator=(const ParsedText&) = delete;

  const PgQueryError* error() const { return raw_.error; }
  const PgQuery__ParseResult* tree() const { return tree_; }
  bool too_deep() const { return too_deep_; }

 private:
  Arena& arena_;
  PgQueryProtobufParseResult raw_;
  PgQuery__ParseResult* tree_ = nullptr;
  bool too_deep_ = false;
};

Result AnalyzeImpl(std::string_view text, Context context) {
  if (context == Context::Expression && IsTrivialLiteral(text)) return Result{};
  // libpg_query takes a C string: an embedded NUL would silently cut the text short.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return MakeError("invalid byte sequence for encoding \"UTF8\": 0x00",
                     static_cast<uint32_t>(nul));
  }
  if (text.size() > INT32_MAX / 2) return MakeError("SQL text is too long", 0);
  const bool standard_body = context == Context::SqlBody && IsStandardBody(text);
  const std::string_view prefix_text = context == Context::Expression ? kExpressionPrefix
                                       : standard_body                ? kStandardBodyPrefix
                                                                      : std::string_view();
  const int32_t prefix = static_cast<int32_t>(prefix_text.size());
  std::string sql;
  sql.reserve(static_cast<size_t>(prefix) + text.size());
  sql.append(prefix_text);
  sql.append(text);

  thread_local Arena arena;
  ParsedText parsed(sql, arena);
  if (const PgQueryError* error = parsed.error()) {
    return MakeError(error->message != nullptr ? error->message : "syntax error",
                     CursorToOffset(text, error->cursorpos, prefix));
  }
  if (parsed.too_deep()) return MakeError("SQL text is nested too deeply", 0);
  const PgQuery__ParseResult* tree = parsed.tree();
  if (tree == nullptr) return MakeError("internal error: cannot decode the parse tree", 0);

  std::optional<Failure> failure;
  if (context == Context::Expression) failure = CheckExpression(*tree, text, sql, arena);
  if (context == Context::Query) failure = CheckQuery(*tree, text);
  if (failure) return MakeError(std::move(failure->message), failure->offset);

  internal::CollectResult collected;
  if (standard_body) {
    // Exactly the one CREATE FUNCTION the prefix opened; its body's references only.
    const PgQuery__Node* stmt = tree->n_stmts > 0 ? tree->stmts[0]->stmt : nullptr;
    if (tree->n_stmts != 1 || stmt == nullptr || stmt->node_case != PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT) {
      const int32_t at = tree->n_stmts > 1 ? tree->stmts[1]->stmt_location : prefix;
      return MakeError(kExpectedBody, static_cast<uint32_t>(
                                          SkipSpaceAndComments(text, internal::MapLocation(at, prefix, text.size()))));
    }
    internal::CollectRefs(AsMessage(stmt->create_function_stmt->sql_body), prefix, text.size(), collected);
  } else {
    for (size_t i = 0; i < tree->n_stmts; ++i) {
      internal::CollectRefs(AsMessage(tree->stmts[i]->stmt), prefix, text.size(), collected);
    }
  }
  if (!collected.error.empty()) {
    return MakeError(std::move(collected.error),
                     MapLocation(collected.error_location, prefix, text.size()));
  }
  Result result;
  result.refs = std::move(collected.refs);
  std::stable_sort(result.refs.begin(), result.refs.end(),
                   [](const Ref& a, const Ref& b) { return a.offset < b.offset; });
  return result;
}

}  // namespace

std::optional<std::vector<std::string>> QueryColumnNames(std::string_view query) {
  try {
    if (query.find('\0') != std::string_view::npos) return std::nullopt;
    thread_local Arena arena;
    ParsedText parsed(std::string(query), arena);
    const PgQuery__ParseResult* tree = parsed.error() == nullptr && !parsed.too_deep() ? parsed.tree() : nullptr;
    if (tree == nullptr || tree->n_stmts != 1 || tree->stmts[0]->stmt == nullptr ||
        tree->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
      return std::nullopt;
    }
    // A set operation takes its column names from its leftmost SELECT.
    const PgQuery__SelectStmt* select = tree->stmts[0]->stmt->select_stmt;
    while (select != nullptr && select->op != PG_QUERY__SET_OPERATION__SETOP_NONE) select = select->larg;
    if (select == nullptr || select->n_target_list == 0) return std::nullopt;
    std::vector<std::string> names;
    for (size_t i = 0; i < select->n_target_list; ++i) {
      const PgQuery__Node* node = select->target_list[i];
      if (node->node_case != PG_QUERY__NODE__NODE_RES_TARGET) return std::nullopt;
      const PgQuery__ResTarget* target = node->res_target;
      if (target->name != nullptr && target->name[0] != '\0') {
        names.emplace_back(target->name);
        continue;
      }
      if (target->val == nullptr || target->val->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) return std::nullopt;
      const PgQuery__ColumnRef* ref = target->val->column_ref;
      if (ref->n_fields == 0 || ref->fields[ref->n_fields - 1]->node_case != PG_QUERY__NODE__NODE_STRING) {
        return std::nullopt;  // t.*
      }
      names.emplace_back(ref->fields[ref->n_fields - 1]->string->sval);
    }
    return names;
  } catch (...) {
    return std::nullopt;
  }
}

Result Analyze(std::string_view text, Context context) {
  try {
    // Schemas repeat the same expressions over and over (`now()`, `0`, `lower(name)`, the same check
    // on every table), and the result depends only on the text and the context, with offsets relative
    // to the text: remember results. Bounded, so a huge schema of unique texts cannot grow it without
    // limit; guarded, so concurrent callers are safe.
    constexpr size_t kMaxCached = 200000;
    static std::mutex mutex;
    static std::unordered_map<std::string, Result> cache;
    std::string key;
    key.reserve(text.size() + 1);
    key += static_cast<char>('0' + static_cast<int>(context));
    key.append(text);
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto it = cache.find(key);
      if (it != cache.end()) return it->second;
    }
    Result result = AnalyzeImpl(text, context);
    std::lock_guard<std::mutex> lock(mutex);
    if (cache.size() < kMaxCached) cache.emplace(std::move(key), result);
    return result;
  } catch (...) {
    // Only allocation failure can get here; the contract is that Analyze never throws.
    return MakeError("internal error while analyzing SQL text", 0);
  }
}

}  // namespace schemac::sqltext
