#include "compiler/base/source.h"

#include <algorithm>

namespace schemac::base {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text_.size(); ++i) {
    const auto c = static_cast<unsigned char>(text_[i]);
    if (c == '\n') line_starts_.push_back(i + 1);
    if (c >= 0x80) ascii_ = false;
  }
  if (!ascii_) {
    code_point_offsets_.reserve(text_.size() + 1);
    for (uint32_t i = 0; i < text_.size(); ++i) {
      // Every byte that does not continue a UTF-8 sequence starts a code point.
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) code_point_offsets_.push_back(i);
    }
    code_point_offsets_.push_back(static_cast<uint32_t>(text_.size()));
  }
}

LineCol SourceFile::Position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line = static_cast<uint32_t>(it - line_starts_.begin());
  const uint32_t start = line_starts_[line - 1];
  uint32_t column = 1;
  for (uint32_t i = start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  }
  return {line, column};
}

std::string_view SourceFile::Line(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  const uint32_t start = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
  while (end > start && (text_[end - 1] == '\n' || text_[end - 1] == '\r')) --end;
  return std::string_view(text_).substr(start, end - start);
}

uint32_t SourceFile::ByteOffsetOfCodePoint(size_t index) const {
  if (ascii_) return static_cast<uint32_t>(std::min(index, text_.size()));
  if (index >= code_point_offsets_.size()) return static_cast<uint32_t>(text_.size());
  return code_point_offsets_[index];
}

uint32_t SourceManager::Add(std::string path, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  return static_cast<uint32_t>(files_.size() - 1);
}

std::string_view SourceManager::Text(const Loc& loc) const {
  if (!loc.IsValid() || loc.file >= files_.size()) return {};
  const std::string& t = files_[loc.file]->text();
  const uint32_t b = std::min<uint32_t>(loc.begin, static_cast<uint32_t>(t.size()));
  const uint32_t e = std::min<uint32_t>(std::max(loc.end, b), static_cast<uint32_t>(t.size()));
  return std::string_view(t).substr(b, e - b);
}

}  // namespace schemac::base
