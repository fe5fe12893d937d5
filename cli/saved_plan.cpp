#include "cli/saved_plan.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cli/commands.h"
#include "compiler/model/dump.h"
#include "compiler/model/serialize.h"

namespace schemac::cli {

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

diff::Hazard HazardFromId(const std::string& id, const std::string& path) {
  for (diff::Hazard h : diff::AllHazards()) {
    if (diff::HazardId(h) == id) return h;
  }
  throw std::runtime_error(fmt::format("{}: unknown hazard '{}' (a plan of another schemac version?)", path, id));
}

}  // namespace

void WriteSavedPlan(const plan::Result& r, const plan::Options& options, const std::string& path) {
  nlohmann::ordered_json j;
  j["format"] = kSavedPlanFormat;
  j["schemas"] = options.schemas;
  j["online"] = options.online;
  j["live_fingerprint"] = plan::LiveFingerprintOf(r);
  j["target_fingerprint"] = model::Fingerprint(r.normalized);
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const diff::Step& s : r.plan.steps) {
    nlohmann::ordered_json hz = nlohmann::ordered_json::array();
    for (diff::Hazard h : s.hazards) hz.push_back(std::string(diff::HazardId(h)));
    const std::string source = Where(r.compilation->sources, s.loc);
    steps.push_back({{"action", std::string(1, s.action)},
                     {"summary", s.summary},
                     {"sql", s.sql},
                     {"destructive", s.destructive},
                     {"requires_allow_drop", s.requires_allow_drop},
                     {"transactional", s.transactional},
                     {"hazards", hz},
                     {"source", source}});
  }
  j["steps"] = std::move(steps);
  // The normalized target, for verifying after the apply.
  j["target"] = nlohmann::ordered_json::parse(model::ToJson(r.normalized));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", path));
}

bool IsSavedPlan(const std::string& path) {
  if (path.size() < 5 || path.compare(path.size() - 5, 5, ".json") != 0) return false;
  std::ifstream in(path, std::ios::binary);
  char head[256] = {};
  in.read(head, sizeof head - 1);
  return std::string(head).find(kSavedPlanFormat) != std::string::npos;
}

plan::Result ReadSavedPlan(const std::string& path, plan::Options& options) {
  plan::Result r;
  r.compilation = std::make_unique<driver::Compilation>();
  try {
    const nlohmann::json j = nlohmann::json::parse(ReadAll(path));
    if (!j.is_object() || j.value("format", "") != kSavedPlanFormat) {
      throw std::runtime_error(fmt::format("{} is not a saved schemac plan (format {})", path, kSavedPlanFormat));
    }
    options.schemas = j.at("schemas").get<std::vector<std::string>>();
    options.online = j.value("online", true);
    r.live_fingerprint = j.at("live_fingerprint").get<std::string>();
    for (const nlohmann::json& s : j.at("steps")) {
      diff::Step step;
      const std::string action = s.at("action").get<std::string>();
      step.action = action.empty() ? '~' : action[0];
      step.summary = s.at("summary").get<std::string>();
      step.sql = s.at("sql").get<std::string>();
      step.destructive = s.at("destructive").get<bool>();
      step.requires_allow_drop = s.at("requires_allow_drop").get<bool>();
      step.transactional = s.at("transactional").get<bool>();
      for (const nlohmann::json& h : s.at("hazards")) step.hazards.push_back(HazardFromId(h.get<std::string>(), path));
      r.step_sources.push_back(s.at("source").get<std::string>());
      r.plan.steps.push_back(std::move(step));
    }
    r.normalized = model::FromJson<model::Catalog>(j.at("target").dump());
    if (model::Fingerprint(r.normalized) != j.at("target_fingerprint").get<std::string>()) {
      throw std::runtime_error(fmt::format("{}: the target does not match its fingerprint (the file was changed)", path));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{} is not a valid saved plan: {}", path, e.what()));
  }
  r.compilation->catalog = r.normalized;
  return r;
}

}  // namespace schemac::cli
