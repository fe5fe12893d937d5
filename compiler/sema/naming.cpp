#include "compiler/sema/naming.h"

#include <algorithm>
#include <cctype>

namespace schemac::sema {
namespace {

// pg_mbcliplen for UTF-8: the longest prefix of at most `limit` bytes that ends on a character
// boundary.
size_t ClipUtf8(std::string_view s, size_t limit) {
  size_t n = std::min(limit, s.size());
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// A token of embedded SQL, enough for FigureIndexColname: identifiers are folded.
struct Token {
  enum class Kind { Ident, Other } kind = Kind::Other;
  std::string text;
};

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsIdentChar(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$';
}

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (s.substr(i, 2) == "--") {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.substr(i, 2) == "/*") {
      const size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (c == '"') {
      std::string text;
      for (++i; i < s.size(); ++i) {
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') {
          text += '"';
          ++i;
        } else if (s[i] == '"') {
          ++i;
          break;
        } else {
          text += s[i];
        }
      }
      out.push_back({Token::Kind::Ident, text});
    } else if (c == '\'') {
      for (++i; i < s.size(); ++i) {
        if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          ++i;
        } else if (s[i] == '\'') {
          ++i;
          break;
        }
      }
      out.push_back({Token::Kind::Other, "'"});
    } else if (IsIdentStart(c)) {
      std::string text;
      for (; i < s.size() && IsIdentChar(s[i]); ++i) {
        text += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
      }
      out.push_back({Token::Kind::Ident, text});
    } else if (s.substr(i, 2) == "::") {
      out.push_back({Token::Kind::Other, "::"});
      i += 2;
    } else {
      out.push_back({Token::Kind::Other, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

using Range = std::pair<size_t, size_t>;

// Index of the bracket closing the one at `open`, or npos.
size_t MatchingClose(const std::vector<Token>& t, size_t open, size_t end) {
  int depth = 0;
  for (size_t i = open; i < end; ++i) {
    if (t[i].text == "(" || t[i].text == "[") ++depth;
    if (t[i].text == ")" || t[i].text == "]") {
      if (--depth == 0) return i;
    }
  }
  return std::string::npos;
}

bool IsOther(const Token& t, std::string_view text) {
  return t.kind == Token::Kind::Other && t.text == text;
}

// The internal name of a type as written after `::` (FigureColnameInternal reports the last part
// of the TypeName, which for SQL-standard spellings is the pg_catalog name, e.g. int4).
std::string CastTypeName(const std::vector<Token>& t, size_t b, size_t e) {
  std::string words;
  std::string last;
  for (size_t i = b; i < e; ++i) {
    if (t[i].kind != Token::Kind::Ident) break;
    if (!words.empty()) words += ' ';
    words += t[i].text;
    last = t[i].text;
    if (i + 1 < e && IsOther(t[i + 1], ".")) ++i;
  }
  static const std::pair<std::string_view, std::string_view> kInternal[] = {
      {"int", "int4"}, {"integer", "int4"}, {"smallint", "int2"}, {"bigint", "int8"},
      {"real", "float4"}, {"float", "float8"}, {"double precision", "float8"},
      {"boolean", "bool"}, {"character varying", "varchar"}, {"char varying", "varchar"},
      {"character", "bpchar"}, {"char", "bpchar"}, {"decimal", "numeric"}, {"dec", "numeric"},
      {"timestamp with time zone", "timestamptz"}, {"timestamp without time zone", "timestamp"},
      {"time with time zone", "timetz"}, {"time without time zone", "time"},
      {"bit varying", "varbit"}};
  for (const auto& [spelling, internal] : kInternal) {
    if (words == spelling) return std::string(internal);
  }
  return last;
}

// FigureColnameInternal over tokens [b, e): 2 = a column or function name, 1 = a type or keyword
// name, 0 = nothing.
int Figure(const std::vector<Token>& t, size_t b, size_t e, std::string& name) {
  while (e > b + 1 && IsOther(t[b], "(") && MatchingClose(t, b, e) == e - 1) {
    ++b;
    --e;
  }
  if (b >= e) return 0;
  // The last top-level `::` or COLLATE splits off a cast or collation.
  size_t split = std::string::npos;
  int depth = 0;
  for (size_t i = b; i < e; ++i) {
    if (IsOther(t[i], "(") || IsOther(t[i], "[")) ++depth;
    if (IsOther(t[i], ")") || IsOther(t[i], "]")) --depth;
    if (depth == 0 && (IsOther(t[i], "::") || (t[i].kind == Token::Kind::Ident &&
                                               t[i].text == "collate" && i > b))) {
      split = i;
    }
  }
  if (split != std::string::npos) {
    const int strength = Figure(t, b, split, name);
    if (t[split].text == "collate") return strength;
    if (strength <= 1) {
      name = CastTypeName(t, split + 1, e);
      return name.empty() ? 0 : 1;
    }
    return strength;
  }
  // A dotted identifier chain, optionally followed by a call's parentheses or subscripts.
  size_t i = b;
  std::string last;
  while (i < e && t[i].kind == Token::Kind::Ident) {
    last = t[i].text;
    ++i;
    if (i < e && IsOther(t[i], ".") && i + 1 < e && t[i + 1].kind == Token::Kind::Ident) {
      ++i;
      continue;
    }
    break;
  }
  if (last.empty()) {
    // `(expr).field`
    if (IsOther(t[b], "(")) {
      const size_t close = MatchingClose(t, b, e);
      if (close != std::string::npos && close + 3 == e && IsOther(t[close + 1], ".") &&
          t[close + 2].kind == Token::Kind::Ident) {
        name = t[close + 2].text;
        return 2;
      }
    }
    return 0;
  }
  if (i == e) {
    if (b + 1 == e && (last == "true" || last == "false" || last == "null")) return 0;
    name = last;
    return 2;
  }
  if (IsOther(t[i], "(") && MatchingClose(t, i, e) == e - 1) {
    if (last == "cast") {
      // CAST(x AS type)
      size_t as = std::string::npos;
      int d = 0;
      for (size_t k = i + 1; k < e - 1; ++k) {
        if (IsOther(t[k], "(")) ++d;
        if (IsOther(t[k], ")")) --d;
        if (d == 0 && t[k].kind == Token::Kind::Ident && t[k].text == "as") as = k;
      }
      if (as == std::string::npos) return 0;
      const int strength = Figure(t, i + 1, as, name);
      if (strength <= 1) {
        name = CastTypeName(t, as + 1, e - 1);
        return name.empty() ? 0 : 1;
      }
      return strength;
    }
    if (last == "trim") {
      const std::string& first = i + 1 < e ? t[i + 1].text : "";
      name = first == "leading" ? "ltrim" : first == "trailing" ? "rtrim" : "btrim";
      return 2;
    }
    name = last;
    return 2;
  }
  if (IsOther(t[i], "[")) {
    // Subscripts keep the name of what they subscript.
    size_t k = i;
    while (k < e && IsOther(t[k], "[")) {
      const size_t close = MatchingClose(t, k, e);
      if (close == std::string::npos) return 0;
      k = close + 1;
    }
    if (k != e) return 0;
    name = last;
    return 2;
  }
  if (last == "case" && t[e - 1].kind == Token::Kind::Ident && t[e - 1].text == "end" && b + 1 == i) {
    name = "case";
    return 1;
  }
  return 0;
}

}  // namespace

std::string MakeObjectName(std::string_view name1, std::optional<std::string_view> name2,
                           std::string_view label) {
  size_t overhead = 0;
  size_t name1_bytes = name1.size();
  size_t name2_bytes = 0;
  if (name2) {
    name2_bytes = name2->size();
    ++overhead;
  }
  if (!label.empty()) overhead += label.size() + 1;
  const size_t available = kMaxIdentifierBytes > overhead ? kMaxIdentifierBytes - overhead : 1;
  // Truncate the longer name first, one byte at a time, exactly like PostgreSQL's loop.
  while (name1_bytes + name2_bytes > available) {
    if (name1_bytes > name2_bytes) {
      --name1_bytes;
    } else {
      --name2_bytes;
    }
  }
  std::string out(name1.substr(0, ClipUtf8(name1, name1_bytes)));
  if (name2) {
    out += '_';
    out += name2->substr(0, ClipUtf8(*name2, name2_bytes));
  }
  if (!label.empty()) {
    out += '_';
    out += label;
  }
  return out;
}

std::string ChooseObjectName(std::string_view name1, std::optional<std::string_view> name2,
                             std::string_view label,
                             const std::function<bool(const std::string&)>& is_taken) {
  std::string modlabel(label);
  for (int pass = 1;; ++pass) {
    std::string candidate = MakeObjectName(name1, name2, modlabel);
    if (!is_taken(candidate)) return candidate;
    modlabel = std::string(label) + std::to_string(pass);
  }
}

std::string NameAddition(const std::vector<std::string>& names) {
  constexpr size_t kNameDataLen = kMaxIdentifierBytes + 1;
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += '_';
    // PostgreSQL copies at most NAMEDATALEN - 1 bytes of each name (strlcpy).
    out += name.substr(0, kMaxIdentifierBytes);
    if (out.size() >= kNameDataLen) break;
  }
  return out;
}

std::vector<std::string> IndexColumnNames(const std::vector<std::string>& element_names) {
  std::vector<std::string> result;
  for (const std::string& orig : element_names) {
    std::string current = orig;
    for (int i = 1; std::find(result.begin(), result.end(), current) != result.end(); ++i) {
      const std::string suffix = std::to_string(i);
      current = orig.substr(0, ClipUtf8(orig, kMaxIdentifierBytes - suffix.size())) + suffix;
    }
    result.push_back(current);
  }
  return result;
}

std::string FigureIndexColname(std::string_view expression) {
  const std::vector<Token> tokens = Tokenize(expression);
  std::string name;
  if (Figure(tokens, 0, tokens.size(), name) == 0 || name.empty()) return "expr";
  return name;
}

}  // namespace schemac::sema
