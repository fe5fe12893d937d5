// Semantic analysis: merges the parsed files, resolves every name across files and schemas, runs the
// checks of the language reference (docs/language.md, "Checks") and builds the target model.
#pragma once

#include <optional>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/base/diag.h"
#include "compiler/model/model.h"

namespace schemac::sema {

// Checks `files` (all the files of one schema, in sorted path order) and builds the model. Every error
// goes to `diags` at the offending reference. Returns the model when there were no errors, otherwise
// std::nullopt. Declaration order across files does not matter.
std::optional<model::Catalog> Analyze(const std::vector<ast::File>& files,
                                      const base::SourceManager& sources, base::Diagnostics& diags);

}  // namespace schemac::sema
