// Source files and locations. Every diagnostic and every model object points back into these.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace schemac::base {

// A half-open byte range [begin, end) in one source file. file == kNoFile means "no location".
struct Loc {
  static constexpr uint32_t kNoFile = UINT32_MAX;
  uint32_t file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;

  bool IsValid() const { return file != kNoFile; }
  friend bool operator==(const Loc&, const Loc&) = default;
};

// 1-based line and column. Columns count code points, not bytes, so a caret lines up under
// UTF-8 text the way an editor shows it.
struct LineCol {
  uint32_t line = 0;
  uint32_t column = 0;
};

// One loaded `.schema` file. Owns its text.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  // Line and column of a byte offset (clamped to the text).
  LineCol Position(uint32_t offset) const;
  // The text of the 1-based line, without its line terminator.
  std::string_view Line(uint32_t line) const;
  // Byte offset of the code point with the given index (ANTLR token indices count code points).
  uint32_t ByteOffsetOfCodePoint(size_t index) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
  bool ascii_ = true;
  std::vector<uint32_t> code_point_offsets_;  // only filled for non-ASCII text
};

// All source files of a run, addressed by index. Files are added in a deterministic order
// (sorted path order), which is also the order diagnostics are reported in.
class SourceManager {
 public:
  uint32_t Add(std::string path, std::string text);
  const SourceFile& file(uint32_t id) const { return *files_.at(id); }
  size_t size() const { return files_.size(); }
  // The text a location covers; empty for an invalid location.
  std::string_view Text(const Loc& loc) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace schemac::base
