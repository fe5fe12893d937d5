#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <ostream>
#include <unistd.h>

#include "cli/commands.h"
#include "compiler/driver/compile.h"
#include "compiler/sqlgen/sqlgen.h"

#ifndef SCHEMAC_VERSION
#define SCHEMAC_VERSION "dev"
#endif

namespace schemac::cli {

namespace {


// Compiles and prints diagnostics; returns the compilation (catalog set when valid).
std::unique_ptr<driver::Compilation> CompileAndReport(const std::vector<std::string>& paths,
                                                      std::ostream& err, bool color) {
  auto c = driver::Compile(paths);
  err << c->diags.Render(color);
  const size_t errors = c->diags.ErrorCount();
  if (errors > 0) {
    err << fmt::format("{} error{} generated\n", errors, errors == 1 ? "" : "s");
  }
  return c;
}

}  // namespace

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, bool color) {
  CLI::App app{"schemac: declarative schema-as-code for PostgreSQL", "schemac"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("schemac ") + SCHEMAC_VERSION);
  app.footer("Run 'schemac <command> --help' for a command's options. Docs: docs/cli.md");

  std::vector<std::string> check_paths;
  auto* check = app.add_subcommand("check", "Check .schema files: exit 0 when valid, 1 with diagnostics");
  check->add_option("PATH", check_paths, "A .schema file or a directory of them (searched recursively)")
      ->required();

  std::vector<std::string> sql_paths;
  auto* sql = app.add_subcommand(
      "sql", "Print the DDL that creates the schema in an empty database, in dependency order");
  sql->add_option("PATH", sql_paths, "A .schema file or a directory of them (searched recursively)")
      ->required();

  auto add_db_options = [](CLI::App* cmd, DbArgs& a) {
    cmd->add_option("PATH", a.paths, "The target: .schema files or directories")->required();
    cmd->add_option("--db", a.db, "The database: a postgresql:// URL or key=value conninfo "
                                  "(default: $DATABASE_URL, else libpq's PG* variables)");
    cmd->add_option("--dev-db", a.dev_db,
                    "A PostgreSQL server for scratch databases that normalize the target "
                    "(default: a throwaway local cluster started from this machine's PostgreSQL binaries)");
    cmd->add_option("--schema", a.schemas, "A schema to manage (repeatable; default: every non-system schema)");
    cmd->add_flag("--no-online", a.no_online,
                  "Plain DDL on existing tables: no CONCURRENTLY index builds, no NOT VALID + VALIDATE, "
                  "no SET NOT NULL through a check (see docs/safety.md)");
    cmd->add_flag("--no-cache", a.no_cache,
                  "Normalize every object in the dev database instead of reusing earlier results "
                  "($SCHEMAC_CACHE_DIR, default ~/.cache/schemac)");
  };
  PlanArgs plan_args;
  auto* plan = app.add_subcommand(
      "plan", "Show what it takes to make the database match the schema: exit 0 no changes, 2 changes, 1 error");
  add_db_options(plan, plan_args.db);
  plan->add_option("--format", plan_args.format, "Output: text (summary and SQL), sql or json")
      ->check(CLI::IsMember({"text", "sql", "json"}));
  plan->add_option("--out-dir", plan_args.out_dir,
                   "Write the plan as the next numbered migration file (NNNN_NAME.sql) in this directory, for "
                   "'schemac migrate'");
  plan->add_option("--name", plan_args.migration_name, "The label of the migration file (with --out-dir)");
  plan->add_flag("--allow-drop", plan_args.allow_drop,
                 "With --out-dir: put the destructive changes into the file too");
  plan->add_option("--out", plan_args.out_file,
                   "Also save the plan to this .json file, with the fingerprint of the live schema; run it with "
                   "'schemac apply FILE.json', which refuses if the database has changed since");

  ApplyArgs apply_args;
  auto* apply = app.add_subcommand(
      "apply", "Make the database match the schema, then verify it: exit 0 done, 3 destructive changes withheld, 1 error");
  add_db_options(apply, apply_args.db);
  apply->add_flag("--allow-drop", apply_args.allow_drop, "Also run changes that destroy data (drops, lossy type changes)");
  apply->add_flag("--yes,-y", apply_args.yes, "Do not ask for confirmation on a terminal");
  apply->add_option("--lock-wait", apply_args.lock_wait_seconds,
                    "Seconds to wait for another schemac apply to finish (default 10)");
  apply->add_option("--lock-timeout", apply_args.lock_timeout_seconds,
                    "Seconds a statement may wait for its table lock before it is retried (default 2)")
      ->check(CLI::PositiveNumber);
  apply->add_option("--lock-retries", apply_args.lock_retries,
                    "How often a statement that could not get its lock is tried again (default 5)")
      ->check(CLI::NonNegativeNumber);
  apply->add_option("--statement-timeout", apply_args.statement_timeout_seconds,
                    "Seconds a statement may run (default 600; index builds and validations: at least 7200; 0: no limit)")
      ->check(CLI::NonNegativeNumber);

  MigrateArgs migrate_args;
  auto* migrate = app.add_subcommand(
      "migrate", "Apply the migration files of DIR that the database has not reached yet, in order, each checked "
                 "before and verified after: exit 0 done, 1 error, 3 a file needs --allow-drop");
  migrate->add_option("DIR", migrate_args.dir, "The directory of migration files (schemac plan --out-dir)")
      ->required();
  migrate->add_option("--db", migrate_args.db,
                      "The database (URL or key=value conninfo; default: $DATABASE_URL, else libpq's PG* variables)");
  migrate->add_flag("--allow-drop", migrate_args.allow_drop, "Run files that destroy data (marked destructive)");
  migrate->add_option("--lock-wait", migrate_args.lock_wait_seconds,
                      "Seconds to wait for another schemac apply or migrate to finish (default 10)");
  migrate->add_option("--lock-timeout", migrate_args.lock_timeout_seconds,
                      "Seconds a statement may wait for its table lock before it is retried (default 2)")
      ->check(CLI::PositiveNumber);
  migrate->add_option("--lock-retries", migrate_args.lock_retries,
                      "How often a statement that could not get its lock is tried again (default 5)")
      ->check(CLI::NonNegativeNumber);

  DiffArgs diff_args;
  auto* diff = app.add_subcommand(
      "diff", "Show the steps that turn FROM into TO (each a .schema path or a database): exit 0 no changes, 2 changes, 1 error");
  diff->add_option("FROM", diff_args.from,
                   "Where to start: a .schema file or directory, or a database (postgresql:// URL or key=value conninfo)")
      ->required();
  diff->add_option("TO", diff_args.to, "Where to arrive: a .schema file or directory, or a database")->required();
  diff->add_flag("--allow-drop", diff_args.allow_drop,
                 "Print the destructive steps as part of the plan instead of marking them withheld");
  diff->add_option("--format", diff_args.format, "Output: text (summary and SQL), sql or json")
      ->check(CLI::IsMember({"text", "sql", "json"}));
  diff->add_option("--dev-db", diff_args.dev_db,
                   "A PostgreSQL server for scratch databases that normalize the schema sides "
                   "(default: a throwaway local cluster started from this machine's PostgreSQL binaries)");
  diff->add_flag("--no-cache", diff_args.no_cache, "Normalize every object of the schema sides in the dev database");
  diff->add_flag("--online", diff_args.online,
                 "Online techniques on the FROM side's tables, as plan uses them (CREATE INDEX CONCURRENTLY, "
                 "NOT VALID + VALIDATE; the script then cannot run in one transaction; see docs/safety.md)");

  InspectArgs inspect_args;
  auto* inspect = app.add_subcommand(
      "inspect", "Write the live database as .schema files (one per schema): exit 0 done, 1 error");
  inspect->add_option("--db", inspect_args.db, "The database: a postgresql:// URL or key=value conninfo "
                                               "(default: $DATABASE_URL, else libpq's PG* variables)");
  inspect->add_option("--schema", inspect_args.schemas, "A schema to read (repeatable; default: every non-system schema)");
  inspect->add_option("-o,--output", inspect_args.output, "Write the files into this directory (default: standard output)");
  inspect->add_flag("--split", inspect_args.split, "One file per table (<schema>/<table>.schema) plus <schema>.schema");

  // A word that is not a command gets a clear message (CLI11 would only say a subcommand is required).
  std::string names;
  bool known = false;
  for (const CLI::App* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
    known = known || (!args.empty() && sub->get_name() == args[0]);
  }
  if (!args.empty() && !args[0].empty() && args[0][0] != '-' && !known) {
    err << fmt::format("schemac: unknown command '{}' (commands: {})\n", args[0], names);
    err << "Run 'schemac --help' for usage.\n";
    return kExitUsage;
  }

  // CLI11 parses argv-style, last argument first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << "schemac " << SCHEMAC_VERSION << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // Subcommand --help is reported as CallForHelp from the subcommand; print that subcommand's help.
    err << "schemac: " << e.what() << "\n";
    err << "Run 'schemac --help' for usage.\n";
    return kExitUsage;
  }

  if (check->parsed()) {
    auto c = CompileAndReport(check_paths, err, color);
    return c->catalog.has_value() ? kExitOk : kExitError;
  }
  if (plan->parsed()) return RunPlan(plan_args, out, err, color);
  if (migrate->parsed()) return RunMigrate(migrate_args, out, err);
  if (inspect->parsed()) return RunInspect(inspect_args, out, err);
  if (diff->parsed()) return RunDiff(diff_args, out, err, color);
  if (apply->parsed()) return RunApply(apply_args, std::cin, out, err, color, isatty(STDIN_FILENO) != 0);
  if (sql->parsed()) {
    auto c = CompileAndReport(sql_paths, err, color);
    if (!c->catalog.has_value()) return kExitError;
    out << sqlgen::CreateAll(*c->catalog);
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace schemac::cli
