#include <string>
#include <string_view>
#include <vector>

#include "compiler/sqltext/tree_walk.h"

// PostgreSQL's identifier folding and regclass input parsing, mirrored for nextval('...') names.

namespace schemac::sqltext::internal {
namespace {

// PostgreSQL's NAMEDATALEN - 1: identifiers longer than this are truncated.
constexpr size_t kMaxIdentifierBytes = 63;

bool IsScannerSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// PostgreSQL's downcase_truncate_identifier for a UTF-8 database: ASCII only, then truncation at a
// character boundary.
std::string FoldIdentifier(std::string_view raw, bool quoted) {
  std::string name(raw);
  if (!quoted) {
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  if (name.size() > kMaxIdentifierBytes) {
    size_t keep = 0;
    while (keep < name.size()) {
      size_t next = keep + Utf8CharLength(static_cast<unsigned char>(name[keep]));
      if (next > kMaxIdentifierBytes) break;
      keep = next;
    }
    name.resize(keep);
  }
  return name;
}

}  // namespace

size_t Utf8CharLength(unsigned char lead) {
  if ((lead & 0x80) == 0) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

bool SplitRegclassName(std::string_view raw, std::vector<std::string>& names, std::string& error) {
  names.clear();
  // regclassin treats an all-digit string as an OID and "-" as InvalidOid.
  if (raw == "-" ||
      (!raw.empty() && raw.find_first_not_of("0123456789") == std::string_view::npos)) {
    return true;
  }
  // Mirrors SplitIdentifierString(raw, '.'), as called by stringToQualifiedNameList.
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < raw.size() && IsScannerSpace(raw[pos])) ++pos;
  };
  skip_space();
  bool ok = pos < raw.size();
  while (ok) {
    if (raw[pos] == '"') {
      std::string part;
      size_t i = pos + 1;
      for (;;) {
        size_t quote = raw.find('"', i);
        if (quote == std::string_view::npos) {
          ok = false;
          break;
        }
        part.append(raw.substr(i, quote - i));
        if (quote + 1 < raw.size() && raw[quote + 1] == '"') {
          part.push_back('"');
          i = quote + 2;
          continue;
        }
        pos = quote + 1;
        break;
      }
      if (!ok) break;
      names.push_back(FoldIdentifier(part, /*quoted=*/true));
    } else {
      size_t start = pos;
      while (pos < raw.size() && raw[pos] != '.' && !IsScannerSpace(raw[pos])) ++pos;
      if (pos == start) {
        ok = false;
        break;
      }
      names.push_back(FoldIdentifier(raw.substr(start, pos - start), /*quoted=*/false));
    }
    skip_space();
    if (pos == raw.size()) break;
    if (raw[pos] != '.') {
      ok = false;
      break;
    }
    ++pos;
    skip_space();
    // A trailing '.' leaves an empty unquoted name, which the loop rejects.
    if (pos == raw.size()) ok = false;
  }
  if (!ok) {
    names.clear();
    error = "invalid name syntax";
    return false;
  }
  if (names.size() > 3) {
    // makeRangeVarFromNameList's message.
    std::string joined;
    for (const std::string& name : names) joined += (joined.empty() ? "" : ".") + name;
    error = "improper relation name (too many dotted names): " + joined;
    names.clear();
    return false;
  }
  return true;
}

}  // namespace schemac::sqltext::internal
