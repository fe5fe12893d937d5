// Names in embedded SQL: a small tokenizer that finds identifiers and `a.b` pairs, for deciding
// which objects a default, check, view query or body may refer to.
#include "compiler/diff/internal/sql_names.h"

#include <algorithm>

#include "compiler/model/model.h"

namespace schemac::diff::internal {

namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }

// Reads one identifier at `i` (quoted or not); empty when there is none.
std::string ReadIdent(std::string_view text, size_t& i) {
  if (i < text.size() && text[i] == '"') {
    std::string out;
    for (++i; i < text.size(); ++i) {
      if (text[i] != '"') {
        out += text[i];
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        out += '"';
        ++i;
      } else {
        ++i;
        break;
      }
    }
    return out;
  }
  std::string out;
  while (i < text.size() && IsIdentChar(text[i])) {
    char c = text[i++];
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

}  // namespace

std::vector<NameRef> NameRefs(std::string_view text) {
  std::vector<NameRef> refs;
  size_t i = 0;
  std::string previous;  // the identifier just before a '.', if any
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' || IsIdentStart(c)) {
      std::string ident = ReadIdent(text, i);
      if (!previous.empty()) refs.push_back({previous, ident});
      refs.push_back({"", ident});
      previous.clear();
      size_t j = i;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\n' || text[j] == '\t')) ++j;
      if (j < text.size() && text[j] == '.') {
        previous = ident;
        i = j + 1;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
      }
      continue;
    }
    if (c >= '0' && c <= '9') {
      // Numbers (and their exponent letters) are not identifiers.
      while (i < text.size() && (IsIdentChar(text[i]) || text[i] == '.')) ++i;
    } else {
      ++i;
    }
    previous.clear();
  }
  return refs;
}

bool Mentions(std::string_view text, std::string_view identifier) {
  // Cheap filter first: most texts do not contain the name at all.
  if (text.find(identifier) == std::string_view::npos) {
    bool has_upper =
        std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!has_upper) return false;
  }
  for (const NameRef& ref : NameRefs(text)) {
    if (ref.qualifier.empty() && ref.name == identifier) return true;
  }
  return false;
}

std::string RenameColumnRefs(std::string_view text, const std::string& from, const std::string& to,
                             const std::vector<std::string>& qualifiers) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  // The last identifier (lower-cased or as quoted) and whether a '.' followed it: a qualifier.
  std::string qualifier;
  bool after_dot = false;
  bool after_cast = false;  // just after `::`
  auto skip_space = [&](size_t j) {
    while (j < text.size() && (text[j] == ' ' || text[j] == '\n' || text[j] == '\t')) ++j;
    return j;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\'') {
      // A string literal, copied as it is ('' inside is an escaped quote).
      size_t j = i + 1;
      while (j < text.size()) {
        if (text[j] == '\'' && j + 1 < text.size() && text[j + 1] == '\'') {
          j += 2;
        } else if (text[j] == '\'') {
          ++j;
          break;
        } else {
          ++j;
        }
      }
      out.append(text.substr(i, j - i));
      i = j;
      after_dot = after_cast = false;
      qualifier.clear();
      continue;
    }
    if (c == '"' || IsIdentStart(c)) {
      const size_t start = i;
      const std::string ident = ReadIdent(text, i);
      const size_t next = skip_space(i);
      const bool call = next < text.size() && text[next] == '(';
      const bool qualifies = next < text.size() && text[next] == '.';
      bool rename = ident == from && !call && !qualifies && !after_cast;
      if (rename && after_dot) {
        rename = std::find(qualifiers.begin(), qualifiers.end(), qualifier) != qualifiers.end();
      }
      if (rename) {
        out += model::QuoteIdent(to);
      } else {
        out.append(text.substr(start, i - start));
      }
      after_cast = false;
      after_dot = false;
      qualifier = qualifies ? ident : std::string();
      if (qualifies) {
        out.append(text.substr(i, next + 1 - i));
        i = next + 1;
        after_dot = true;
      }
      continue;
    }
    if (c >= '0' && c <= '9') {
      const size_t start = i;
      while (i < text.size() && (IsIdentChar(text[i]) || text[i] == '.')) ++i;
      out.append(text.substr(start, i - start));
      after_dot = after_cast = false;
      qualifier.clear();
      continue;
    }
    if (c == ':' && i + 1 < text.size() && text[i + 1] == ':') {
      out += "::";
      i += 2;
      after_cast = true;
      after_dot = false;
      qualifier.clear();
      continue;
    }
    out += c;
    ++i;
    if (c != ' ' && c != '\n' && c != '\t') {
      after_dot = false;
      after_cast = false;
      qualifier.clear();
    }
  }
  return out;
}

}  // namespace schemac::diff::internal
