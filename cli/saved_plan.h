// Saved plans: `schemac plan --out plan.json` writes the plan together with the fingerprint of the
// live schema it was made against and the normalized target; `schemac apply plan.json` runs exactly
// those statements, but only while the live schema still has that fingerprint.
#pragma once

#include <string>

#include "runtime/plan/plan.h"

namespace schemac::cli {

// The file format's name, first key of every saved plan.
constexpr const char* kSavedPlanFormat = "schemac-plan/1";

// Writes `r` (a plan made with `options`) to `path`. Deterministic: the same plan, the same bytes.
// Throws std::runtime_error when the file cannot be written.
void WriteSavedPlan(const plan::Result& r, const plan::Options& options, const std::string& path);

// Whether `path` is a file that holds a saved plan (a `.json` file naming the format).
bool IsSavedPlan(const std::string& path);

// Reads a saved plan: the steps (with their recorded sources in step_sources), the normalized
// target, live_fingerprint, and the managed schemas into `options.schemas`. Throws
// std::runtime_error with a clear message for a file that is not a valid saved plan.
plan::Result ReadSavedPlan(const std::string& path, plan::Options& options);

}  // namespace schemac::cli
