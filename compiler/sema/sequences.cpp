// Standalone sequences and the parameters shared with identity columns.
#include <fmt/format.h>

#include <charconv>
#include <limits>

#include "compiler/sema/context.h"
#include "compiler/sema/types.h"

namespace schemac::sema {
namespace {

struct Range {
  int64_t min;
  int64_t max;
};

std::optional<Range> RangeOf(const model::TypeName& type) {
  if (!type.IsBuiltin() || type.array_dims != 0) return std::nullopt;
  if (type.name == "smallint") return Range{-32768, 32767};
  if (type.name == "integer") return Range{std::numeric_limits<int32_t>::min(),
                                           std::numeric_limits<int32_t>::max()};
  if (type.name == "bigint") return Range{INT64_MIN, INT64_MAX};
  return std::nullopt;
}

// Parses an integer option as written; reports and returns nullopt when it is not a bigint.
std::optional<int64_t> ParseOption(Context& ctx, const std::string& text, const char* what,
                                   Loc loc) {
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) {
    ctx.Error(DiagKind::InvalidOption, loc,
              fmt::format("{} '{}' is not a bigint value", what, text));
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<model::SequenceParams> MakeSequenceParams(Context& ctx,
                                                        const ast::SequenceOptions& options,
                                                        const model::TypeName& type) {
  const Loc loc = options.loc;
  model::SequenceParams p;
  p.type = type;
  const std::optional<Range> range = RangeOf(type);
  if (!range) {
    ctx.Error(DiagKind::InvalidOption, loc,
              fmt::format("sequence type must be smallint, integer, or bigint, not '{}'",
                          DisplayType(type)));
    return std::nullopt;
  }
  bool ok = true;
  auto option = [&](const std::optional<std::string>& text, const char* what)
      -> std::optional<int64_t> {
    if (!text || text->empty()) return std::nullopt;
    std::optional<int64_t> v = ParseOption(ctx, *text, what, loc);
    if (!v) ok = false;
    return v;
  };
  const std::optional<int64_t> increment = option(options.increment, "increment");
  const std::optional<int64_t> min_value = option(options.min_value, "minvalue");
  const std::optional<int64_t> max_value = option(options.max_value, "maxvalue");
  const std::optional<int64_t> start = option(options.start, "start");
  const std::optional<int64_t> cache = option(options.cache, "cache");
  if (!ok) return std::nullopt;

  p.increment = increment.value_or(1);
  if (p.increment == 0) {
    ctx.Error(DiagKind::InvalidOption, loc, "sequence increment must not be zero");
    return std::nullopt;
  }
  // PostgreSQL's defaults (init_params in commands/sequence.c): ascending sequences run from 1 to
  // the type's maximum, descending ones from -1 down to the type's minimum, and start at the end
  // they count away from.
  const bool ascending = p.increment > 0;
  p.min_value = min_value.value_or(ascending ? 1 : range->min);
  p.max_value = max_value.value_or(ascending ? range->max : -1);
  const std::string type_name = DisplayType(type);
  for (auto [value, what] : {std::pair{p.min_value, "minvalue"}, {p.max_value, "maxvalue"}}) {
    if (value < range->min || value > range->max) {
      ctx.Error(DiagKind::InvalidOption, loc,
                fmt::format("{} ({}) is out of range for sequence data type {}", what, value,
                            type_name));
      return std::nullopt;
    }
  }
  if (p.min_value >= p.max_value) {
    ctx.Error(DiagKind::InvalidOption, loc,
              fmt::format("minvalue ({}) must be less than maxvalue ({})", p.min_value,
                          p.max_value));
    return std::nullopt;
  }
  p.start = start.value_or(ascending ? p.min_value : p.max_value);
  if (p.start < p.min_value) {
    ctx.Error(DiagKind::InvalidOption, loc,
              fmt::format("start value ({}) cannot be less than minvalue ({})", p.start,
                          p.min_value));
    return std::nullopt;
  }
  if (p.start > p.max_value) {
    ctx.Error(DiagKind::InvalidOption, loc,
              fmt::format("start value ({}) cannot be greater than maxvalue ({})", p.start,
                          p.max_value));
    return std::nullopt;
  }
  p.cache = cache.value_or(1);
  if (p.cache < 1) {
    ctx.Error(DiagKind::InvalidOption, loc,
              fmt::format("cache ({}) must be greater than zero", p.cache));
    return std::nullopt;
  }
  p.cycle = options.cycle.value_or(false);
  return p;
}

void BuildSequences(Context& ctx) {
  for (SequenceState& s : ctx.sequences) {
    const ast::Sequence& a = *s.ast;
    if (a.renamed_from) {
      s.model.renamed_from =
          QName{a.renamed_from->schema ? a.renamed_from->schema->text : s.model.name.schema,
                a.renamed_from->name.text};
    }
    model::TypeName type{.schema = "pg_catalog", .name = "bigint", .modifiers = "",
                         .array_dims = 0};
    if (a.options.as_type) {
      std::optional<model::TypeName> t = ResolveType(ctx, *a.options.as_type, TypeUse::Other, nullptr);
      if (!t) continue;
      type = *t;
    }
    if (auto params = MakeSequenceParams(ctx, a.options, type)) s.model.params = *params;
  }
}

void ResolveSequenceOwners(Context& ctx) {
  for (SequenceState& s : ctx.sequences) {
    const ast::Sequence& a = *s.ast;
    if (!a.owned_by) continue;
    const ast::QualName& owner = *a.owned_by;
    if (!owner.schema) {
      ctx.Error(DiagKind::InvalidOption, owner.loc,
                "'owned by' needs a column written as table.column");
      continue;
    }
    // The parser keeps `schema.table` of a three-part name in the schema slot.
    const std::string& table_part = owner.schema->text;
    const size_t dot = table_part.find('.');
    const QName table_name = dot == std::string::npos
                                 ? QName{"public", table_part}
                                 : QName{table_part.substr(0, dot), table_part.substr(dot + 1)};
    TableState* table = ctx.FindTable(table_name);
    if (table == nullptr) {
      ctx.Error(DiagKind::UnknownTable, owner.schema->loc,
                fmt::format("unknown table '{}'", Display(table_name)));
      continue;
    }
    if (ctx.FindColumn(*table, owner.name.text) == nullptr) {
      ctx.Error(DiagKind::UnknownColumn, owner.name.loc,
                fmt::format("unknown column '{}' in table '{}'", owner.name.text,
                            Display(table_name)));
      continue;
    }
    if (table_name.schema != s.model.name.schema) {
      ctx.Error(DiagKind::InvalidOption, owner.loc,
                fmt::format("sequence '{}' must be in the same schema as table '{}' that owns it",
                            Display(s.model.name), Display(table_name)));
      continue;
    }
    s.model.owned_by_table = table_name;
    s.model.owned_by_column = owner.name.text;
  }
}

}  // namespace schemac::sema
