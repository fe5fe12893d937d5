// Diagnostics: collected during a run, reported in file order, rendered as
//   file:line:col: error: message [code]
//      12 |   index customers_name_lower (lower(nme))
//         |                                     ^~~
#pragma once

#include <string>
#include <vector>

#include "compiler/base/source.h"

namespace schemac::base {

enum class DiagKind {
#define SCHEMAC_DIAG(name, code) name,
#include "compiler/base/diag_kinds.def"
#undef SCHEMAC_DIAG
};

// The bracketed code of a kind, e.g. "unknown-column".
const char* DiagCode(DiagKind kind);
// Every registered kind, in registry order.
std::vector<DiagKind> AllDiagKinds();

enum class Severity { Error, Warning, Note };

struct DiagNote {
  Loc loc;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  DiagKind kind = DiagKind::SyntaxError;
  Loc loc;
  std::string message;  // lower-case, no trailing period
  std::vector<DiagNote> notes;
};

// Collects the diagnostics of one run. Not thread-safe.
class Diagnostics {
 public:
  explicit Diagnostics(const SourceManager& sources) : sources_(&sources) {}

  Diagnostic& Error(DiagKind kind, Loc loc, std::string message);
  Diagnostic& Warning(DiagKind kind, Loc loc, std::string message);
  void Add(Diagnostic d) { diags_.push_back(std::move(d)); }

  bool HasErrors() const;
  size_t ErrorCount() const;
  const std::vector<Diagnostic>& all() const { return diags_; }

  // Sorts by file, then position, keeping the emission order of diagnostics at the same place.
  void SortByLocation();

  // Renders every diagnostic (with its source line and caret). `color` adds ANSI colours.
  std::string Render(bool color) const;
  std::string Render(const Diagnostic& d, bool color) const;

 private:
  const SourceManager* sources_;
  std::vector<Diagnostic> diags_;
};

}  // namespace schemac::base
