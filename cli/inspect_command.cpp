// `schemac inspect`: reads the live database (runtime/catalog) and writes it as .schema files
// (compiler/printer).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

#include "cli/commands.h"
#include "compiler/printer/printer.h"
#include "runtime/catalog/introspect.h"
#include "runtime/pg/connection.h"
#include "runtime/plan/connect.h"

namespace schemac::cli {

namespace fs = std::filesystem;

namespace {

// .schema files below `dir` that this run did not write: compiling the directory would read them
// too, so the user hears about them.
std::vector<std::string> StrayFiles(const fs::path& dir, const std::set<std::string>& written) {
  std::vector<std::string> stray;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".schema") continue;
    const std::string rel = fs::relative(it->path(), dir).generic_string();
    if (!written.contains(rel)) stray.push_back(rel);
  }
  std::sort(stray.begin(), stray.end());
  return stray;
}

}  // namespace

int RunInspect(const InspectArgs& args, std::ostream& out, std::ostream& err) {
  try {
    const std::string conninfo = plan::ResolveConninfo(args.db);
    pg::Connection conn(conninfo);
    catalog::IntrospectOptions scope;
    scope.schemas = args.schemas;
    scope.parallel_conninfo = conninfo;
    const catalog::Introspection live = catalog::Introspect(conn, scope);
    printer::Options options;
    options.split = args.split;
    const printer::Output printed = printer::Print(live.catalog, options);

    // Never silent about what the files leave out.
    for (const catalog::Unsupported& u : live.unsupported) err << "unmanaged: " << u.kind << " " << u.name << "\n";
    for (const std::string& note : printed.notes) err << "note: " << note << "\n";

    if (!args.output) {
      for (size_t i = 0; i < printed.files.size(); ++i) {
        if (i > 0) out << "\n";
        out << "-- file: " << printed.files[i].path << "\n\n" << printed.files[i].text;
      }
      return kExitOk;
    }
    const fs::path dir(*args.output);
    std::set<std::string> written;
    for (const printer::File& f : printed.files) {
      const fs::path path = dir / fs::path(f.path);
      fs::create_directories(path.parent_path());
      std::ofstream file(path, std::ios::binary | std::ios::trunc);
      file << f.text;
      file.close();
      if (!file) {
        err << fmt::format("schemac: error: cannot write {}\n", path.string());
        return kExitError;
      }
      written.insert(f.path);
    }
    for (const std::string& stray : StrayFiles(dir, written)) {
      err << fmt::format("schemac: warning: {} was not written by this inspect; it is part of the schema in {} too\n",
                         (dir / stray).string(), dir.string());
    }
    out << fmt::format("Wrote {} file{} to {}.\n", printed.files.size(), printed.files.size() == 1 ? "" : "s",
                       dir.string());
    return kExitOk;
  } catch (...) {
    return ReportFailure(err);
  }
}

}  // namespace schemac::cli
