// `schemac plan`, `schemac apply` and `schemac diff`.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <functional>
#include <istream>
#include <ostream>

#include "cli/commands.h"
#include "compiler/model/dump.h"
#include "runtime/apply/apply.h"
#include "runtime/devdb/devdb.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/connect.h"
#include "runtime/plan/normalize_cache.h"
#include "runtime/plan/plan.h"

namespace schemac::cli {

namespace {

plan::Options ToOptions(const DbArgs& a) {
  plan::Options o;
  o.paths = a.paths;
  o.db = plan::ResolveConninfo(a.db);
  o.dev_db = a.dev_db;
  o.schemas = a.schemas;
  if (!a.no_cache) o.cache_dir = plan::DefaultCacheDir();
  return o;
}

// "shop.schema:12:3" for a step's object, or "" when it has no source (a drop).
std::string Where(const base::SourceManager& sources, const base::Loc& loc) {
  if (!loc.IsValid() || loc.file >= sources.size()) return "";
  const base::SourceFile& f = sources.file(loc.file);
  const base::LineCol p = f.Position(loc.begin);
  return fmt::format("{}:{}:{}", f.path(), p.line, p.column);
}

std::string Hazards(const diff::Step& s) {
  std::string out;
  for (diff::Hazard h : s.hazards) out += (out.empty() ? "" : ", ") + std::string(diff::HazardId(h));
  return out;
}

// Prints a compilation's diagnostics; false when it has errors.
bool ReportDiagnostics(const driver::Compilation& c, std::ostream& err, bool color) {
  const base::Diagnostics& d = c.diags;
  err << d.Render(color);
  if (d.HasErrors()) {
    err << fmt::format("{} error{} generated\n", d.ErrorCount(), d.ErrorCount() == 1 ? "" : "s");
    return false;
  }
  return true;
}

// Compile errors, missing roles: reported, exit 1. Returns true when planning can go on.
bool ReportPreconditions(const plan::Result& r, std::ostream& err, bool color) {
  if (!ReportDiagnostics(*r.compilation, err, color)) return false;
  if (!r.missing_roles.empty()) {
    std::string list;
    for (const std::string& role : r.missing_roles) list += (list.empty() ? "" : ", ") + role;
    err << fmt::format(
        "schemac: error: the schema grants to or writes policies for roles that do not exist on the server: {}; "
        "schemac never creates roles (they are cluster-wide): create them first\n",
        list);
    return false;
  }
  return true;
}

// What the output formats print of a plan: the steps, where the target objects are written (null
// when the target is a database) and the unmanaged objects of the databases read.
struct PlanView {
  const diff::Plan& plan;
  const base::SourceManager* sources;
  const std::vector<catalog::Unsupported>& unmanaged;
};

std::string Where(const PlanView& v, const base::Loc& loc) { return v.sources == nullptr ? "" : Where(*v.sources, loc); }

void PrintText(const PlanView& v, bool allow_drop, const char* no_changes, std::ostream& out) {
  const diff::Plan& p = v.plan;
  size_t creates = 0, alters = 0, drops = 0, withheld = 0;
  for (const diff::Step& s : p.steps) {
    if (s.action == '+') ++creates;
    else if (s.action == '-') ++drops;
    else ++alters;
    if (s.requires_allow_drop) ++withheld;
  }
  if (p.Empty()) {
    out << no_changes << "\n";
    return;
  }
  out << fmt::format("Plan: {} to create, {} to change, {} to drop", creates, alters, drops);
  if (withheld > 0) {
    out << fmt::format(" ({} {})", withheld,
                       allow_drop ? "destructive, allowed by --allow-drop" : "withheld: destructive, needs --allow-drop");
  }
  out << "\n\n";
  for (const diff::Step& s : p.steps) {
    std::string line = fmt::format("  {} {}", s.action, s.summary);
    if (s.destructive) line += "  [destructive]";
    else if (s.requires_allow_drop) line += "  [needs --allow-drop]";
    const std::string where = Where(v, s.loc);
    if (!where.empty()) line += "  (" + where + ")";
    out << line << "\n";
  }
  for (const diff::Unsupported& u : p.unsupported) out << "  ! unsupported: " << u.message << "\n";
  for (const catalog::Unsupported& u : v.unmanaged) {
    out << fmt::format("  ! unmanaged {} {}: left as it is\n", u.kind, u.name);
  }
  out << "\n";
  for (const diff::Step& s : p.steps) {
    if (s.requires_allow_drop && !allow_drop) out << "-- withheld (needs --allow-drop): ";
    const std::string hz = Hazards(s);
    if (!hz.empty() && !(s.requires_allow_drop && !allow_drop)) out << "-- hazards: " << hz << "\n";
    out << s.sql << "\n";
  }
}

nlohmann::json ToJson(const PlanView& v) {
  nlohmann::json j;
  j["steps"] = nlohmann::json::array();
  for (const diff::Step& s : v.plan.steps) {
    nlohmann::json hz = nlohmann::json::array();
    for (diff::Hazard h : s.hazards) hz.push_back(std::string(diff::HazardId(h)));
    j["steps"].push_back({{"action", std::string(1, s.action)},
                          {"summary", s.summary},
                          {"sql", s.sql},
                          {"destructive", s.destructive},
                          {"requires_allow_drop", s.requires_allow_drop},
                          {"transactional", s.transactional},
                          {"hazards", hz},
                          {"source", Where(v, s.loc)}});
  }
  j["unsupported"] = nlohmann::json::array();
  for (const diff::Unsupported& u : v.plan.unsupported) j["unsupported"].push_back(u.message);
  j["unmanaged"] = nlohmann::json::array();
  for (const catalog::Unsupported& u : v.unmanaged) j["unmanaged"].push_back({{"kind", u.kind}, {"name", u.name}});
  return j;
}

// The plan in `format` (text, sql, json); the exit code: 0 no changes, 2 changes. With
// `allow_drop` the destructive steps are printed as part of the plan, without withheld marks.
int PrintPlan(const PlanView& v, const std::string& format, bool allow_drop, const char* no_changes,
              std::ostream& out) {
  if (format == "json") {
    out << ToJson(v).dump(2) << "\n";
  } else if (format == "sql") {
    for (const diff::Step& s : v.plan.steps) {
      if (s.requires_allow_drop && !allow_drop) out << "-- needs --allow-drop:\n";
      out << s.sql << "\n";
    }
  } else {
    PrintText(v, allow_drop, no_changes, out);
  }
  return v.plan.Empty() ? kExitOk : kExitChanges;
}

constexpr char kPlanNoChanges[] = "No changes: the database matches the schema.";

// With SCHEMAC_TIMING set, the wall time of each planning phase on standard error.
void PrintTimings(const plan::Result& r, std::ostream& err) {
  if (getenv("SCHEMAC_TIMING") == nullptr) return;
  std::string line;
  for (const auto& [phase, secs] : r.timings) line += fmt::format("{}{} {:.3f} s", line.empty() ? "" : ", ", phase, secs);
  std::string queries;
  for (const auto& [name, secs] : r.query_seconds) queries += fmt::format("{}{} {:.3f}", queries.empty() ? "" : ", ", name, secs);
  const plan::NormalizeStats& n = r.normalize_stats;
  err << "schemac: timing: " << line << "\n";
  err << "schemac: catalog queries (s): " << queries << "\n";
  err << fmt::format(
      "schemac: normalization: {} objects, {} cached, {} through the dev database{} (keys {:.3f} s, lookups {:.3f} s, "
      "dev database {:.3f} s, assembly {:.3f} s)\n",
      n.objects, n.cached, n.normalized, n.full ? " (all)" : "", n.keys_seconds, n.lookup_seconds, n.dev_seconds,
      n.assemble_seconds);
}

// Splits a plan into the stages apply runs: one transactional stage for the steps that need no
// --allow-drop, one for the rest; a step that must commit before later steps (ALTER TYPE ... ADD
// VALUE) ends its stage.
std::vector<apply::Stage> Stages(const plan::Result& r, bool allow_drop) {
  std::vector<apply::Stage> stages;
  auto stage_for = [&](const char* name) -> apply::Stage& {
    if (stages.empty() || stages.back().name != name) stages.push_back(apply::Stage{name, true, {}});
    return stages.back();
  };
  bool close = false;
  for (const diff::Step& s : r.plan.steps) {
    if (s.requires_allow_drop && !allow_drop) continue;
    const char* name = s.requires_allow_drop ? "contract" : "expand";
    if (close) {
      stages.push_back(apply::Stage{name, true, {}});
      close = false;
    }
    stage_for(name).statements.push_back(apply::Statement{s.sql, std::string(1, s.action) + " " + s.summary, s.loc});
    if (!s.transactional) close = true;
  }
  return stages;
}

void PrintDbError(const pg::DbError& e, std::ostream& err) {
  err << fmt::format("schemac: error: {}{}\n", e.message, e.sqlstate.empty() ? "" : " [SQLSTATE " + e.sqlstate + "]");
  if (!e.detail.empty()) err << "  detail: " << e.detail << "\n";
  if (!e.hint.empty()) err << "  hint: " << e.hint << "\n";
}

}  // namespace

int ReportFailure(std::ostream& err) {
  try {
    throw;
  } catch (const pg::DbError& e) {
    PrintDbError(e, err);
  } catch (const devdb::DevServerError& e) {
    err << "schemac: error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    err << "schemac: error: " << e.what() << "\n";
  }
  return kExitError;
}

int RunPlan(const PlanArgs& args, std::ostream& out, std::ostream& err, bool color) {
  try {
    plan::Result r = plan::MakePlan(ToOptions(args.db));
    PrintTimings(r, err);
    if (!ReportPreconditions(r, err, color)) return kExitError;
    return PrintPlan(PlanView{r.plan, &r.compilation->sources, r.unsupported}, args.format, false, kPlanNoChanges,
                     out);
  } catch (...) {
    return ReportFailure(err);
  }
}

int RunApply(const ApplyArgs& args, std::istream& in, std::ostream& out, std::ostream& err, bool color,
             bool interactive) {
  try {
    const plan::Options options = ToOptions(args.db);
    plan::Result r = plan::MakePlan(options);
    PrintTimings(r, err);
    if (!ReportPreconditions(r, err, color)) return kExitError;
    PrintText(PlanView{r.plan, &r.compilation->sources, r.unsupported}, args.allow_drop, kPlanNoChanges, out);
    const std::vector<apply::Stage> stages = Stages(r, args.allow_drop);
    size_t count = 0;
    for (const apply::Stage& s : stages) count += s.statements.size();
    if (count > 0 && interactive && !args.yes) {
      out << fmt::format("\nApply {} statement{}? [y/N] ", count, count == 1 ? "" : "s") << std::flush;
      std::string answer;
      std::getline(in, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") {
        out << "Nothing applied.\n";
        return kExitError;
      }
    }
    apply::Options ao;
    ao.lock_wait = std::chrono::seconds(args.lock_wait_seconds);
    ao.applied_by = getenv("USER") != nullptr ? getenv("USER") : "unknown";
    ao.target_fingerprint = std::to_string(std::hash<std::string>{}(model::Dump(r.normalized)));
    pg::Connection live(options.db);
    try {
      const apply::Outcome o = apply::Apply(live, stages, ao);
      out << fmt::format("Applied {} statement{} (history id {}).\n", o.statements_run,
                         o.statements_run == 1 ? "" : "s", o.history_id);
    } catch (const apply::StatementError& e) {
      PrintDbError(e.cause, err);
      err << "  statement: " << e.statement.sql << "\n";
      const std::string where = Where(r.compilation->sources, e.statement.loc);
      if (!where.empty()) err << "  from: " << where << ": " << e.statement.summary << "\n";
      err << fmt::format("  the '{}' stage was rolled back; earlier stages stay applied\n", e.stage);
      return kExitError;
    } catch (const apply::LockTimeout& e) {
      err << "schemac: error: " << e.what() << "\n";
      return kExitError;
    }
    // Verify: read the database again; what is left must be exactly what was withheld.
    const diff::Plan left = plan::Replan(options, r.normalized);
    size_t unexpected = 0, withheld = 0;
    for (const diff::Step& s : left.steps) {
      if (s.requires_allow_drop && !args.allow_drop) {
        ++withheld;
      } else {
        ++unexpected;
        err << "schemac: error: after apply the database still differs: " << s.summary << "\n";
      }
    }
    if (unexpected > 0) return kExitError;
    if (withheld > 0) {
      out << fmt::format("Verified: the database matches the schema except {} withheld destructive change{} "
                         "(run again with --allow-drop to apply {}).\n",
                         withheld, withheld == 1 ? "" : "s", withheld == 1 ? "it" : "them");
      return kExitWithheld;
    }
    out << "Verified: the database matches the schema.\n";
    return kExitOk;
  } catch (...) {
    return ReportFailure(err);
  }
}

int RunDiff(const DiffArgs& args, std::ostream& out, std::ostream& err, bool color) {
  try {
    auto side = [](const std::string& word) {
      plan::Side s;
      if (plan::IsDatabaseArgument(word)) {
        s.db = word;
      } else {
        s.paths = {word};
      }
      return s;
    };
    plan::DiffOptions o;
    o.from = side(args.from);
    o.to = side(args.to);
    o.dev_db = args.dev_db;
    if (!args.no_cache) o.cache_dir = plan::DefaultCacheDir();
    const plan::DiffResult r = plan::MakeDiff(o);
    bool compiled = true;
    for (const driver::Compilation* c : {r.from_compilation.get(), r.to_compilation.get()}) {
      if (c != nullptr && !ReportDiagnostics(*c, err, color)) compiled = false;
    }
    if (!compiled) return kExitError;
    const base::SourceManager* sources = r.to_compilation ? &r.to_compilation->sources : nullptr;
    return PrintPlan(PlanView{r.plan, sources, r.unsupported}, args.format, args.allow_drop,
                     "No changes: both sides match.", out);
  } catch (...) {
    return ReportFailure(err);
  }
}

}  // namespace schemac::cli
