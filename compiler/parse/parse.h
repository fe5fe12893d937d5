// The parser: `.schema` text -> ast::File. The only module that sees ANTLR.
#pragma once

#include "compiler/ast/ast.h"
#include "compiler/base/diag.h"

namespace schemac::parse {

// Parses one source file. Syntax errors go to `diags` in plain words (what was expected, never a
// raw token dump). The returned AST holds every declaration that parsed; when diags has errors for
// this file, the AST may be incomplete.
ast::File ParseFile(const base::SourceManager& sources, uint32_t file_id, base::Diagnostics& diags);

}  // namespace schemac::parse
