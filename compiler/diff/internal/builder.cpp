// PlanBuilder: step storage and lookups (ordering is in order.cpp).
#include "compiler/diff/internal/builder.h"

#include <algorithm>

namespace schemac::diff::internal {

size_t PlanBuilder::Add(PendingStep pending) {
  std::vector<Hazard>& hazards = pending.step.hazards;
  std::sort(hazards.begin(), hazards.end());
  hazards.erase(std::unique(hazards.begin(), hazards.end()), hazards.end());
  pending.step.destructive = IsDestructive(hazards);
  size_t index = steps_.size();
  by_key_[{pending.key, pending.role}].push_back(index);
  steps_.push_back(std::move(pending));
  return index;
}

void PlanBuilder::After(std::optional<size_t> later, std::optional<size_t> earlier) {
  if (!later || !earlier || *later == *earlier) return;
  steps_[*later].after.push_back(*earlier);
}

void PlanBuilder::Report(model::ObjectId object, std::string message, base::Loc loc) {
  unsupported_.push_back(Unsupported{std::move(object), std::move(message), loc});
}

const std::vector<size_t>& PlanBuilder::StepsOf(const Key& key, Role role) const {
  static const std::vector<size_t> kNone;
  auto it = by_key_.find({key, role});
  return it == by_key_.end() ? kNone : it->second;
}

std::vector<Key> PlanBuilder::Keys() const {
  std::vector<Key> keys;
  for (const auto& [key_role, steps] : by_key_) {
    if (keys.empty() || keys.back() != key_role.first) keys.push_back(key_role.first);
  }
  return keys;
}

}  // namespace schemac::diff::internal
