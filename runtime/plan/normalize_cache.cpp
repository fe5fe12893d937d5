#include "runtime/plan/normalize_cache.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace schemac::plan {

namespace {

constexpr const char* kHeader = "schemac normalization cache v1";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

}  // namespace

std::string DefaultCacheDir() {
  if (std::string d = Env("SCHEMAC_CACHE_DIR"); !d.empty()) return d;
  if (std::string d = Env("XDG_CACHE_HOME"); !d.empty()) return d + "/schemac";
  if (std::string d = Env("HOME"); !d.empty()) return d + "/.cache/schemac";
  return "";
}

NormalizationCache::NormalizationCache(std::string dir, const std::string& project) : dir_(std::move(dir)) {
  // FNV-1a: stable across runs and builds (std::hash need not be).
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : project) h = (h ^ c) * 0x100000001b3ULL;
  char name[64];
  std::snprintf(name, sizeof name, "normalize-v1-%016llx.cache", static_cast<unsigned long long>(h));
  file_ = dir_ + "/" + name;
  std::ifstream in(file_, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line) || line != kHeader) return;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 >= line.size()) continue;  // torn line
    entries_.emplace(line.substr(0, tab), Entry{line.substr(tab + 1), false});
  }
}

const std::string* NormalizationCache::Find(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  it->second.used = true;
  return &it->second.json;
}

void NormalizationCache::Put(const std::string& key, std::string json) {
  if (json.find('\n') != std::string::npos) return;  // cannot happen with compact JSON; never store it
  Entry& e = entries_[key];
  e.json = std::move(json);
  e.used = true;
  dirty_ = true;
}

void NormalizationCache::Save() {
  if (!enabled() || !dirty_) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return;
  size_t used = 0;
  for (const auto& [key, e] : entries_) used += e.used ? 1 : 0;
  // Keep other projects' and branches' entries while they do not dominate the file.
  const bool keep_unused = entries_.size() <= 2 * used + 10000;
  std::vector<const std::pair<const std::string, Entry>*> rows;
  for (const auto& row : entries_) {
    if (row.second.used || keep_unused) rows.push_back(&row);
  }
  const std::string& final_path = file_;
  const std::string tmp = final_path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out << kHeader << "\n";
    for (const auto* row : rows) out << row->first << '\t' << row->second.json << '\n';
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  dirty_ = false;
}

}  // namespace schemac::plan
