// Internal to compiler/sqltext: walking libpg_query's protobuf parse tree. Not part of the module's
// public interface (sqltext.h).
#pragma once

#include <pg_query/pg_query.pb-c.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/sqltext/sqltext.h"

namespace schemac::sqltext::internal {

// Bump allocator for protobuf-c unpacking. Unpacking with malloc costs one allocation per tree
// node, which was the largest cost after parsing itself; with the arena a whole tree is released by
// Reset(). Memory handed out stays valid until the next Reset().
class Arena {
 public:
  Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // The allocator to pass to the `*__unpack` functions; its free is a no-op.
  ProtobufCAllocator* Allocator() { return &allocator_; }
  void* Allocate(size_t size);
  // Releases everything allocated so far; keeps the first block for the next tree.
  void Reset();

 private:
  struct Block {
    std::unique_ptr<unsigned char[]> data;
    size_t size = 0;
  };
  std::vector<Block> blocks_;
  size_t current_ = 0;
  size_t used_ = 0;
  ProtobufCAllocator allocator_;
};

// Deepest message nesting accepted in a parse tree. protobuf-c unpacks recursively with about 1 KB
// of stack per level, and so do the walks here; 1000 levels (some 500 chained operators) is far
// beyond real embedded SQL yet safe on a 2 MB thread stack.
constexpr int kMaxNestingDepth = 1000;

// True if the serialized message `data` (of type `desc`) nests messages deeper than `limit`.
// Scans the wire format iteratively, so it is safe on trees that would overflow the stack when
// unpacked. Malformed input counts as too deep.
bool NestingExceeds(const uint8_t* data, size_t size, const ProtobufCMessageDescriptor* desc,
                    int limit);

// Byte length of the UTF-8 character starting with `lead`, exactly as PostgreSQL's pg_utf_mblen
// computes it (an invalid lead byte counts as one byte), so character counts match the server's.
size_t Utf8CharLength(unsigned char lead);

// Maps a parser location (byte offset in the parsed string, -1 when unknown) to a byte offset in
// the original text, which starts `prefix` bytes into the parsed string.
uint32_t MapLocation(int32_t location, int32_t prefix, size_t text_size);

// Appends the references of one top-level statement (or any subtree) to `result.refs`, in tree
// order. Unqualified relations named like a CTE of the subtree are dropped. A malformed sequence
// name in nextval('...') is reported through `error`/`error_location` (first by location; location
// -1 and an empty error when there is none).
struct CollectResult {
  std::vector<Ref> refs;
  std::string error;
  int32_t error_location = -1;
};
void CollectRefs(const ProtobufCMessage* root, int32_t prefix, size_t text_size,
                 CollectResult& result);

// The largest parser location anywhere under `msg`, or -1.
int32_t MaxLocation(const ProtobufCMessage* msg);

// Splits a regclass input string the way PostgreSQL's regclassin does (SplitIdentifierString on
// '.', unquoted parts lower-cased, quoted parts exact, parts truncated to 63 bytes). Returns false
// with `error` set for malformed names. An all-digit string or "-" is an OID, not a name: returns
// true with `names` empty.
bool SplitRegclassName(std::string_view raw, std::vector<std::string>& names, std::string& error);

}  // namespace schemac::sqltext::internal
