// Names in embedded SQL (sql_names.cpp). Internal to compiler/diff.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schemac::diff::internal {

// A name as embedded SQL spells it: `orders` (qualifier empty) or `sales.orders`.
struct NameRef {
  std::string qualifier;
  std::string name;
};

// Every identifier of `text` (unquoted ones folded to lower case, quoted ones as written), and
// every `a.b` pair. String literal contents are scanned too: nextval('s.seq'::regclass) names
// s.seq.
// Over-approximates on purpose: a name that appears is taken as a possible reference.
std::vector<NameRef> NameRefs(std::string_view text);
// Whether `identifier` appears in `text` as a whole identifier.
bool Mentions(std::string_view text, std::string_view identifier);

}  // namespace schemac::diff::internal
