// Migration files, the app-driven workflow: `schemac plan --out-dir migrations/` writes the staged
// plan as the next numbered SQL file, whose header records the schema fingerprints before and
// after it; `schemac migrate migrations/` applies the files the database has not reached yet, in
// order, each checked before (the database must be at the file's from-state; at its to-state the
// file is skipped) and verified after (the database must be at its to-state, whatever a person
// edited in the file).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "runtime/apply/apply.h"
#include "runtime/plan/plan.h"

namespace schemac::cli {

struct MigrationFile {
  std::string path;
  std::string name;             // file name without ".sql", e.g. "0003_add_orders"
  std::string from, to;         // schema fingerprints (model::Fingerprint)
  std::vector<std::string> schemas;  // the managed schemas (empty: all)
  bool destructive = false;     // holds statements that destroy data
  std::vector<apply::Stage> stages;
};

// The text of a migration file for plan `r`, made against the live schema with `options`.
// `include_destructive`: the destructive steps are in the file (else the plan must have none).
std::string MigrationText(const plan::Result& r, const plan::Options& options, const std::string& name,
                          bool include_destructive);

// The next file name in `dir`: one more than the highest "NNNN_" prefix there, then `_label`.
std::string NextMigrationName(const std::string& dir, const std::string& label);

// `schemac plan --out-dir DIR`: writes plan `r` as the next migration file of DIR (refused when
// destructive steps would be left out: pass --allow-drop). Returns the exit code.
int WriteMigrationFile(const plan::Result& r, const plan::Options& options, const PlanArgs& args, std::ostream& out,
                       std::ostream& err);

// Reads one file. Throws std::runtime_error with the path and line for a file without the header.
MigrationFile ReadMigration(const std::string& path);

// Every `*.sql` file of `dir`, read, in name order.
std::vector<MigrationFile> ReadMigrations(const std::string& dir);

}  // namespace schemac::cli
