// JSON form of model objects, without source locations: what the runtime's normalization cache
// stores (runtime/plan/normalize_cache.h). Round trip: FromJson(ToJson(x)) equals x apart from every
// `loc`, which comes back invalid.
#pragma once

#include <string>
#include <string_view>

#include "compiler/model/model.h"

namespace schemac::model {

// Defined for Extension, Schema, Enum, Domain, CompositeType, Sequence, Table, Index, View,
// Function, Trigger, Policy, Grant and Catalog (without its roles).
template <typename T>
std::string ToJson(const T& object);
// Throws std::runtime_error when `text` is not the JSON of a T.
template <typename T>
T FromJson(std::string_view text);

}  // namespace schemac::model
