// Row access, types and small text helpers shared by the readers.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "runtime/catalog/internal/reader.h"

namespace schemac::catalog::internal {
namespace {

const Json& Field(const Json& row, std::string_view key) {
  auto it = row.find(key);
  if (it == row.end()) {
    throw std::runtime_error(fmt::format("catalog query row has no column '{}'", key));
  }
  return *it;
}

[[noreturn]] void WrongType(std::string_view key, std::string_view value, const char* expected) {
  throw std::runtime_error(
      fmt::format("catalog query column '{}' is '{}', expected {}", key, value, expected));
}

[[noreturn]] void Null(std::string_view key) {
  throw std::runtime_error(fmt::format("catalog query column '{}' is NULL", key));
}

Json ParseJson(std::string_view key, const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw std::runtime_error(fmt::format("catalog query column '{}': {}", key, e.what()));
  }
}

std::vector<std::string> StringsOf(std::string_view key, const Json& v) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) WrongType(key, v.dump(), "an array");
  out.reserve(v.size());
  for (const Json& item : v) {
    if (!item.is_string()) WrongType(key, item.dump(), "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// A one-dimensional PostgreSQL array in text form: {a,"b c",NULL}. Elements are quoted when they
// need it, with \" and \\ escapes inside quotes; an unquoted NULL is a null element, which a list
// of names never holds.
std::vector<std::string> ParseArray(std::string_view key, std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    WrongType(key, text, "a one-dimensional array");
  }
  std::vector<std::string> out;
  const std::string_view body = text.substr(1, text.size() - 2);
  if (body.empty()) return out;
  size_t i = 0;
  while (true) {
    std::string item;
    if (i < body.size() && body[i] == '"') {
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        item += body[i];
      }
      ++i;  // closing quote
    } else {
      const size_t end = std::min(body.find(',', i), body.size());
      item = std::string(body.substr(i, end - i));
      if (item == "NULL" || item.find_first_of("{}") != std::string::npos) {
        WrongType(key, text, "an array of non-null strings");
      }
      i = end;
    }
    out.push_back(std::move(item));
    if (i >= body.size()) break;
    if (body[i] != ',') WrongType(key, text, "a one-dimensional array");
    ++i;
  }
  return out;
}

template <typename R>
model::TypeName TypeFromImpl(const R& row, std::string_view prefix) {
  const std::string p(prefix);
  model::TypeName type;
  type.schema = Str(row, p + "schema");
  const std::string full = Str(row, p + "full");
  const int64_t typmod = Int(row, p + "typmod");
  type.array_dims = static_cast<int>(Int(row, p + "dims"));
  if (type.IsBuiltin()) {
    // format_type's spelling; the modifiers are the one parenthesized part, which sits inside the
    // name for time types ("timestamp(3) with time zone") and intervals with fields
    // ("interval day to second(3)").
    const size_t open = full.find('(');
    const size_t close = open == std::string::npos ? std::string::npos : full.find(')', open);
    if (typmod >= 0 && close != std::string::npos) {
      type.modifiers = full.substr(open, close - open + 1);
      type.name = full.substr(0, open) + full.substr(close + 1);
    } else {
      type.name = full;
    }
    return type;
  }
  type.name = Str(row, p + "typname");
  if (typmod >= 0 && !full.empty() && full.back() == ')') {
    const size_t open = full.rfind('(');
    if (open != std::string::npos) type.modifiers = full.substr(open);
  }
  return type;
}

template <typename R>
model::SequenceParams SequenceParamsImpl(const R& row) {
  model::SequenceParams p;
  p.type = model::TypeName{.schema = "pg_catalog", .name = Str(row, "type"), .modifiers = "",
                           .array_dims = 0};
  p.start = Int(row, "start");
  p.increment = Int(row, "increment");
  p.min_value = Int(row, "min_value");
  p.max_value = Int(row, "max_value");
  p.cache = Int(row, "cache");
  p.cycle = Bool(row, "cycle");
  return p;
}

}  // namespace

// ---- query rows -----------------------------------------------------------------------------------

const std::optional<std::string>& Row::Get(std::string_view key) const {
  auto it = columns_->find(key);
  if (it == columns_->end()) {
    throw std::runtime_error(fmt::format("catalog query has no column '{}'", key));
  }
  return (*values_)[it->second];
}

Rows::Rows(Columns columns, std::vector<Values> values)
    : columns_(std::make_unique<Columns>(std::move(columns))), values_(std::move(values)) {
  rows_.reserve(values_.size());
  for (const Values& v : values_) rows_.emplace_back(columns_.get(), &v);
}

std::string Str(const Row& row, std::string_view key) {
  const std::optional<std::string>& v = row.Get(key);
  if (!v) Null(key);
  return *v;
}

std::optional<std::string> OptStr(const Row& row, std::string_view key) { return row.Get(key); }

bool Bool(const Row& row, std::string_view key) {
  const std::optional<std::string>& v = row.Get(key);
  if (!v) Null(key);
  if (*v == "t") return true;
  if (*v == "f") return false;
  WrongType(key, *v, "a boolean");
}

int64_t Int(const Row& row, std::string_view key) {
  const std::optional<std::string>& v = row.Get(key);
  if (!v) Null(key);
  try {
    size_t used = 0;
    const int64_t n = std::stoll(*v, &used);
    if (used == v->size()) return n;
  } catch (const std::exception&) {
  }
  WrongType(key, *v, "an integer");
}

std::vector<std::string> Strings(const Row& row, std::string_view key) {
  const std::optional<std::string>& v = row.Get(key);
  if (!v) return {};
  if (!v->empty() && v->front() == '{') return ParseArray(key, *v);
  return StringsOf(key, ParseJson(key, *v));
}

Json JsonOf(const Row& row, std::string_view key) {
  const std::optional<std::string>& v = row.Get(key);
  if (!v) return Json();
  return ParseJson(key, *v);
}

Json Array(const Row& row, std::string_view key) {
  Json v = JsonOf(row, key);
  if (v.is_null()) return Json::array();
  if (!v.is_array()) WrongType(key, v.dump(), "an array");
  return v;
}

// ---- JSON built by the queries ----------------------------------------------------------------------

std::string Str(const Json& row, std::string_view key) {
  const Json& v = Field(row, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  WrongType(key, v.dump(), "a string");
}

std::optional<std::string> OptStr(const Json& row, std::string_view key) {
  const Json& v = Field(row, key);
  if (v.is_null()) return std::nullopt;
  return Str(row, key);
}

bool Bool(const Json& row, std::string_view key) {
  const Json& v = Field(row, key);
  if (!v.is_boolean()) WrongType(key, v.dump(), "a boolean");
  return v.get<bool>();
}

int64_t Int(const Json& row, std::string_view key) {
  const Json& v = Field(row, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  WrongType(key, v.dump(), "an integer");
}

std::vector<std::string> Strings(const Json& row, std::string_view key) {
  return StringsOf(key, Field(row, key));
}

const Json& Array(const Json& row, std::string_view key) {
  static const Json kEmpty = Json::array();
  const Json& v = Field(row, key);
  if (v.is_null()) return kEmpty;
  if (!v.is_array()) WrongType(key, v.dump(), "an array");
  return v;
}

model::TypeName TypeFrom(const Row& row, std::string_view prefix) {
  return TypeFromImpl(row, prefix);
}
model::TypeName TypeFrom(const Json& row, std::string_view prefix) {
  return TypeFromImpl(row, prefix);
}
model::SequenceParams SequenceParamsFrom(const Row& row) { return SequenceParamsImpl(row); }
model::SequenceParams SequenceParamsFrom(const Json& row) { return SequenceParamsImpl(row); }

std::vector<std::string> SplitTopLevel(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      current += c;
      if (c == quote) {
        // A doubled quote is an escaped one.
        if (i + 1 < text.size() && text[i + 1] == quote) {
          current += text[++i];
        } else {
          quote = 0;
        }
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  out.push_back(current);
  for (std::string& s : out) {
    s.erase(0, s.find_first_not_of(" \t\n"));
    s.erase(s.find_last_not_of(" \t\n") + 1);
  }
  return out;
}

model::Expr CanonicalExpr(std::string text) { return model::Expr{std::move(text), model::Loc{}}; }

std::string TriggerWhen(std::string_view definition) {
  // pg_get_triggerdef: CREATE [CONSTRAINT] TRIGGER name timing events ON table ...
  // FOR EACH ROW|STATEMENT [WHEN (condition)] EXECUTE FUNCTION f(args). The table and trigger names
  // come before FOR EACH, so the first " WHEN (" after it starts the condition.
  size_t start = std::string_view::npos;
  for (std::string_view level : {" FOR EACH ROW WHEN (", " FOR EACH STATEMENT WHEN ("}) {
    const size_t at = definition.find(level);
    if (at != std::string_view::npos && at < start) start = at + level.size();
  }
  if (start == std::string_view::npos) return "";
  int depth = 1;
  char quote = 0;
  for (size_t i = start; i < definition.size(); ++i) {
    const char c = definition[i];
    if (quote != 0) {
      if (c == quote) {
        if (i + 1 < definition.size() && definition[i + 1] == quote) {
          ++i;
        } else {
          quote = 0;
        }
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return std::string(definition.substr(start, i - start));
    }
  }
  throw std::runtime_error(fmt::format("cannot find the WHEN condition in '{}'", definition));
}

std::vector<std::string> TriggerArgs(std::string_view hex, int64_t nargs) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error(fmt::format("tgargs is not hex: '{}'", hex));
  };
  std::vector<std::string> args;
  std::string current;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    const char byte = static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
    if (byte == '\0') {
      args.push_back(std::move(current));
      current.clear();
    } else {
      current += byte;
    }
  }
  if (static_cast<int64_t>(args.size()) != nargs) {
    throw std::runtime_error(
        fmt::format("tgargs holds {} arguments, tgnargs says {}", args.size(), nargs));
  }
  return args;
}

std::pair<std::string, std::string> SplitSetting(const std::string& setting) {
  const size_t eq = setting.find('=');
  if (eq == std::string::npos) return {setting, ""};
  return {setting.substr(0, eq), setting.substr(eq + 1)};
}

std::vector<std::pair<std::string, std::string>> StorageOf(const Row& row, std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& option : Strings(row, key)) out.push_back(SplitSetting(option));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace schemac::catalog::internal
