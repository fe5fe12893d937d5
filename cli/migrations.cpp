#include "cli/migrations.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "compiler/model/dump.h"

namespace schemac::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMagic = "-- schemac migration ";
constexpr const char* kStage = "-- schemac:stage ";

std::string StageName(const diff::Step& s) {
  return s.requires_allow_drop ? "contract" : s.validate ? "validate" : "expand";
}

}  // namespace

std::string MigrationText(const plan::Result& r, const plan::Options& options, const std::string& name,
                          bool include_destructive) {
  std::string schemas;
  for (const std::string& s : options.schemas) schemas += (schemas.empty() ? "" : ",") + s;
  bool destructive = false;
  for (const diff::Step& s : r.plan.steps) destructive = destructive || (s.requires_allow_drop && include_destructive);
  std::string out = fmt::format(
      "{}{}\n"
      "-- from: {}\n"
      "-- to: {}\n"
      "-- schemas: {}\n"
      "-- destructive: {}\n"
      "--\n"
      "-- Made by `schemac plan --out-dir`. Review it and edit it if you like: `schemac migrate` runs it\n"
      "-- only on a database whose schema has the `from` fingerprint, and afterwards checks that the\n"
      "-- schema has the `to` fingerprint. Each `-- schemac:stage` block runs in one transaction, or\n"
      "-- statement by statement when marked `no transaction`.\n",
      kMagic, name, plan::LiveFingerprintOf(r), model::Fingerprint(r.normalized), schemas.empty() ? "*" : schemas,
      destructive ? "yes" : "no");
  std::string current;
  bool current_tx = true;
  for (const diff::Step& s : r.plan.steps) {
    if (s.requires_allow_drop && !include_destructive) continue;
    const std::string stage = StageName(s);
    if (out.empty() || stage != current || s.transactional != current_tx) {
      out += fmt::format("\n{}{}{}\n", kStage, stage, s.transactional ? "" : " no transaction");
      current = stage;
      current_tx = s.transactional;
    }
    out += fmt::format("-- {} {}\n{}\n", s.action, s.summary, s.sql);
  }
  return out;
}

std::string NextMigrationName(const std::string& dir, const std::string& label) {
  int highest = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.size() > 5 && std::all_of(n.begin(), n.begin() + 4, ::isdigit) && n[4] == '_') {
      highest = std::max(highest, std::stoi(n.substr(0, 4)));
    }
  }
  std::string clean;
  for (char c : label) clean += (std::isalnum(static_cast<unsigned char>(c)) != 0) ? static_cast<char>(std::tolower(c)) : '_';
  return fmt::format("{:04}_{}", highest + 1, clean.empty() ? "migration" : clean);
}

MigrationFile ReadMigration(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", path));
  MigrationFile m;
  m.path = path;
  m.name = fs::path(path).stem().string();
  std::string line;
  int n = 0;
  bool header = false, from = false, to = false;
  apply::Stage* stage = nullptr;
  std::string statement;
  auto flush = [&]() {
    // Statements are separated by the comment line in front of each, or by the next stage.
    const size_t begin = statement.find_first_not_of(" \t\r\n");
    if (begin != std::string::npos) {
      if (stage == nullptr) {
        throw std::runtime_error(fmt::format("{}: a statement before the first '-- schemac:stage' line", path));
      }
      stage->statements.push_back(apply::Statement{statement.substr(begin), m.name, {}});
      stage->statements.back().origin = path;
    }
    statement.clear();
  };
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) {
      if (line.rfind(kMagic, 0) != 0) {
        throw std::runtime_error(fmt::format("{}:1: not a schemac migration (the first line must be '{}NAME')", path, kMagic));
      }
      header = true;
      continue;
    }
    if (line.rfind("-- from: ", 0) == 0 && stage == nullptr) {
      m.from = line.substr(9);
      from = true;
    } else if (line.rfind("-- to: ", 0) == 0 && stage == nullptr) {
      m.to = line.substr(7);
      to = true;
    } else if (line.rfind("-- schemas: ", 0) == 0 && stage == nullptr) {
      std::stringstream ss(line.substr(12));
      std::string s;
      while (std::getline(ss, s, ',')) {
        if (s != "*" && !s.empty()) m.schemas.push_back(s);
      }
    } else if (line.rfind("-- destructive: ", 0) == 0 && stage == nullptr) {
      m.destructive = line.substr(16) == "yes";
    } else if (line.rfind(kStage, 0) == 0) {
      flush();
      const std::string rest = line.substr(std::string(kStage).size());
      const bool no_tx = rest.find("no transaction") != std::string::npos;
      m.stages.push_back(apply::Stage{rest.substr(0, rest.find(' ')), !no_tx, {}});
      stage = &m.stages.back();
    } else if (stage != nullptr && line.rfind("-- ", 0) == 0 && !stage->transactional) {
      // Outside a transaction every statement runs on its own: the comment in front of each
      // separates them.
      flush();
    } else if (stage != nullptr) {
      statement += line + "\n";
    }
  }
  flush();
  if (!header || !from || !to) {
    throw std::runtime_error(fmt::format("{}: the header needs '-- from:' and '-- to:' fingerprint lines", path));
  }
  // A transactional stage runs as one script: its statements stay together.
  for (apply::Stage& s : m.stages) {
    if (!s.transactional || s.statements.size() <= 1) continue;
    std::string all;
    for (const apply::Statement& st : s.statements) all += st.sql + "\n";
    s.statements = {apply::Statement{all, m.name, {}}};
    s.statements.back().origin = path;
  }
  return m;
}

std::vector<MigrationFile> ReadMigrations(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().extension() == ".sql") paths.push_back(e.path().string());
  }
  if (ec) throw std::runtime_error(fmt::format("cannot read the directory {}: {}", dir, ec.message()));
  std::sort(paths.begin(), paths.end());
  std::vector<MigrationFile> out;
  for (const std::string& p : paths) out.push_back(ReadMigration(p));
  return out;
}

}  // namespace schemac::cli
