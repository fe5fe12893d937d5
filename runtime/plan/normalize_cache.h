// The normalization cache: what the dev database made of each target object, so that a plan only
// normalizes the objects that changed (and starts no dev server when none did).
//
// An entry maps a key to the JSON of one normalized object (compiler/model/serialize.h). The key
// (normalize.cpp) hashes the dev server's version, schemac's cache format, the object as the target
// describes it (every field) and, recursively, the objects its canonical form depends on (the types
// of its columns, the tables an index or view reads, ...). A key that is found means the dev
// database would produce exactly the cached object again; anything that could change the result
// changes the key.
//
// Storage: one file per project (the set of input paths), `<dir>/normalize-v1-<hash>.cache`: a
// header line, then `key<TAB>json` lines. Loading
// tolerates a missing, truncated or foreign file (it is ignored). Saving writes a temporary file
// and renames it over the old one, so concurrent runs never see a half-written cache; the last one
// wins. Entries not used by the run that saves are kept while the file stays small relative to the
// run's own entries, and dropped otherwise.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

namespace schemac::plan {

// The cache directory: $SCHEMAC_CACHE_DIR, else $XDG_CACHE_HOME/schemac, else $HOME/.cache/schemac.
// Empty when none of them is set.
std::string DefaultCacheDir();

class NormalizationCache {
 public:
  // An empty cache that is never saved (--no-cache).
  NormalizationCache() = default;
  // Loads the cache file of `project` (any string naming it, e.g. its input paths) in `dir`, if
  // it exists.
  NormalizationCache(std::string dir, const std::string& project);

  bool enabled() const { return !dir_.empty(); }
  // The JSON stored under `key`, marking the entry used.
  const std::string* Find(const std::string& key);
  void Put(const std::string& key, std::string json);
  // Writes the file when something was added. Errors are ignored: the cache is an optimization.
  void Save();

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }

 private:
  struct Entry {
    std::string json;
    bool used = false;
  };
  std::string dir_;
  std::string file_;
  std::unordered_map<std::string, Entry> entries_;
  bool dirty_ = false;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

}  // namespace schemac::plan
