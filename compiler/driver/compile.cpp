#include "compiler/driver/compile.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/parse/parse.h"
#include "compiler/sema/sema.h"

namespace schemac::driver {

namespace fs = std::filesystem;

namespace {

bool ReadFile(const fs::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// Every `*.schema` file under `dir`, recursively, in sorted path order. Symlinked directories are not
// followed, so a link cycle cannot loop.
std::vector<fs::path> SchemaFilesUnder(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; it != end; it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec) && it->path().extension() == ".schema") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::unique_ptr<Compilation> Compile(const std::vector<std::string>& paths) {
  auto c = std::make_unique<Compilation>();
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::path path(p);
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> found = SchemaFilesUnder(path);
      if (found.empty()) {
        c->diags.Error(base::DiagKind::NoSchemaFiles, {},
                       fmt::format("no .schema files in directory '{}'", p));
      }
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      c->diags.Error(base::DiagKind::FileNotFound, {}, fmt::format("cannot open '{}': no such file or directory", p));
    }
  }
  // The same file named twice (directly and through its directory) is read once.
  std::vector<fs::path> unique;
  std::set<fs::path> seen;
  for (const fs::path& f : files) {
    std::error_code ec;
    if (seen.insert(fs::weakly_canonical(f, ec)).second) unique.push_back(f);
  }
  for (const fs::path& f : unique) {
    std::string text;
    if (!ReadFile(f, text)) {
      c->diags.Error(base::DiagKind::FileNotFound, {}, fmt::format("cannot read '{}'", f.string()));
      continue;
    }
    c->sources.Add(f.lexically_normal().string(), std::move(text));
  }
  if (c->diags.HasErrors()) return c;

  std::vector<ast::File> asts;
  for (uint32_t id = 0; id < c->sources.size(); ++id) {
    asts.push_back(parse::ParseFile(c->sources, id, c->diags));
  }
  // Syntax errors stop the run before name resolution: a partial tree would only add noise.
  if (!c->diags.HasErrors()) c->catalog = sema::Analyze(asts, c->sources, c->diags);
  c->diags.SortByLocation();
  return c;
}

}  // namespace schemac::driver
