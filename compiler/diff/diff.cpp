// Diff(): the phases in order (see internal/context.h), the hazard registry, and Format().
#include "compiler/diff/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "compiler/diff/internal/context.h"

namespace schemac::diff {

namespace {

struct HazardInfo {
  Hazard hazard;
  std::string_view id;
  std::string_view description;
};

constexpr std::array kHazards = {
#define SCHEMAC_HAZARD(name, id, description) HazardInfo{Hazard::name, id, description},
#include "compiler/diff/hazards.def"
};

}  // namespace

std::string_view HazardId(Hazard hazard) { return kHazards[static_cast<size_t>(hazard)].id; }

std::string_view HazardDescription(Hazard hazard) {
  return kHazards[static_cast<size_t>(hazard)].description;
}

const std::vector<Hazard>& AllHazards() {
  static const std::vector<Hazard> all = [] {
    std::vector<Hazard> out;
    for (const HazardInfo& info : kHazards) out.push_back(info.hazard);
    return out;
  }();
  return all;
}

bool IsDestructive(const std::vector<Hazard>& hazards) {
  return std::find(hazards.begin(), hazards.end(), Hazard::DeletesData) != hazards.end();
}

Plan Diff(const model::Catalog& from, const model::Catalog& to, const DiffOptions& options) {
  internal::Context ctx(from, to);
  ctx.options = options;
  internal::ResolveRenames(ctx);
  internal::Decide(ctx);
  internal::DiffSchemas(ctx);
  internal::DiffExtensions(ctx);
  internal::DiffCollations(ctx);
  internal::DiffEnums(ctx);
  internal::DiffDomains(ctx);
  internal::DiffCompositeTypes(ctx);
  internal::DiffSequences(ctx);
  internal::DiffFunctions(ctx);
  internal::DiffTables(ctx);
  internal::DiffIndexes(ctx);
  internal::DiffViews(ctx);
  internal::DiffTriggers(ctx);
  internal::DiffPolicies(ctx);
  internal::DiffGrants(ctx);
  internal::Link(ctx);
  return ctx.builder.Finish();
}

std::string Format(const Plan& plan) {
  std::string out;
  for (const Step& step : plan.steps) {
    out += fmt::format("{} {}", step.action, step.summary);
    if (step.destructive) out += " [destructive]";
    if (step.requires_allow_drop && !step.destructive) out += " [needs --allow-drop]";
    if (!step.transactional) out += " [own transaction]";
    if (step.validate) out += " [validate stage]";
    for (Hazard h : step.hazards) out += fmt::format(" <{}>", HazardId(h));
    out += "\n";
  }
  for (const Unsupported& u : plan.unsupported) out += "! " + u.message + "\n";
  if (!plan.steps.empty()) out += "\n";
  for (const Step& step : plan.steps) out += step.sql + "\n";
  return out;
}

}  // namespace schemac::diff
