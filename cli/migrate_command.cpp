// `schemac plan --out-dir` (writing a migration file) and `schemac migrate`.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

#include "cli/commands.h"
#include "cli/migrations.h"
#include "runtime/apply/apply.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/connect.h"

namespace schemac::cli {

int WriteMigrationFile(const plan::Result& r, const plan::Options& options, const PlanArgs& args, std::ostream& out,
                       std::ostream& err) {
  size_t withheld = 0;
  for (const diff::Step& s : r.plan.steps) withheld += s.requires_allow_drop ? 1 : 0;
  if (withheld > 0 && !args.allow_drop) {
    err << fmt::format(
        "schemac: error: the plan has {} destructive change{} (see above); a migration file must reach the "
        "schema, so it would hold {}: pass --allow-drop to write {} into the file (schemac migrate then needs "
        "--allow-drop too)\n",
        withheld, withheld == 1 ? "" : "s", withheld == 1 ? "it" : "them", withheld == 1 ? "it" : "them");
    return kExitWithheld;
  }
  if (r.plan.steps.empty()) {
    out << "No changes: no migration file written.\n";
    return kExitOk;
  }
  std::error_code ec;
  std::filesystem::create_directories(args.out_dir, ec);
  const std::string name = NextMigrationName(args.out_dir, args.migration_name);
  const std::string path = (std::filesystem::path(args.out_dir) / (name + ".sql")).string();
  std::ofstream f(path, std::ios::binary);
  f << MigrationText(r, options, name, args.allow_drop);
  if (!f) {
    err << "schemac: error: cannot write " << path << "\n";
    return kExitError;
  }
  out << "Wrote " << path << "\n";
  return kExitChanges;
}

int RunMigrate(const MigrateArgs& args, std::ostream& out, std::ostream& err) {
  try {
    const std::vector<MigrationFile> files = ReadMigrations(args.dir);
    if (files.empty()) {
      err << "schemac: error: no migration files (*.sql) in " << args.dir << "\n";
      return kExitError;
    }
    plan::Options options;
    options.db = plan::ResolveConninfo(args.db);
    pg::Connection conn(options.db);
    apply::EnsureHistory(conn);
    std::set<std::string> applied;
    for (const auto& row : conn.Query("SELECT migration FROM schemac.history WHERE outcome = 'applied' AND "
                                      "migration IS NOT NULL")) {
      applied.insert(row[0].value_or(""));
    }
    size_t ran = 0;
    for (const MigrationFile& m : files) {
      options.schemas = m.schemas;
      if (applied.contains(m.name)) {
        out << fmt::format("= {}: applied before (schemac.history)\n", m.name);
        continue;
      }
      const std::string now = plan::LiveFingerprint(options);
      if (now == m.to) {
        out << fmt::format("= {}: the database is already at its to-state; skipped\n", m.name);
        continue;
      }
      if (now != m.from) {
        std::string last = "none";
        for (const auto& row : conn.Query("SELECT migration FROM schemac.history WHERE outcome = 'applied' AND "
                                          "migration IS NOT NULL ORDER BY id DESC LIMIT 1")) {
          last = row[0].value_or("none");
        }
        err << fmt::format(
            "schemac: error: {}: the database is neither at the file's from-state nor at its to-state (schema "
            "fingerprint {}; the file goes from {} to {}; the last migration applied here: {}). Nothing more was "
            "run: the schema was changed outside these files, or an earlier file is missing. Compare the database "
            "with the schema (schemac plan) and write a new migration.\n",
            m.path, now, m.from, m.to, last);
        return kExitError;
      }
      if (m.destructive && !args.allow_drop) {
        err << fmt::format("schemac: error: {} holds statements that destroy data; run migrate with --allow-drop\n",
                           m.path);
        return kExitWithheld;
      }
      std::vector<apply::Stage> stages = m.stages;
      bool all_tx = true;
      for (const apply::Stage& s : stages) all_tx = all_tx && s.transactional;
      if (all_tx && stages.size() > 1) {
        // The whole file in one transaction: a failure rolls it back whole.
        apply::Stage one{"migration", true, {}};
        for (apply::Stage& s : stages) {
          for (apply::Statement& st : s.statements) one.statements.push_back(std::move(st));
        }
        stages = {std::move(one)};
      }
      apply::Options ao = LockOptions(args.lock_wait_seconds, args.lock_timeout_seconds, args.lock_retries);
      ao.target_fingerprint = m.to;
      ao.migration = m.name;
      int64_t history_id = 0;
      try {
        history_id = apply::Apply(conn, stages, ao, [&out](const apply::Retry& r) {
                       out << fmt::format("Lock not available ({}); retrying in {:.1f} s\n", r.message,
                                          static_cast<double>(r.pause.count()) / 1000.0)
                           << std::flush;
                     }).history_id;
      } catch (const apply::StatementError& e) {
        err << fmt::format("schemac: error: {}: {}{}\n", m.path, e.cause.message,
                           e.cause.sqlstate.empty() ? "" : " [SQLSTATE " + e.cause.sqlstate + "]");
        err << "  statement: " << e.statement.sql << "\n";
        err << (all_tx ? "  the file was rolled back whole\n"
                       : fmt::format("  the '{}' stage was rolled back; earlier stages of the file stay applied\n",
                                     e.stage));
        return kExitError;
      }
      const std::string after = plan::LiveFingerprint(options);
      if (after != m.to) {
        conn.Exec(fmt::format("UPDATE schemac.history SET outcome = 'failed', error = 'ran, but the schema is not at "
                              "the file''s to-state' WHERE id = {}",
                              history_id));
        err << fmt::format(
            "schemac: error: {} ran, but the schema is not at the file's to-state (fingerprint {}, expected {}): "
            "an edit changed what the file does; compare the database with the schema (schemac plan)\n",
            m.path, after, m.to);
        return kExitError;
      }
      out << fmt::format("+ {}: applied and verified\n", m.name);
      ++ran;
    }
    out << fmt::format("Migrations: {} applied, {} already there.\n", ran, files.size() - ran);
    return kExitOk;
  } catch (...) {
    return ReportFailure(err);
  }
}

}  // namespace schemac::cli
