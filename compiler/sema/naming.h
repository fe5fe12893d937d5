// PostgreSQL's rules for implicit object names (constraints, indexes, identity/serial sequences),
// reproduced byte for byte so that a model built from `.schema` files names things the way a
// database created from the equivalent SQL does. Pure functions; no sema state.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemac::sema {

// NAMEDATALEN - 1: the longest identifier PostgreSQL stores, in bytes.
inline constexpr size_t kMaxIdentifierBytes = 63;

// makeObjectName (src/backend/commands/indexcmds.c): "name1_name2_label", truncated to 63 bytes by
// shortening the longer of name1/name2 first (name2 on a tie), never splitting a UTF-8 character.
// `label` is never truncated.
std::string MakeObjectName(std::string_view name1, std::optional<std::string_view> name2,
                           std::string_view label);

// ChooseRelationName / ChooseConstraintName: MakeObjectName with `label`, then `label1`,
// `label2`, ... until `is_taken` returns false for the candidate.
std::string ChooseObjectName(std::string_view name1, std::optional<std::string_view> name2,
                             std::string_view label,
                             const std::function<bool(const std::string&)>& is_taken);

// ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition: the names joined by '_',
// stopping once the result reaches 64 bytes (makeObjectName truncates it further).
std::string NameAddition(const std::vector<std::string>& names);

// ChooseIndexColumnNames: per-element names of an index, with repeats made unique by appending
// 1, 2, ... (`a`, `a1`, `a2`). Elements are column names or FigureIndexColname results.
std::vector<std::string> IndexColumnNames(const std::vector<std::string>& element_names);

// FigureIndexColname for an index or exclusion element written as an expression: the function
// name of a call (`lower(name)` -> "lower"), the column of a bare or parenthesized column
// reference, the type of a cast of a non-column (`(1::text)` -> "text"), or "expr". Works on the
// text, approximating PostgreSQL's FigureColnameInternal on the raw parse tree.
std::string FigureIndexColname(std::string_view expression);

}  // namespace schemac::sema
