// `schemac plan`, `schemac apply` and `schemac diff`.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <ostream>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/migrations.h"
#include "cli/saved_plan.h"
#include "compiler/model/dump.h"
#include "runtime/apply/apply.h"
#include "runtime/devdb/devdb.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/connect.h"
#include "runtime/plan/normalize_cache.h"
#include "runtime/plan/plan.h"

namespace schemac::cli {

namespace {

bool keep_results_until_exit = false;

// Owns a command's plan::Result; at the end of the command it is freed, or, with
// KeepResultsUntilExit, left to the process exit.
class OwnedResult {
 public:
  OwnedResult() : r_(std::make_unique<plan::Result>()) {}
  OwnedResult(const OwnedResult&) = delete;
  OwnedResult& operator=(const OwnedResult&) = delete;
  ~OwnedResult() {
    if (keep_results_until_exit) (void)r_.release();
  }
  plan::Result& operator*() { return *r_; }

 private:
  std::unique_ptr<plan::Result> r_;
};

plan::Options ToOptions(const DbArgs& a) {
  plan::Options o;
  o.paths = a.paths;
  o.db = plan::ResolveConninfo(a.db);
  o.dev_db = a.dev_db;
  o.schemas = a.schemas;
  if (!a.no_cache) o.cache_dir = plan::DefaultCacheDir();
  o.online = !a.no_online;
  return o;
}

// "shop.schema:12:3" for a step's object, or "" when it has no source (a drop).

// What the output formats print of a plan: the steps, where the target objects are written (null
// when the target is a database, or a saved plan's recorded sources), the unmanaged objects of the
// databases read, and what the size estimates of hazards need (null when unknown).
struct PlanView {
  const diff::Plan& plan;
  const base::SourceManager* sources;
  const std::vector<catalog::Unsupported>& unmanaged;
  const std::vector<std::string>* step_sources = nullptr;
  const std::map<model::QualifiedName, catalog::TableStats>* stats = nullptr;
  const model::Catalog* target = nullptr;
};

PlanView ViewOf(const plan::Result& r) {
  return PlanView{r.plan, &r.compilation->sources, r.unsupported, &r.step_sources, &r.table_stats, &r.normalized};
}

// Where step `i` came from: its .schema location, or what a saved plan recorded.
std::string StepSource(const PlanView& v, size_t i) {
  if (v.step_sources != nullptr && i < v.step_sources->size()) return (*v.step_sources)[i];
  return v.sources == nullptr ? "" : Where(*v.sources, v.plan.steps[i].loc);
}

// The table a step works on, for its size estimate: the step's object for tables and columns,
// the table of a constraint, trigger or policy ("table.name"), or of an index.
std::optional<model::QualifiedName> AffectedTable(const PlanView& v, const diff::Step& s) {
  using model::ObjectKind;
  switch (s.object.kind) {
    case ObjectKind::Table: return s.object.name;
    case ObjectKind::Constraint:
    case ObjectKind::Trigger:
    case ObjectKind::Policy: {
      const size_t dot = s.object.name.name.find('.');
      if (dot == std::string::npos) return std::nullopt;
      return model::QualifiedName{s.object.name.schema, s.object.name.name.substr(0, dot)};
    }
    case ObjectKind::Index:
      if (v.target == nullptr) return std::nullopt;
      for (const model::Index& i : v.target->indexes) {
        if (i.table.schema == s.object.name.schema && i.name.name == s.object.name.name) return i.table;
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

// "public.orders: ~1,000,000 rows, ~120 MB" for a step with hazards on an existing table.
std::string SizeNote(const PlanView& v, const diff::Step& s) {
  if (s.hazards.empty() || v.stats == nullptr) return "";
  const auto table = AffectedTable(v, s);
  if (!table) return "";
  auto it = v.stats->find(*table);
  if (it == v.stats->end()) return "";
  const catalog::TableStats& st = it->second;
  auto grouped = [](int64_t n) {
    std::string digits = std::to_string(n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  };
  const double mb = static_cast<double>(st.estimated_bytes) / (1024.0 * 1024.0);
  return fmt::format("{}: {}, ~{} MB", model::QuoteQualified(*table),
                     st.estimated_rows < 0 ? std::string("rows not counted yet (no ANALYZE)")
                                           : "~" + grouped(st.estimated_rows) + " rows",
                     mb < 10 ? fmt::format("{:.1f}", mb) : fmt::format("{:.0f}", mb));
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

void PrintText(const PlanView& v, bool allow_drop, const char* no_changes, std::ostream& out) {
  const diff::Plan& p = v.plan;
  size_t creates = 0, alters = 0, drops = 0, withheld = 0;
  for (const diff::Step& s : p.steps) {
    if (s.action == '+') ++creates;
    else if (s.action == '-') ++drops;
    else ++alters;
    if (s.requires_allow_drop) ++withheld;
  }
  auto unmanaged = [&] {
    for (const catalog::Unsupported& u : v.unmanaged) {
      out << fmt::format("  ! unmanaged {} {}: left as it is\n", u.kind, u.name);
    }
  };
  if (p.Empty()) {
    // Nothing to do, but what schemac does not manage is still said.
    out << no_changes << "\n";
    unmanaged();
    return;
  }
  out << fmt::format("Plan: {} to create, {} to change, {} to drop", creates, alters, drops);
  if (withheld > 0) {
    out << fmt::format(" ({} {})", withheld,
                       allow_drop ? "destructive, allowed by --allow-drop" : "withheld: destructive, needs --allow-drop");
  }
  out << "\n\n";
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const diff::Step& s = p.steps[i];
    std::string line = fmt::format("  {} {}", s.action, s.summary);
    if (s.destructive) line += "  [destructive]";
    else if (s.requires_allow_drop) line += "  [needs --allow-drop]";
    const std::string where = StepSource(v, i);
    if (!where.empty()) line += "  (" + where + ")";
    out << line << "\n";
  }
  for (const diff::Unsupported& u : p.unsupported) out << "  ! unsupported: " << u.message << "\n";
  unmanaged();
  out << "\n";
  for (const diff::Step& s : p.steps) {
    if (s.requires_allow_drop && !allow_drop) out << "-- withheld (needs --allow-drop): ";
    const std::string hz = Hazards(s);
    if (!hz.empty() && !(s.requires_allow_drop && !allow_drop)) {
      const std::string size = SizeNote(v, s);
      out << "-- hazards: " << hz << (size.empty() ? "" : " (" + size + ")") << "\n";
    }
    out << s.sql << "\n";
  }
}

nlohmann::json ToJson(const PlanView& v) {
  nlohmann::json j;
  j["steps"] = nlohmann::json::array();
  for (size_t i = 0; i < v.plan.steps.size(); ++i) {
    const diff::Step& s = v.plan.steps[i];
    nlohmann::json hz = nlohmann::json::array();
    for (diff::Hazard h : s.hazards) hz.push_back(std::string(diff::HazardId(h)));
    j["steps"].push_back({{"action", std::string(1, s.action)},
                          {"summary", s.summary},
                          {"sql", s.sql},
                          {"destructive", s.destructive},
                          {"requires_allow_drop", s.requires_allow_drop},
                          {"transactional", s.transactional},
                          {"hazards", hz},
                          {"source", StepSource(v, i)}});
    if (const auto table = AffectedTable(v, s); table && v.stats != nullptr) {
      auto it = v.stats->find(*table);
      if (it != v.stats->end() && !s.hazards.empty()) {
        j["steps"].back()["table"] = {{"name", model::QuoteQualified(*table)},
                                      {"estimated_rows", it->second.estimated_rows},
                                      {"estimated_bytes", it->second.estimated_bytes}};
      }
    }
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

void PrintDbError(const pg::DbError& e, std::ostream& err) {
  err << fmt::format("schemac: error: {}{}\n", e.message, e.sqlstate.empty() ? "" : " [SQLSTATE " + e.sqlstate + "]");
  if (!e.detail.empty()) err << "  detail: " << e.detail << "\n";
  if (!e.hint.empty()) err << "  hint: " << e.hint << "\n";
}

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

// Splits a plan into the stages apply runs, in plan order: consecutive transactional steps of the
// same kind share a stage, "expand" (what needs no --allow-drop), "validate" (VALIDATE CONSTRAINT
// and what waits for it) or "contract" (the destructive steps and what is tied to them, with
// --allow-drop only); steps that cannot run in a transaction block (CREATE INDEX CONCURRENTLY),
// or must commit before the next ones (ALTER TYPE ... ADD VALUE), run one by one in a stage of
// their own kind that is not a transaction.
std::vector<apply::Stage> Stages(const plan::Result& r, bool allow_drop) {
  std::vector<apply::Stage> stages;
  for (size_t i = 0; i < r.plan.steps.size(); ++i) {
    const diff::Step& s = r.plan.steps[i];
    if (s.requires_allow_drop && !allow_drop) continue;
    const char* name = s.requires_allow_drop ? "contract" : s.validate ? "validate" : "expand";
    if (stages.empty() || stages.back().name != name || stages.back().transactional != s.transactional) {
      stages.push_back(apply::Stage{name, s.transactional, {}});
    }
    apply::Statement st{s.sql, std::string(1, s.action) + " " + s.summary, s.loc};
    st.origin = StepSource(ViewOf(r), i);
    stages.back().statements.push_back(std::move(st));
  }
  return stages;
}

// Whether two plans run the same statements with the same gating.
bool SameSteps(const diff::Plan& a, const diff::Plan& b) {
  if (a.steps.size() != b.steps.size()) return false;
  for (size_t i = 0; i < a.steps.size(); ++i) {
    if (a.steps[i].sql != b.steps[i].sql || a.steps[i].requires_allow_drop != b.steps[i].requires_allow_drop) {
      return false;
    }
  }
  return true;
}

}  // namespace

void KeepResultsUntilExit(bool keep) { keep_results_until_exit = keep; }

int RunPlan(const PlanArgs& args, std::ostream& out, std::ostream& err, bool color) {
  OwnedResult owned;
  try {
    const plan::Options options = ToOptions(args.db);
    plan::Result& r = *owned;
    r = plan::MakePlan(options);
    PrintTimings(r, err);
    if (!ReportPreconditions(r, err, color)) return kExitError;
    if (!args.out_file.empty()) {
      if (args.out_file.size() < 5 || args.out_file.compare(args.out_file.size() - 5, 5, ".json") != 0) {
        err << "schemac: error: --out names the file to save the plan in; it must end in .json\n";
        return kExitUsage;
      }
      WriteSavedPlan(r, options, args.out_file);
    }
    const int code = PrintPlan(ViewOf(r), args.format, args.allow_drop, kPlanNoChanges, out);
    if (!args.out_dir.empty()) return WriteMigrationFile(r, options, args, out, err);
    return code;
  } catch (...) {
    return ReportFailure(err);
  }
}

int RunApply(const ApplyArgs& args, std::istream& in, std::ostream& out, std::ostream& err, bool color,
             bool interactive) {
  OwnedResult owned;
  try {
    plan::Options options = ToOptions(args.db);
    const bool saved = args.db.paths.size() == 1 && IsSavedPlan(args.db.paths[0]);
    plan::Result& r = *owned;
    if (saved) {
      // A saved plan runs only against the schema it was made for.
      r = ReadSavedPlan(args.db.paths[0], options);
      const std::string now = plan::LiveFingerprint(options);
      if (now != r.live_fingerprint) {
        err << fmt::format(
            "schemac: error: the database has changed since {} was made (schema fingerprint {} then, {} now); "
            "nothing was applied: make a new plan\n",
            args.db.paths[0], r.live_fingerprint, now);
        return kExitStalePlan;
      }
      out << fmt::format("Saved plan {}: the database is still as it was when the plan was made.\n",
                         args.db.paths[0]);
    } else {
      r = plan::MakePlan(options);
      PrintTimings(r, err);
      if (!ReportPreconditions(r, err, color)) return kExitError;
    }
    PrintText(ViewOf(r), args.allow_drop, kPlanNoChanges, out);
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
    apply::Options ao = LockOptions(args.lock_wait_seconds, args.lock_timeout_seconds, args.lock_retries);
    ao.statement_timeout = std::chrono::seconds(args.statement_timeout_seconds);
    ao.long_statement_timeout = args.statement_timeout_seconds == 0
                                    ? std::chrono::milliseconds(0)
                                    : std::max<std::chrono::milliseconds>(ao.statement_timeout, std::chrono::hours(2));
    ao.target_fingerprint = model::Fingerprint(r.normalized);
    // With the lock held, the database must still be what the plan was made from: another apply
    // may have run while this one planned or waited.
    ao.check = [&](pg::Connection& conn) {
      const diff::Plan now = plan::Replan(conn, options, r.normalized);
      if (SameSteps(now, r.plan)) return apply::Recheck::Proceed;
      const bool runnable = std::any_of(now.steps.begin(), now.steps.end(), [&](const diff::Step& s) {
        return !s.requires_allow_drop || args.allow_drop;
      });
      if (!runnable) return apply::Recheck::NothingToDo;
      throw apply::PlanOutdated(
          "the database changed after this plan was made (another schemac apply, or someone else, changed it "
          "meanwhile); nothing was applied: run schemac apply again to see what is left to do");
    };
    pg::Connection live(options.db);
    try {
      const apply::Outcome o = apply::Apply(live, stages, ao, [&out, &ao](const apply::Retry& retry) {
        out << fmt::format("Lock not available for '{}' ({}): attempt {} of {} failed, retrying in {:.1f} s\n",
                           retry.statement.summary, retry.message, retry.attempt, ao.lock_retries + 1,
                           static_cast<double>(retry.pause.count()) / 1000.0)
            << std::flush;
      });
      if (!o.waited_for.empty()) {
        out << fmt::format("Waited {:.1f} s for another schemac apply to finish (it held the apply lock: {}).\n",
                           static_cast<double>(o.waited.count()) / 1000.0, o.waited_for);
      }
      if (o.nothing_to_do) {
        out << fmt::format("Nothing left to do: the database already has the planned changes (history id {}).\n",
                           o.history_id);
      } else {
        out << fmt::format("Applied {} statement{} (history id {}).\n", o.statements_run,
                           o.statements_run == 1 ? "" : "s", o.history_id);
      }
    } catch (const apply::PlanOutdated& e) {
      err << "schemac: error: " << e.what() << "\n";
      return kExitError;
    } catch (const apply::StatementError& e) {
      PrintDbError(e.cause, err);
      err << "  statement: " << e.statement.sql << "\n";
      const std::string& where = e.statement.origin;
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
    // Changes schemac cannot make (listed as "! unsupported" in the plan) are still missing: the
    // database does not match, and apply must not say it does.
    for (const diff::Unsupported& u : left.unsupported) {
      ++unexpected;
      err << "schemac: error: not applied: unsupported: " << u.message << "\n";
    }
    if (!left.unsupported.empty()) {
      err << fmt::format("schemac: error: the database still differs from the schema in {} way{} that schemac "
                         "cannot change; make {} by hand or change the schema\n",
                         left.unsupported.size(), left.unsupported.size() == 1 ? "" : "s",
                         left.unsupported.size() == 1 ? "it" : "them");
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

apply::Options LockOptions(int lock_wait_seconds, double lock_timeout_seconds, int lock_retries) {
  apply::Options ao;
  ao.lock_wait = std::chrono::seconds(lock_wait_seconds);
  ao.statement_lock_timeout = std::chrono::milliseconds(static_cast<int64_t>(lock_timeout_seconds * 1000));
  ao.lock_retries = lock_retries;
  ao.applied_by = getenv("USER") != nullptr ? getenv("USER") : "unknown";
  return ao;
}

std::string Where(const base::SourceManager& sources, const base::Loc& loc) {
  if (!loc.IsValid() || loc.file >= sources.size()) return "";
  const base::SourceFile& f = sources.file(loc.file);
  const base::LineCol p = f.Position(loc.begin);
  return fmt::format("{}:{}:{}", f.path(), p.line, p.column);
}

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
    o.online = args.online;
    const plan::DiffResult r = plan::MakeDiff(o);
    bool compiled = true;
    for (const driver::Compilation* c : {r.from_compilation.get(), r.to_compilation.get()}) {
      if (c != nullptr && !ReportDiagnostics(*c, err, color)) compiled = false;
    }
    if (!compiled) return kExitError;
    const base::SourceManager* sources = r.to_compilation ? &r.to_compilation->sources : nullptr;
    return PrintPlan(PlanView{r.plan, sources, r.unsupported, nullptr, &r.from_stats, &r.to}, args.format, args.allow_drop,
                     "No changes: both sides match.", out);
  } catch (...) {
    return ReportFailure(err);
  }
}

}  // namespace schemac::cli
