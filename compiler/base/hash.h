// A stable 128-bit hash for fingerprints and cache keys: the same bytes give the same hex string
// on every machine, build and run (std::hash promises none of that). Not cryptographic: it guards
// against accidents (a changed schema, a stale cache entry), not against an adversary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace schemac::base {

class StableHasher {
 public:
  // Adds `s` and a separator, so ("ab", "c") and ("a", "bc") hash differently.
  void Add(std::string_view s);
  // 32 lower-case hex digits.
  std::string Hex() const;

 private:
  uint64_t a_ = 0xcbf29ce484222325ULL;
  uint64_t b_ = 0x84222325cbf29ce4ULL;
};

// StableHasher over one string.
std::string StableHash(std::string_view s);

}  // namespace schemac::base
