// ClassifyTypeChange: which column type changes keep every value, and which rewrite the table.
#include "compiler/diff/type_change.h"

#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <vector>

namespace schemac::diff {

namespace {

enum class Family {
  Integer, Numeric, Float, Text, BoundedText, FixedText, Timestamp, TimestampTz, Date, Time,
  Interval, Json, Jsonb, Bit, VarBit, Inet, Cidr, Other
};

// A scalar type with its modifiers read: "(12,2)" -> {12, 2}.
struct Info {
  Family family = Family::Other;
  int bytes = 0;                  // integers and floats
  std::vector<int> modifiers;     // as written in the typmod
};

std::vector<int> ParseModifiers(const std::string& text) {
  std::vector<int> out;
  if (text.size() < 2 || text.front() != '(') return out;
  const char* p = text.c_str() + 1;
  while (*p != '\0' && *p != ')') {
    char* end = nullptr;
    long value = std::strtol(p, &end, 10);
    if (end == p) return {};
    out.push_back(static_cast<int>(value));
    p = *end == ',' ? end + 1 : end;
  }
  return out;
}

Info Describe(const model::TypeName& type) {
  Info info;
  info.modifiers = ParseModifiers(type.modifiers);
  if (!type.IsBuiltin()) return info;
  const std::string& n = type.name;
  if (n == "smallint") info = {Family::Integer, 2, {}};
  else if (n == "integer") info = {Family::Integer, 4, {}};
  else if (n == "bigint") info = {Family::Integer, 8, {}};
  else if (n == "real") info = {Family::Float, 4, {}};
  else if (n == "double precision") info = {Family::Float, 8, {}};
  else if (n == "numeric") info.family = Family::Numeric;
  else if (n == "text") info.family = Family::Text;
  else if (n == "character varying") {
    info.family = info.modifiers.empty() ? Family::Text : Family::BoundedText;
  } else if (n == "character" || n == "bpchar") {
    info.family = Family::FixedText;
    // `character` without a length is character(1); bpchar without one is unbounded.
    if (info.modifiers.empty() && n == "character") info.modifiers = {1};
  } else if (n == "timestamp without time zone") info.family = Family::Timestamp;
  else if (n == "timestamp with time zone") info.family = Family::TimestampTz;
  else if (n == "date") info.family = Family::Date;
  else if (n == "time without time zone") info.family = Family::Time;
  else if (n == "interval") info.family = Family::Interval;
  else if (n == "json") info.family = Family::Json;
  else if (n == "jsonb") info.family = Family::Jsonb;
  else if (n == "bit") info.family = Family::Bit;
  else if (n == "bit varying") info.family = Family::VarBit;
  else if (n == "inet") info.family = Family::Inet;
  else if (n == "cidr") info.family = Family::Cidr;
  return info;
}

// Modifier `index`, or `fallback` when it is not written.
int Mod(const Info& info, size_t index, int fallback) {
  return index < info.modifiers.size() ? info.modifiers[index] : fallback;
}

// Decimal digits an integer type can need.
int IntegerDigits(int bytes) { return bytes == 2 ? 5 : bytes == 4 ? 10 : 19; }

TypeChange Safe(bool rewrites) { return {false, rewrites, ""}; }
TypeChange Lossy(std::string reason) { return {true, true, std::move(reason)}; }

// The same family, differing only in a length or precision modifier (`fallback` when unwritten).
TypeChange WidenOnly(const Info& from, const Info& to, int fallback, const std::string& what) {
  int a = Mod(from, 0, fallback);
  int b = Mod(to, 0, fallback);
  if (b >= a) return Safe(false);
  return Lossy(fmt::format("{} shrinks from {} to {}", what, a, b));
}

TypeChange ToNumeric(const Info& from, const Info& to) {
  bool bounded = !to.modifiers.empty();
  int p2 = Mod(to, 0, 0);
  int s2 = Mod(to, 1, 0);
  if (from.family == Family::Integer) {
    if (!bounded || p2 - s2 >= IntegerDigits(from.bytes)) return Safe(true);
    return Lossy(fmt::format("numeric({},{}) cannot hold every value of the integer type", p2, s2));
  }
  if (from.family != Family::Numeric) return Lossy("the value may not convert to numeric exactly");
  if (!bounded) return Safe(false);
  if (from.modifiers.empty()) return Lossy("unbounded numeric values may not fit the precision");
  int p = Mod(from, 0, 0);
  int s = Mod(from, 1, 0);
  if (s2 < s) return Lossy(fmt::format("scale shrinks from {} to {}: digits are rounded", s, s2));
  if (p2 - s2 < p - s) return Lossy("fewer digits before the decimal point: large values fail");
  // numeric_support skips the rewrite when only the precision grows.
  return Safe(!(s2 == s && p2 >= p));
}

TypeChange ToInteger(const Info& from, const Info& to) {
  if (from.family == Family::Integer) {
    if (to.bytes >= from.bytes) return Safe(true);
    return Lossy("narrower integer: large values fail");
  }
  if (from.family == Family::Numeric || from.family == Family::Float) {
    return Lossy("fractional parts are rounded away");
  }
  return Lossy("the cast to an integer can fail");
}

TypeChange ToFloat(const Info& from, const Info& to) {
  if (from.family == Family::Float) {
    if (to.bytes >= from.bytes) return Safe(true);
    return Lossy("double precision values are rounded to real");
  }
  // A float's mantissa holds 24 (real) or 53 (double) bits exactly.
  if (from.family == Family::Integer) {
    bool exact = to.bytes == 8 ? from.bytes <= 4 : from.bytes <= 2;
    if (exact) return Safe(true);
    return Lossy("large integers are rounded by a float");
  }
  return Lossy("values are rounded to a float");
}

TypeChange ToTimestamp(const Info& from, const Info& to) {
  if (from.family == to.family) return WidenOnly(from, to, 6, "fractional-second precision");
  if (from.family == Family::Date) return Safe(true);
  if (from.family == Family::Timestamp && to.family == Family::TimestampTz) {
    if (Mod(to, 0, 6) >= Mod(from, 0, 6)) return Safe(true);
    return Lossy("fractional-second precision shrinks");
  }
  if (from.family == Family::TimestampTz) {
    return Lossy("the time zone is dropped: values are converted with the session's TimeZone");
  }
  return Lossy("the cast to a timestamp can fail");
}

TypeChange ClassifyScalar(const model::TypeName& from_type, const model::TypeName& to_type) {
  Info from = Describe(from_type);
  Info to = Describe(to_type);
  // Every type has a text form, so converting to text or unbounded varchar keeps every value.
  if (to.family == Family::Text) {
    if (from.family == Family::Text || from.family == Family::BoundedText) return Safe(false);
    return Safe(true);
  }
  switch (to.family) {
    case Family::BoundedText:
      if (from.family == Family::BoundedText) return WidenOnly(from, to, 0, "length");
      if (from.family == Family::FixedText && !from.modifiers.empty() &&
          Mod(from, 0, 0) <= Mod(to, 0, 0)) {
        return Safe(true);
      }
      return Lossy(fmt::format("values longer than {} characters are truncated", Mod(to, 0, 0)));
    case Family::FixedText:
      if (from.family == Family::FixedText && !from.modifiers.empty()) {
        if (Mod(to, 0, 0) >= Mod(from, 0, 0) || to.modifiers.empty()) return Safe(true);
      }
      return Lossy("values are truncated or padded to the fixed length");
    case Family::Integer: return ToInteger(from, to);
    case Family::Numeric: return ToNumeric(from, to);
    case Family::Float: return ToFloat(from, to);
    case Family::Timestamp:
    case Family::TimestampTz: return ToTimestamp(from, to);
    case Family::Date:
      if (from.family == Family::Timestamp || from.family == Family::TimestampTz) {
        return Lossy("the time of day is dropped");
      }
      return Lossy("the cast to date can fail");
    case Family::Time:
      if (from.family == Family::Time) return WidenOnly(from, to, 6, "fractional-second precision");
      return Lossy("the cast to time can fail");
    case Family::Interval:
      if (from.family == Family::Interval && from_type.name == to_type.name) {
        return WidenOnly(from, to, 6, "fractional-second precision");
      }
      return Lossy("interval fields or precision change");
    case Family::Json:
      if (from.family == Family::Jsonb) return Safe(true);
      return Lossy("the cast to json can fail");
    case Family::Jsonb:
      if (from.family == Family::Json) {
        return Lossy("jsonb keeps neither duplicate keys, key order nor whitespace");
      }
      return Lossy("the cast to jsonb can fail");
    case Family::VarBit:
      if ((from.family == Family::VarBit || from.family == Family::Bit) &&
          !from.modifiers.empty()) {
        if (to.modifiers.empty() || Mod(to, 0, 0) >= Mod(from, 0, 0)) return Safe(false);
      }
      return Lossy("bit strings are truncated");
    case Family::Inet:
      if (from.family == Family::Cidr) return Safe(false);
      return Lossy("the cast to inet can fail");
    default:
      break;
  }
  return Lossy(fmt::format("no known lossless conversion from {} to {}", from_type.ToSql(),
                           to_type.ToSql()));
}

}  // namespace

TypeChange ClassifyTypeChange(const model::TypeName& from, const model::TypeName& to) {
  if (from == to) return Safe(false);
  if (from.array_dims == 0 && to.array_dims == 0) return ClassifyScalar(from, to);
  if (to.array_dims == 0) {
    // An array's text form keeps every element.
    if (Describe(to).family == Family::Text) return Safe(true);
    return Lossy(fmt::format("{} is an array and {} is not", from.ToSql(), to.ToSql()));
  }
  if (from.array_dims == 0) {
    return Lossy(fmt::format("{} is not an array and {} is", from.ToSql(), to.ToSql()));
  }
  model::TypeName from_element = from;
  model::TypeName to_element = to;
  from_element.array_dims = 0;
  to_element.array_dims = 0;
  TypeChange element = ClassifyScalar(from_element, to_element);
  // Element-wise coercions (ArrayCoerceExpr) are only skipped when they are pure relabelings.
  element.rewrites = element.rewrites || from.modifiers != to.modifiers;
  return element;
}

}  // namespace schemac::diff
