#include "compiler/base/diag.h"

#include <fmt/format.h>

#include <algorithm>

namespace schemac::base {

const char* DiagCode(DiagKind kind) {
  switch (kind) {
#define SCHEMAC_DIAG(name, code) \
  case DiagKind::name:           \
    return code;
#include "compiler/base/diag_kinds.def"
#undef SCHEMAC_DIAG
  }
  return "unknown";
}

std::vector<DiagKind> AllDiagKinds() {
  return {
#define SCHEMAC_DIAG(name, code) DiagKind::name,
#include "compiler/base/diag_kinds.def"
#undef SCHEMAC_DIAG
  };
}

Diagnostic& Diagnostics::Error(DiagKind kind, Loc loc, std::string message) {
  diags_.push_back(Diagnostic{.severity = Severity::Error, .kind = kind, .loc = loc,
                              .message = std::move(message), .notes = {}});
  return diags_.back();
}

Diagnostic& Diagnostics::Warning(DiagKind kind, Loc loc, std::string message) {
  diags_.push_back(Diagnostic{.severity = Severity::Warning, .kind = kind, .loc = loc,
                              .message = std::move(message), .notes = {}});
  return diags_.back();
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

size_t Diagnostics::ErrorCount() const {
  return static_cast<size_t>(std::count_if(diags_.begin(), diags_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::Error;
  }));
}

void Diagnostics::SortByLocation() {
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    // Diagnostics without a location (e.g. a missing file) come first.
    if (a.loc.file != b.loc.file) {
      if (!a.loc.IsValid()) return true;
      if (!b.loc.IsValid()) return false;
      return a.loc.file < b.loc.file;
    }
    return a.loc.begin < b.loc.begin;
  });
}

namespace {

const char* SeverityWord(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

const char* SeverityColor(Severity s) {
  switch (s) {
    case Severity::Error:
      return "\033[1;31m";
    case Severity::Warning:
      return "\033[1;35m";
    case Severity::Note:
      return "\033[1;36m";
  }
  return "";
}

// Appends the source line and a caret line for `loc` (the caret covers the range on its first line).
void RenderSnippet(const SourceManager& sources, const Loc& loc, bool color, std::string& out) {
  const SourceFile& f = sources.file(loc.file);
  const LineCol start = f.Position(loc.begin);
  const std::string_view line = f.Line(start.line);
  const std::string gutter = fmt::format("{:>5}", start.line);
  out += fmt::format("{} | {}\n", gutter, line);
  // Keep tabs so the caret lines up with the source line however the terminal expands them.
  std::string pad;
  uint32_t col = 1;
  for (size_t i = 0; i < line.size() && col < start.column; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;
    pad += (c == '\t') ? '\t' : ' ';
    ++col;
  }
  // Width of the range on this line, in code points, at least 1.
  const LineCol stop = f.Position(std::max(loc.end, loc.begin));
  uint32_t width = 1;
  if (stop.line == start.line && stop.column > start.column) {
    width = stop.column - start.column;
  } else if (stop.line != start.line) {
    uint32_t line_cols = 0;
    for (unsigned char c : line) {
      if ((c & 0xC0) != 0x80) ++line_cols;
    }
    width = line_cols >= start.column ? line_cols - start.column + 1 : 1;
  }
  std::string marker = "^" + std::string(width - 1, '~');
  out += fmt::format("{} | {}{}{}{}\n", std::string(gutter.size(), ' '), pad,
                     color ? "\033[1;32m" : "", marker, color ? "\033[0m" : "");
}

}  // namespace

std::string Diagnostics::Render(const Diagnostic& d, bool color) const {
  std::string out;
  auto header = [&](const Loc& loc, Severity sev, const std::string& msg, const char* code) {
    if (color) out += "\033[1m";
    if (loc.IsValid()) {
      const SourceFile& f = sources_->file(loc.file);
      const LineCol p = f.Position(loc.begin);
      out += fmt::format("{}:{}:{}: ", f.path(), p.line, p.column);
    } else {
      out += "schemac: ";
    }
    if (color) out += "\033[0m";
    out += fmt::format("{}{}:{} ", color ? SeverityColor(sev) : "", SeverityWord(sev),
                       color ? "\033[0m" : "");
    if (color) out += "\033[1m";
    out += msg;
    if (code != nullptr) out += fmt::format(" [{}]", code);
    if (color) out += "\033[0m";
    out += "\n";
    if (loc.IsValid()) RenderSnippet(*sources_, loc, color, out);
  };
  header(d.loc, d.severity, d.message, DiagCode(d.kind));
  for (const DiagNote& n : d.notes) header(n.loc, Severity::Note, n.message, nullptr);
  return out;
}

std::string Diagnostics::Render(bool color) const {
  std::string out;
  for (const Diagnostic& d : diags_) out += Render(d, color);
  return out;
}

}  // namespace schemac::base
