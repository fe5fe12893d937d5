#include "runtime/pg/connection.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string_view>
#include <utility>

#include <pqxx/pqxx>

namespace schemac::pg {
namespace {

// ---- small string helpers ----------------------------------------------------------------------

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

std::string TrimTrailingNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    lines.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// ---- conninfo redaction ----------------------------------------------------------------------------

struct Redacted {
  std::string text;                  // conninfo without passwords
  std::vector<std::string> secrets;  // the password values found (raw and decoded)
};

void AddSecret(Redacted& r, std::string_view raw) {
  if (raw.empty()) return;
  r.secrets.emplace_back(raw);
  std::string decoded = PercentDecode(raw);
  if (decoded != raw) r.secrets.push_back(std::move(decoded));
}

// postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]
Redacted RedactUri(const std::string& uri, size_t scheme_end) {
  Redacted r;
  // libpq ends the user info at the first '@' before any '/'; taking the last '@' before the first
  // '/' (or before '?' when there is no '/') also covers passwords with unencoded '@'.
  size_t slash = uri.find('/', scheme_end);
  size_t limit = slash != std::string::npos ? slash : uri.find('?', scheme_end);
  if (limit == std::string::npos) limit = uri.size();
  size_t at = uri.rfind('@', limit == 0 ? 0 : limit - 1);
  std::string head = uri.substr(0, scheme_end);
  std::string rest;
  if (at != std::string::npos && at >= scheme_end) {
    std::string userinfo = uri.substr(scheme_end, at - scheme_end);
    size_t colon = userinfo.find(':');
    if (colon != std::string::npos) {
      AddSecret(r, std::string_view(userinfo).substr(colon + 1));
      userinfo.resize(colon);
    }
    head += userinfo + "@";
    rest = uri.substr(at + 1);
  } else {
    rest = uri.substr(scheme_end);
  }
  // Query parameters: drop password=...
  size_t q = rest.find('?');
  if (q != std::string::npos) {
    std::string query = rest.substr(q + 1);
    rest.resize(q);
    std::string kept;
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      std::string param = query.substr(start, amp - start);
      size_t eq = param.find('=');
      std::string key = PercentDecode(param.substr(0, eq));
      if (EqualsNoCase(key, "password")) {
        if (eq != std::string::npos) AddSecret(r, std::string_view(param).substr(eq + 1));
      } else if (!param.empty()) {
        kept += (kept.empty() ? "" : "&") + param;
      }
      start = amp + 1;
    }
    if (!kept.empty()) rest += "?" + kept;
  }
  r.text = head + rest;
  return r;
}

// key = value pairs separated by whitespace; values may be 'single quoted' with \' and \\ escapes.
Redacted RedactKeywordValue(const std::string& s) {
  Redacted r;
  std::string out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  };
  while (true) {
    skip_ws();
    if (i >= s.size()) break;
    size_t entry_begin = i;
    while (i < s.size() && s[i] != '=' && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::string key = s.substr(entry_begin, i - entry_begin);
    skip_ws();
    if (i >= s.size() || s[i] != '=') {
      // Malformed (libpq will reject it too): keep nothing from here on, it may be a password.
      out += (out.empty() ? "" : " ") + std::string("...");
      if (EqualsNoCase(key, "password")) {
        // "password secret": the next word is the secret.
        skip_ws();
        size_t b = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        AddSecret(r, std::string_view(s).substr(b, i - b));
      }
      break;
    }
    ++i;  // '='
    skip_ws();
    std::string value;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i++]);
      }
      if (i < s.size()) ++i;  // closing quote
    } else {
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i++]);
      }
    }
    if (EqualsNoCase(key, "password")) {
      AddSecret(r, value);
      // The raw spelling too (quotes/escapes), in case a message echoes it.
      AddSecret(r, std::string_view(s).substr(entry_begin, i - entry_begin));
      continue;
    }
    out += (out.empty() ? "" : " ") + s.substr(entry_begin, i - entry_begin);
  }
  r.text = out;
  return r;
}

Redacted Redact(const std::string& conninfo) {
  size_t b = 0;
  while (b < conninfo.size() && std::isspace(static_cast<unsigned char>(conninfo[b]))) ++b;
  std::string_view view(conninfo);
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (StartsWith(view.substr(b), scheme)) return RedactUri(conninfo.substr(b), scheme.size());
  }
  return RedactKeywordValue(conninfo);
}

// Removes every trace of the conninfo's passwords from a message that libpq built.
std::string Scrub(std::string message, const std::string& conninfo, const Redacted& r) {
  if (!conninfo.empty()) ReplaceAll(message, conninfo, r.text);
  for (const std::string& secret : r.secrets) ReplaceAll(message, secret, "********");
  return message;
}

// ---- server error messages ------------------------------------------------------------------------
//
// pqxx 6.4 hands us libpq's formatted message (PQresultErrorMessage), not the individual fields:
//   ERROR:  <primary>
//   LINE <n>: <line of the query, maybe truncated with "...">      (if there is an error cursor)
//   <spaces>^
//   DETAIL:  ...   HINT:  ...   QUERY:  ...   CONTEXT:  ...       (each optional, may span lines)
// It exposes the cursor position itself only for SQLSTATE 42601 (pqxx::syntax_error). For the
// others, the position is recovered by replaying libpq's reportErrorPosition() (fe-protocol3.c) for
// each candidate position on line <n> and keeping the one that renders exactly as received.

struct ParsedMessage {
  std::string primary;
  std::string detail;
  std::string hint;
  std::string context;
  bool has_query_line = false;  // QUERY: the cursor may refer to an internal query
  int cursor_line = 0;          // from "LINE n: "; 0 if none
  std::string cursor_text;      // text after "LINE n: "
  int cursor_column = -1;       // column of '^' (counted from the start of the "LINE" line)
  int at_character = 0;         // from a trailing " at character N" (terse form)
};

bool ParseLineMarker(const std::string& line, int& n, std::string& text) {
  if (!StartsWith(line, "LINE ")) return false;
  size_t i = 5;
  size_t digits = i;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  if (i == digits || line.compare(i, 2, ": ") != 0) return false;
  n = std::stoi(line.substr(digits, i - digits));
  text = line.substr(i + 2);
  return true;
}

bool IsCaretLine(const std::string& line) {
  return !line.empty() && line.back() == '^' &&
         std::all_of(line.begin(), line.end() - 1, [](char c) { return c == ' '; });
}

const char* const kFieldLabels[] = {"DETAIL:  ",    "HINT:  ",         "QUERY:  ",        "CONTEXT:  ",
                                    "LOCATION:  ",  "STATEMENT:  ",    "SCHEMA NAME:  ",  "TABLE NAME:  ",
                                    "COLUMN NAME:  ", "DATATYPE NAME:  ", "CONSTRAINT NAME:  "};

const char* FieldLabel(const std::string& line) {
  for (const char* label : kFieldLabels) {
    if (StartsWith(line, label)) return label;
  }
  return nullptr;
}

ParsedMessage ParseMessage(const std::string& what) {
  ParsedMessage m;
  std::vector<std::string> lines = SplitLines(TrimTrailingNewlines(what));
  if (lines.empty()) return m;
  std::string first = lines[0];
  for (const char* severity : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
    if (StartsWith(first, severity)) {
      first = first.substr(std::string_view(severity).size());
      break;
    }
  }
  m.primary = first;
  std::string* current = &m.primary;  // where continuation lines go
  std::string ignored;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    int n = 0;
    std::string text;
    if (m.cursor_line == 0 && i + 1 < lines.size() && ParseLineMarker(line, n, text) && IsCaretLine(lines[i + 1])) {
      m.cursor_line = n;
      m.cursor_text = text;
      m.cursor_column = static_cast<int>(lines[i + 1].size()) - 1;
      ++i;
      current = &ignored;
      continue;
    }
    if (const char* label = FieldLabel(line)) {
      std::string value = line.substr(std::string_view(label).size());
      std::string_view l(label);
      if (l == "DETAIL:  ") current = &m.detail;
      else if (l == "HINT:  ") current = &m.hint;
      else if (l == "CONTEXT:  ") current = &m.context;
      else current = &ignored;
      if (l == "QUERY:  ") m.has_query_line = true;
      *current = value;
      continue;
    }
    *current += "\n" + line;
  }
  // Terse form: "<primary> at character N".
  if (m.cursor_line == 0) {
    const std::string_view marker = " at character ";
    size_t p = m.primary.rfind(marker);
    if (p != std::string::npos) {
      std::string digits = m.primary.substr(p + marker.size());
      if (!digits.empty() && digits.size() < 10 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        m.at_character = std::stoi(digits);
        m.primary.resize(p);
      }
    }
  }
  return m;
}

// Decodes UTF-8 leniently (an invalid byte counts as one character).
std::vector<uint32_t> DecodeUtf8(std::string_view s, std::vector<size_t>* byte_offsets = nullptr) {
  std::vector<uint32_t> cps;
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + len > s.size()) len = 1;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      len = 1;
      cp = c;
    }
    if (byte_offsets) byte_offsets->push_back(i);
    cps.push_back(cp);
    i += static_cast<size_t>(len);
  }
  return cps;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Screen width as libpq's pg_encoding_dsplen() sees it for UTF-8 (East Asian wide = 2, else 1;
// libpq counts zero-width and control characters as 1).
int DisplayWidth(uint32_t cp) {
  bool wide = cp >= 0x1100 &&
              (cp <= 0x115F || cp == 0x2329 || cp == 0x232A || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
               (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE10 && cp <= 0xFE19) ||
               (cp >= 0xFE30 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
               (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F900 && cp <= 0x1F9FF) ||
               (cp >= 0x20000 && cp <= 0x2FFFD) || (cp >= 0x30000 && cp <= 0x3FFFD));
  return wide ? 2 : 1;
}

// Recovers the 1-based character position from libpq's cursor display; 0 if no candidate fits.
int RecoverPosition(const std::string& statement, const ParsedMessage& m) {
  if (m.cursor_line <= 0 || m.cursor_column < 0 || statement.empty()) return 0;
  constexpr int kDisplaySize = 60;   // DISPLAY_SIZE in fe-protocol3.c
  constexpr int kMinRightCut = 10;   // MIN_RIGHT_CUT
  const std::vector<uint32_t> cps = DecodeUtf8(statement);
  const int n = static_cast<int>(cps.size());
  std::vector<int> scr(static_cast<size_t>(n) + 1, 0);  // starting screen column of each character
  for (int i = 0; i < n; ++i) scr[i + 1] = scr[i] + (cps[i] == '\t' ? 1 : DisplayWidth(cps[i]));
  auto is_break = [&](int i) { return cps[i] == '\r' || cps[i] == '\n'; };
  const int prefix_width = static_cast<int>(("LINE " + std::to_string(m.cursor_line) + ": ").size());

  int line = 1;
  int line_begin = 0;  // first character of the current line
  for (int loc = 0; loc <= n; ++loc) {
    if (loc > 0 && is_break(loc - 1)) {
      int k = loc - 1;
      if (cps[k] == '\r' || k == 0 || cps[k - 1] != '\r') ++line;
      line_begin = loc;
    }
    if (line < m.cursor_line) continue;
    if (line > m.cursor_line) break;
    int ibeg = line_begin;
    int iend = loc;
    while (iend < n && !is_break(iend)) ++iend;
    bool beg_trunc = false;
    bool end_trunc = false;
    if (scr[iend] - scr[ibeg] > kDisplaySize) {
      if (scr[ibeg] + kDisplaySize >= scr[loc] + kMinRightCut) {
        while (scr[iend] - scr[ibeg] > kDisplaySize) --iend;
        end_trunc = true;
      } else {
        while (scr[loc] + kMinRightCut < scr[iend]) {
          --iend;
          end_trunc = true;
        }
        while (scr[iend] - scr[ibeg] > kDisplaySize) {
          ++ibeg;
          beg_trunc = true;
        }
      }
    }
    int caret = prefix_width + (beg_trunc ? 3 : 0) + scr[loc] - scr[ibeg];
    if (caret != m.cursor_column) continue;
    std::string text = beg_trunc ? "..." : "";
    for (int i = ibeg; i < iend; ++i) AppendUtf8(text, cps[i] == '\t' ? ' ' : cps[i]);
    if (end_trunc) text += "...";
    if (text == m.cursor_text) return loc + 1;
  }
  return 0;
}

// ---- exception translation ------------------------------------------------------------------------

[[noreturn]] void ThrowFromSqlError(const pqxx::sql_error& e, const std::string& sql) {
  ParsedMessage m = ParseMessage(e.what());
  std::string statement = e.query().empty() ? sql : e.query();
  std::string sqlstate = e.sqlstate();
  if (sqlstate.empty() && dynamic_cast<const pqxx::insufficient_privilege*>(&e)) sqlstate = "42501";
  int position = 0;
  if (const auto* syntax = dynamic_cast<const pqxx::syntax_error*>(&e); syntax && syntax->error_position > 0) {
    position = syntax->error_position;  // exact, from PG_DIAG_STATEMENT_POSITION
  } else if (m.at_character > 0) {
    position = m.at_character;
  } else {
    position = RecoverPosition(statement, m);
  }
  throw DbError(m.primary, sqlstate, std::move(statement), position, m.detail, m.hint, m.context);
}

// Call only from inside a catch block: rethrows the active exception as a DbError.
[[noreturn]] void RethrowAsDbError(const std::string& sql) {
  try {
    throw;
  } catch (const DbError&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    ThrowFromSqlError(e, sql);
  } catch (const pqxx::broken_connection& e) {
    ParsedMessage m = ParseMessage(e.what());
    throw DbError("connection to the server lost: " + m.primary, "08006", sql, 0, m.detail, m.hint);
  } catch (const std::exception& e) {  // pqxx::failure, usage_error, ...: client-side
    throw DbError(TrimTrailingNewlines(e.what()), "", sql);
  }
}

class NoticeForwarder final : public pqxx::errorhandler {
 public:
  NoticeForwarder(pqxx::connection_base& conn, std::function<void(const std::string&)> fn)
      : pqxx::errorhandler(conn), fn_(std::move(fn)) {}
  bool operator()(const char msg[]) noexcept override {
    try {
      fn_(msg);
    } catch (...) {  // a notice must never break the statement that raised it
    }
    return true;
  }

 private:
  std::function<void(const std::string&)> fn_;
};

}  // namespace

// ---- DbError --------------------------------------------------------------------------------------------

DbError::DbError(std::string message_text, std::string sqlstate_code, std::string statement_text,
                 int position_in_statement, std::string detail_text, std::string hint_text,
                 std::string context_text)
    : std::runtime_error(message_text),
      message(std::move(message_text)),
      sqlstate(std::move(sqlstate_code)),
      statement(std::move(statement_text)),
      position(position_in_statement),
      detail(std::move(detail_text)),
      hint(std::move(hint_text)),
      context(std::move(context_text)) {}

std::size_t DbError::PositionByteOffset() const {
  if (position <= 0) return std::string::npos;
  std::vector<size_t> offsets;
  DecodeUtf8(statement, &offsets);
  if (static_cast<size_t>(position) > offsets.size()) return std::string::npos;
  return offsets[static_cast<size_t>(position) - 1];
}

std::string RedactConninfo(const std::string& conninfo) { return Redact(conninfo).text; }

// ---- Connection -------------------------------------------------------------------------------------------

struct Connection::Impl {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<NoticeForwarder> notices;  // unregisters from `conn`: destroyed first

  ~Impl() { notices.reset(); }
};

Connection::Connection(const std::string& conninfo) : impl_(std::make_unique<Impl>()) {
  try {
    impl_->conn = std::make_unique<pqxx::connection>(conninfo);
    impl_->conn->set_client_encoding("UTF8");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    // Never reconnect behind the caller's back (session state would silently be lost).
    impl_->conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  } catch (const std::exception& e) {
    Redacted r = Redact(conninfo);
    std::vector<std::string> lines = SplitLines(TrimTrailingNewlines(Scrub(e.what(), conninfo, r)));
    std::string first = lines.empty() ? "unknown error" : lines[0];
    std::string rest;
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string l = lines[i];
      l.erase(0, l.find_first_not_of(" \t"));
      rest += (rest.empty() ? "" : "\n") + l;
    }
    std::string target = conninfo.empty() ? std::string("the server given by the PG* environment variables")
                                          : "\"" + r.text + "\"";
    throw DbError("could not connect to " + target + ": " + first, "08001", "", 0, rest);
  }
}

Connection::~Connection() = default;
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;

void Connection::Exec(const std::string& sql) {
  if (!impl_) throw DbError("use of a moved-from Connection", "", sql);
  try {
    pqxx::nontransaction tx(*impl_->conn);
    tx.exec(sql);
    tx.commit();
  } catch (...) {
    RethrowAsDbError(sql);
  }
}

std::vector<std::vector<std::optional<std::string>>> Connection::Query(const std::string& sql) {
  if (!impl_) throw DbError("use of a moved-from Connection", "", sql);
  std::vector<std::vector<std::optional<std::string>>> rows;
  try {
    pqxx::nontransaction tx(*impl_->conn);
    pqxx::result result = tx.exec(sql);
    tx.commit();
    rows.reserve(result.size());
    for (const auto& row : result) {
      std::vector<std::optional<std::string>>& out = rows.emplace_back();
      out.reserve(row.size());
      for (const auto& field : row) {
        if (field.is_null()) {
          out.emplace_back(std::nullopt);
        } else {
          out.emplace_back(std::string(field.c_str(), field.size()));
        }
      }
    }
  } catch (...) {
    RethrowAsDbError(sql);
  }
  return rows;
}

std::string Connection::ServerVersion() {
  auto rows = Query("SHOW server_version");
  if (rows.empty() || rows[0].empty() || !rows[0][0]) throw DbError("SHOW server_version returned nothing");
  return *rows[0][0];
}

void Connection::SetNoticeHandler(std::function<void(const std::string&)> handler) {
  if (!impl_) throw DbError("use of a moved-from Connection");
  impl_->notices.reset();
  if (handler) impl_->notices = std::make_unique<NoticeForwarder>(*impl_->conn, std::move(handler));
}

}  // namespace schemac::pg
