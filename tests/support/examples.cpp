#include "tests/support/examples.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "compiler/model/model.h"

namespace schemac::test {

namespace fs = std::filesystem;

std::vector<std::string> RolesOf(const std::string& schema_path) {
  const fs::path schema(schema_path);
  fs::path file = fs::is_directory(schema) ? schema / "roles.txt" : fs::path(schema).replace_extension(".roles");
  std::vector<std::string> roles;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line.erase(0, line.find_first_not_of(" \t\r"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty()) roles.push_back(line);
  }
  return roles;
}

std::vector<ExampleSchema> ExampleSchemas() {
  const fs::path root = fs::path(SCHEMAC_SOURCE_DIR) / "schemas";
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(root)) {
    if ((entry.is_regular_file() && entry.path().extension() == ".schema") || entry.is_directory()) {
      found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<ExampleSchema> out;
  for (const fs::path& p : found) out.push_back({p.string(), p.filename().string(), RolesOf(p.string())});
  return out;
}

void CreateRoles(pg::Connection& conn, const std::vector<std::string>& roles) {
  for (const std::string& role : roles) {
    conn.Exec("DO $$ BEGIN CREATE ROLE " + model::QuoteIdent(role) +
              "; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$");
  }
}

}  // namespace schemac::test
