// Context and the small helpers shared by the per-kind differs.
#include "compiler/diff/internal/context.h"

#include <fmt/format.h>

#include <algorithm>

namespace schemac::diff::internal {

Context::Context(const model::Catalog& from, const model::Catalog& to) : target(to), from_(from) {}

size_t Context::Emit(StepSpec spec) {
  PendingStep pending;
  pending.step.sql = std::move(spec.sql);
  pending.step.object = std::move(spec.object);
  pending.step.action = spec.action;
  pending.step.summary = std::move(spec.summary);
  pending.step.hazards = std::move(spec.hazards);
  pending.step.loc = spec.loc;
  pending.step.transactional = spec.transactional;
  pending.step.validate = spec.validate;
  pending.key = std::move(spec.key);
  pending.role = spec.role;
  pending.phase = spec.phase;
  pending.rank = spec.rank;
  pending.temporary = spec.temporary;
  pending.creates_object = spec.creates_object;
  return builder.Add(std::move(pending));
}

bool Online(const Context& ctx, const QualifiedName& table) {
  if (!ctx.options.online) return false;
  const model::Table* live = ctx.live_index->FindTable(table);
  // A recreated table is empty and new when its indexes are built.
  return live != nullptr && !live->partition_strategy && !ctx.TableRecreated(table);
}

std::string Concurrently(const std::string& create_index) {
  const size_t at = create_index.find("INDEX ");
  if (at == std::string::npos) return create_index;
  return create_index.substr(0, at) + "INDEX CONCURRENTLY " + create_index.substr(at + 6);
}

std::string NotValid(const std::string& sql) {
  size_t end = sql.find_last_not_of(" \n");
  if (end == std::string::npos || sql[end] != ';') return sql + " NOT VALID";
  return sql.substr(0, end) + " NOT VALID;";
}

std::string TempName(const std::string& base, const std::string& suffix) {
  std::string b = base;
  if (b.size() + suffix.size() > 63) {
    b.resize(63 - suffix.size());
    // Never cut a UTF-8 sequence in half.
    while (!b.empty() && (static_cast<unsigned char>(b.back()) & 0xC0) == 0x80) b.pop_back();
    if (!b.empty() && (static_cast<unsigned char>(b.back()) & 0x80) != 0) b.pop_back();
  }
  return b + suffix;
}

std::string Context::ForcedReason(const Key& key) const {
  auto it = recreations.reasons.find(key);
  if (it == recreations.reasons.end()) return "";
  return " (recreated: " + it->second + ")";
}

model::ObjectId ObjectOf(const Key& key) {
  using model::ObjectKind;
  switch (key.kind) {
    case KeyKind::Schema: return {ObjectKind::Schema, key.name};
    case KeyKind::Extension: return {ObjectKind::Extension, key.name};
    case KeyKind::Type: return {ObjectKind::Enum, key.name};
    case KeyKind::Sequence: return {ObjectKind::Sequence, key.name};
    case KeyKind::Routine: return {ObjectKind::Function, key.name};
    case KeyKind::Table:
    case KeyKind::Column: return {ObjectKind::Table, key.name};
    case KeyKind::Constraint:
      return {ObjectKind::Constraint, {key.name.schema, key.name.name + "." + key.sub}};
    case KeyKind::Index: return {ObjectKind::Index, key.name};
    case KeyKind::View: return {ObjectKind::View, key.name};
    case KeyKind::Trigger:
      return {ObjectKind::Trigger, {key.name.schema, key.name.name + "." + key.sub}};
    case KeyKind::Policy:
      return {ObjectKind::Policy, {key.name.schema, key.name.name + "." + key.sub}};
    case KeyKind::Collation: return {ObjectKind::Collation, key.name};
  }
  return {};
}

std::string Display(const QualifiedName& name) {
  return name.schema.empty() ? name.name : name.schema + "." + name.name;
}

std::string Display(const Key& key) {
  std::string out = Display(key.name);
  if (!key.sub.empty()) out += "." + key.sub;
  return out;
}

Key RoutineKey(const model::Function& function) {
  return {KeyKind::Routine, {function.name.schema, function.Signature()}, ""};
}

QualifiedName IndexName(const model::Index& index) {
  QualifiedName name = index.name;
  if (name.schema.empty()) name.schema = index.table.schema;
  return name;
}

const model::Column* ColumnNamed(const model::Table& table, const std::string& name) {
  for (const model::Column& column : table.columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

const model::Constraint* ConstraintNamed(const model::Table& table, const std::string& name) {
  for (const model::Constraint& constraint : table.constraints) {
    if (constraint.name == name) return &constraint;
  }
  return nullptr;
}

std::string AlterTable(const QualifiedName& table) {
  return "ALTER TABLE " + model::QuoteQualified(table);
}

void EmitComment(Context& ctx, const Key& key, const model::ObjectId& object,
                 const std::optional<std::string>* live_comment,
                 const std::optional<std::string>& target_comment,
                 const std::function<std::string()>& sql, base::Loc loc) {
  if (live_comment == nullptr ? !target_comment : *live_comment == target_comment) return;
  std::string what = target_comment ? "set" : "removed";
  ctx.Emit({.key = key, .role = Role::Decorate, .phase = Phase::Create, .rank = Rank::Comment,
            .object = object, .action = '~',
            .summary = fmt::format("comment on {} {}: {}", model::ObjectKindName(object.kind),
                                   Display(key), what),
            .sql = sql(), .loc = loc});
}

bool UsesColumn(const CatalogIndex& index, const Key& user, const QualifiedName& table,
                const std::string& column) {
  Key column_key{KeyKind::Column, table, column};
  std::vector<Key> uses = index.Uses(user);
  if (std::find(uses.begin(), uses.end(), column_key) != uses.end()) return true;
  for (std::string_view text : index.Texts(user)) {
    if (Mentions(text, column)) return true;
  }
  return false;
}

}  // namespace schemac::diff::internal
