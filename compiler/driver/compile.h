// The front end as one call: load `.schema` files, parse, check, build the model.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/base/diag.h"
#include "compiler/model/model.h"

namespace schemac::driver {

struct Compilation {
  base::SourceManager sources;
  base::Diagnostics diags{sources};
  std::optional<model::Catalog> catalog;  // set when there were no errors
};

// Compiles the schema made of `paths`: each a `.schema` file or a directory, searched recursively for
// `*.schema` files. Files are read in sorted path order; the result does not depend on declaration
// order. Missing paths and directories without schema files are errors in `diags`.
std::unique_ptr<Compilation> Compile(const std::vector<std::string>& paths);

}  // namespace schemac::driver
