#include "compiler/sqltext/tree_walk.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace schemac::sqltext::internal {
namespace {

// Big enough for the tree of any ordinary expression, so the common case never grows the arena.
constexpr size_t kArenaBlockSize = 64 * 1024;

std::string_view Str(const char* s) {
  return s == nullptr ? std::string_view() : std::string_view(s);
}

// Calls `visit` on each direct child message of `msg`, in field order.
template <typename Visit>
void ForEachChild(const ProtobufCMessage* msg, Visit&& visit) {
  const ProtobufCMessageDescriptor* desc = msg->descriptor;
  const char* base = reinterpret_cast<const char*>(msg);
  if (desc == &pg_query__node__descriptor) {
    // Node is a single oneof over ~250 message types sharing one union: read the union directly
    // instead of scanning every field descriptor for each node of the tree.
    const auto* node = reinterpret_cast<const PgQuery__Node*>(msg);
    if (node->node_case == PG_QUERY__NODE__NODE__NOT_SET) return;
    const auto* child = *reinterpret_cast<ProtobufCMessage* const*>(base + desc->fields[0].offset);
    if (child != nullptr) visit(child);
    return;
  }
  for (unsigned i = 0; i < desc->n_fields; ++i) {
    const ProtobufCFieldDescriptor& field = desc->fields[i];
    if (field.type != PROTOBUF_C_TYPE_MESSAGE) continue;
    if (field.label == PROTOBUF_C_LABEL_REPEATED) {
      size_t count = *reinterpret_cast<const size_t*>(base + field.quantifier_offset);
      auto* items = *reinterpret_cast<ProtobufCMessage* const* const*>(base + field.offset);
      for (size_t j = 0; j < count; ++j) {
        if (items[j] != nullptr) visit(items[j]);
      }
      continue;
    }
    // Members of a oneof share storage; only the active one may be read.
    if ((field.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
        *reinterpret_cast<const uint32_t*>(base + field.quantifier_offset) != field.id) {
      continue;
    }
    const auto* child = *reinterpret_cast<ProtobufCMessage* const*>(base + field.offset);
    if (child != nullptr) visit(child);
  }
}

// Appends the String parts of a name list; false if any part is not a String (e.g. `*`).
bool AppendNames(PgQuery__Node* const* items, size_t count, std::vector<std::string>& names) {
  for (size_t i = 0; i < count; ++i) {
    if (items[i] == nullptr || items[i]->node_case != PG_QUERY__NODE__NODE_STRING) return false;
    names.emplace_back(Str(items[i]->string->sval));
  }
  return true;
}

std::string_view LastName(PgQuery__Node* const* items, size_t count) {
  if (count == 0 || items[count - 1]->node_case != PG_QUERY__NODE__NODE_STRING) return {};
  return Str(items[count - 1]->string->sval);
}

// True for `name` or `pg_catalog.name` where name is one of the sequence functions.
bool IsSequenceFunction(const PgQuery__FuncCall* call) {
  if (call->n_funcname == 2) {
    const PgQuery__Node* schema = call->funcname[0];
    if (schema->node_case != PG_QUERY__NODE__NODE_STRING ||
        Str(schema->string->sval) != "pg_catalog") {
      return false;
    }
  } else if (call->n_funcname != 1) {
    return false;
  }
  std::string_view name = LastName(call->funcname, call->n_funcname);
  return name == "nextval" || name == "currval" || name == "setval";
}

class Collector {
 public:
  Collector(int32_t prefix, size_t text_size, CollectResult& result)
      : prefix_(prefix), text_size_(text_size), result_(result), first_ref_(result.refs.size()) {}

  void Walk(const ProtobufCMessage* msg) {
    const ProtobufCMessageDescriptor* desc = msg->descriptor;
    if (desc == &pg_query__range_var__descriptor) {
      OnRangeVar(reinterpret_cast<const PgQuery__RangeVar*>(msg));
    } else if (desc == &pg_query__func_call__descriptor) {
      OnFuncCall(reinterpret_cast<const PgQuery__FuncCall*>(msg));
    } else if (desc == &pg_query__column_ref__descriptor) {
      OnColumnRef(reinterpret_cast<const PgQuery__ColumnRef*>(msg));
      return;
    } else if (desc == &pg_query__type_name__descriptor) {
      OnTypeName(reinterpret_cast<const PgQuery__TypeName*>(msg));
    } else if (desc == &pg_query__common_table_expr__descriptor) {
      cte_names_.push_back(Str(reinterpret_cast<const PgQuery__CommonTableExpr*>(msg)->ctename));
    } else if (desc == &pg_query__string__descriptor || desc == &pg_query__a__const__descriptor) {
      // Leaves: nothing below can be a reference.
      return;
    }
    ForEachChild(msg, [this](const ProtobufCMessage* child) { Walk(child); });
  }

  // Drops unqualified relation references that name a CTE. Scoping is ignored on purpose: a CTE
  // name shadowing a real table elsewhere in the same statement is rare, and the price is only a
  // missed dependency, never a false error.
  void Finish() {
    if (cte_names_.empty()) return;
    auto& refs = result_.refs;
    auto is_cte = [this](const Ref& ref) {
      return ref.kind == Ref::Kind::Relation && ref.names.size() == 1 &&
             std::find(cte_names_.begin(), cte_names_.end(), ref.names[0]) != cte_names_.end();
    };
    refs.erase(
        std::remove_if(refs.begin() + static_cast<std::ptrdiff_t>(first_ref_), refs.end(), is_cte),
        refs.end());
  }

 private:
  void Add(Ref::Kind kind, std::vector<std::string> names, int32_t location) {
    Ref& ref = result_.refs.emplace_back();
    ref.kind = kind;
    ref.names = std::move(names);
    ref.offset = MapLocation(location, prefix_, text_size_);
  }

  void SetError(std::string message, int32_t location) {
    if (!result_.error.empty() && result_.error_location <= location) return;
    result_.error = std::move(message);
    result_.error_location = location;
  }

  void OnRangeVar(const PgQuery__RangeVar* var) {
    std::vector<std::string> names;
    for (const char* part : {var->catalogname, var->schemaname, var->relname}) {
      if (!Str(part).empty()) names.emplace_back(part);
    }
    if (!names.empty()) Add(Ref::Kind::Relation, std::move(names), var->location);
  }

  void OnFuncCall(const PgQuery__FuncCall* call) {
    std::vector<std::string> names;
    if (AppendNames(call->funcname, call->n_funcname, names)) {
      Add(Ref::Kind::Function, std::move(names), call->location);
    }
    if (call->n_args == 0 || !IsSequenceFunction(call)) return;
    // nextval('name') and nextval('name'::regclass): the string is resolved as a regclass.
    const PgQuery__Node* arg = call->args[0];
    if (arg->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && arg->type_cast->type_name != nullptr) {
      const PgQuery__TypeName* type = arg->type_cast->type_name;
      std::string_view type_name = LastName(type->names, type->n_names);
      if (type_name != "regclass" && type_name != "text" && type_name != "varchar") return;
      arg = arg->type_cast->arg;
    }
    if (arg == nullptr || arg->node_case != PG_QUERY__NODE__NODE_A_CONST ||
        arg->a_const->val_case != PG_QUERY__A__CONST__VAL_SVAL) {
      return;
    }
    std::vector<std::string> sequence_names;
    std::string error;
    if (!SplitRegclassName(Str(arg->a_const->sval->sval), sequence_names, error)) {
      SetError(std::move(error), arg->a_const->location);
    } else if (!sequence_names.empty()) {
      Add(Ref::Kind::Sequence, std::move(sequence_names), arg->a_const->location);
    }
  }

  void OnColumnRef(const PgQuery__ColumnRef* ref) {
    // `*` and `t.*` are not column references; AppendNames fails on the A_Star part.
    std::vector<std::string> names;
    if (AppendNames(ref->fields, ref->n_fields, names) && !names.empty()) {
      Add(Ref::Kind::Column, std::move(names), ref->location);
    }
  }

  void OnTypeName(const PgQuery__TypeName* type) {
    std::vector<std::string> names;
    if (AppendNames(type->names, type->n_names, names) && !names.empty()) {
      Add(Ref::Kind::Type, std::move(names), type->location);
    }
  }

  int32_t prefix_;
  size_t text_size_;
  CollectResult& result_;
  size_t first_ref_;
  std::vector<std::string_view> cte_names_;
};

}  // namespace

Arena::Arena() {
  allocator_.alloc = [](void* data, size_t size) {
    return static_cast<Arena*>(data)->Allocate(size);
  };
  allocator_.free = [](void*, void*) {};
  allocator_.allocator_data = this;
}

void* Arena::Allocate(size_t size) {
  // Called from protobuf-c's C code: must not throw, reports failure as nullptr.
  size = (size + 15) & ~size_t{15};
  while (current_ < blocks_.size()) {
    Block& block = blocks_[current_];
    if (used_ + size <= block.size) {
      void* p = block.data.get() + used_;
      used_ += size;
      return p;
    }
    ++current_;
    used_ = 0;
  }
  size_t block_size = std::max(kArenaBlockSize, size);
  std::unique_ptr<unsigned char[]> data(new (std::nothrow) unsigned char[block_size]);
  if (data == nullptr) return nullptr;
  try {
    blocks_.push_back(Block{std::move(data), block_size});
  } catch (...) {
    return nullptr;
  }
  current_ = blocks_.size() - 1;
  used_ = size;
  return blocks_.back().data.get();
}

void Arena::Reset() {
  // Keep one block so steady-state analysis allocates nothing, but give back what a rare huge
  // tree needed.
  if (blocks_.size() > 1) blocks_.resize(1);
  current_ = 0;
  used_ = 0;
}

uint32_t MapLocation(int32_t location, int32_t prefix, size_t text_size) {
  if (location < prefix) return 0;
  size_t offset = static_cast<size_t>(location - prefix);
  return static_cast<uint32_t>(std::min(offset, text_size));
}

void CollectRefs(const ProtobufCMessage* root, int32_t prefix, size_t text_size,
                 CollectResult& result) {
  if (root == nullptr) return;
  Collector collector(prefix, text_size, result);
  collector.Walk(root);
  collector.Finish();
}

int32_t MaxLocation(const ProtobufCMessage* msg) {
  int32_t max_location = -1;
  const ProtobufCMessageDescriptor* desc = msg->descriptor;
  const char* base = reinterpret_cast<const char*>(msg);
  for (unsigned i = 0; i < desc->n_fields; ++i) {
    const ProtobufCFieldDescriptor& field = desc->fields[i];
    if (field.type == PROTOBUF_C_TYPE_INT32 && field.label != PROTOBUF_C_LABEL_REPEATED &&
        std::strcmp(field.name, "location") == 0) {
      max_location = std::max(max_location, *reinterpret_cast<const int32_t*>(base + field.offset));
    }
  }
  ForEachChild(msg, [&max_location](const ProtobufCMessage* child) {
    max_location = std::max(max_location, MaxLocation(child));
  });
  return max_location;
}

bool NestingExceeds(const uint8_t* data, size_t size, const ProtobufCMessageDescriptor* desc,
                    int limit) {
  // Each level costs at least a tag byte and a length byte.
  if (size / 2 <= static_cast<size_t>(limit)) return false;
  struct Level {
    size_t end;
    const ProtobufCMessageDescriptor* desc;
  };
  std::vector<Level> levels{{size, desc}};
  size_t pos = 0;
  auto read_varint = [&](uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && pos < size; shift += 7) {
      uint8_t byte = data[pos++];
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  };
  while (!levels.empty()) {
    if (pos >= levels.back().end) {
      if (pos > levels.back().end) return true;
      levels.pop_back();
      continue;
    }
    uint64_t tag = 0;
    uint64_t length = 0;
    if (!read_varint(tag)) return true;
    switch (tag & 7) {
      case 0:
        if (!read_varint(length)) return true;
        break;
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        if (!read_varint(length) || length > levels.back().end - pos) return true;
        const ProtobufCFieldDescriptor* field = protobuf_c_message_descriptor_get_field(
            levels.back().desc, static_cast<unsigned>(tag >> 3));
        if (field != nullptr && field->type == PROTOBUF_C_TYPE_MESSAGE) {
          if (static_cast<int>(levels.size()) >= limit) return true;
          levels.push_back(
              {pos + length, static_cast<const ProtobufCMessageDescriptor*>(field->descriptor)});
        } else {
          pos += length;
        }
        break;
      }
      default:
        return true;
    }
  }
  return false;
}

}  // namespace schemac::sqltext::internal
