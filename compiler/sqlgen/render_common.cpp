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
  size_t last_line = out.rfind('\n');
  last_line = last_line == std::string::npos ? 0 : last_line + 1;
  if (out.find("--", last_line) != std::string::npos) out += '\n';
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
