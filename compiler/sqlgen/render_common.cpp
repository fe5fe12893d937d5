// Clauses shared by several object kinds: collations, embedded expressions, dollar quoting,
// deferral, identifier and role lists.
#include "compiler/sqlgen/render.h"

#include <cctype>

#include <fmt/format.h>

namespace schemac::sqlgen {

using model::QuoteIdent;

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// True when `text` has whitespace outside quotes and parentheses, i.e. it is more than one operand.
bool HasTopLevelSpace(const std::string& text) {
  int depth = 0;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      // A doubled quote ('it''s') toggles twice, which leaves us inside the literal as it should.
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      --depth;
    } else if (depth == 0 && IsSpace(c)) {
      return true;
    }
  }
  return false;
}

// True when `text` ends inside a `--` comment, so that anything appended on the same line would be
// commented out. Strings ('...', E'...' with backslash escapes), quoted identifiers, dollar quotes
// and (nested) block comments are skipped, so a `--` inside them does not count.
bool EndsInLineComment(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
  };
  while (i < n) {
    const char c = text[i];
    if (c == '-' && i + 1 < n && text[i + 1] == '-') {
      const size_t eol = text.find('\n', i);
      if (eol == std::string_view::npos) return true;
      i = eol + 1;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      int depth = 0;
      while (i < n) {
        if (text.compare(i, 2, "/*") == 0) {
          ++depth;
          i += 2;
        } else if (text.compare(i, 2, "*/") == 0) {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else if (c == '\'' || c == '"') {
      const bool escapes = c == '\'' && i > 0 && (text[i - 1] == 'e' || text[i - 1] == 'E') &&
                           (i < 2 || !word_char(text[i - 2]));
      for (++i; i < n; ++i) {
        if (escapes && text[i] == '\\') {
          ++i;
        } else if (text[i] == c) {
          if (i + 1 < n && text[i + 1] == c) {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (c == '$' && (i == 0 || !word_char(text[i - 1])) &&
               !(i + 1 < n && std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
      // $tag$ ... $tag$; a tag does not start with a digit ($1 is a parameter).
      size_t j = i + 1;
      while (j < n && word_char(text[j])) ++j;
      if (j < n && text[j] == '$') {
        const std::string_view tag = text.substr(i, j - i + 1);
        const size_t close = text.find(tag, j + 1);
        if (close == std::string_view::npos) return false;
        i = close + tag.size();
      } else {
        ++i;
      }
    } else {
      ++i;
    }
  }
  return false;
}

// True when `tag` closes a dollar quote opened before `body` exactly at the end of the body. The
// lexer ends the string at the first occurrence of the tag, so the tag must not occur in the body,
// and must not start inside it either (a body ending in `$` followed by `$$` closes one char early).
bool TagFits(const std::string& body, const std::string& tag) {
  return (body + tag).find(tag) == body.size();
}

}  // namespace

std::string CollationSql(const std::string& collation) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t dot = collation.find('.', start);
    if (!out.empty()) out += '.';
    out += QuoteIdent(collation.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string ExprSql(const std::string& text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  std::string out = text.substr(begin, end - begin);
  if (EndsInLineComment(out)) out += '\n';
  return out;
}

std::string DefaultExprSql(const std::string& text) {
  std::string expr = ExprSql(text);
  // Backslashes (E'\'') and dollar quotes defeat the simple quote scan; parentheses are always safe.
  bool wrap = expr.empty() || HasTopLevelSpace(expr) ||
              expr.find_first_of("\\$") != std::string::npos;
  return wrap ? "(" + expr + ")" : expr;
}

std::string DollarQuote(const std::string& body) {
  std::string tag = "$$";
  for (int attempt = 0; !TagFits(body, tag); ++attempt) {
    tag = attempt == 0 ? "$body$" : fmt::format("$body{}$", attempt);
  }
  return tag + body + tag;
}

std::string DeferralSql(model::Deferral deferral) {
  switch (deferral) {
    case model::Deferral::NotDeferrable: return "";
    case model::Deferral::InitiallyImmediate: return " DEFERRABLE";
    case model::Deferral::InitiallyDeferred: return " DEFERRABLE INITIALLY DEFERRED";
  }
  return "";
}

std::string Upper(std::string_view keyword) {
  std::string out(keyword);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string IdentList(const std::vector<std::string>& idents) {
  std::string out;
  for (const std::string& ident : idents) {
    if (!out.empty()) out += ", ";
    out += QuoteIdent(ident);
  }
  return out;
}

std::string RoleSql(const std::string& role) {
  // PUBLIC and the current-role keywords are not role names: quoting them ("current_user") would
  // name a role that does not exist. Upper case makes them visible as keywords.
  if (role == "public") return "PUBLIC";
  if (role == "current_user" || role == "session_user" || role == "current_role") {
    std::string upper = role;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return upper;
  }
  return QuoteIdent(role);
}

std::string FunctionTarget(const model::Function& function) {
  // Signature() is "name(argtypes)" with the bare name; keep its argument part.
  return model::QuoteQualified(function.name) +
         function.Signature().substr(function.name.name.size());
}

}  // namespace schemac::sqlgen
