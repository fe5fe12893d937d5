#include "compiler/base/hash.h"

namespace schemac::base {

namespace {

uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

}  // namespace

void StableHasher::Add(std::string_view s) {
  for (unsigned char c : s) {
    a_ = (a_ ^ c) * 0x100000001b3ULL;
    b_ = (b_ ^ c) * 0x00000100000001b3ULL + 0x9e3779b97f4a7c15ULL;
  }
  a_ = (a_ ^ 0xff) * 0x100000001b3ULL;
  b_ = Mix64(b_ ^ s.size());
}

std::string StableHasher::Hex() const {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint64_t v : {Mix64(a_), Mix64(b_ ^ a_)}) {
    for (int i = 60; i >= 0; i -= 4) out += digits[(v >> i) & 0xf];
  }
  return out;
}

std::string StableHash(std::string_view s) {
  StableHasher h;
  h.Add(s);
  return h.Hex();
}

}  // namespace schemac::base
