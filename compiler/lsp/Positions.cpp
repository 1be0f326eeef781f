// UTF-16 positions (see Positions.h).
#include "compiler/lsp/Positions.h"

#include "compiler/lsp/Protocol.h"

#include <algorithm>

namespace aec::lsp {

namespace {

// Length of the UTF-8 sequence starting with `c` and its UTF-16 units;
// a stray byte is one byte, one unit.
void sequence(const unsigned char *p, size_t avail, size_t &bytes, int &units) {
  unsigned char c = p[0];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  bool ok = n > 0 && n <= avail;
  for (size_t i = 1; ok && i < n; ++i) ok = (p[i] & 0xC0) == 0x80;
  bytes = ok ? n : 1;
  units = ok && n == 4 ? 2 : 1;
}

} // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(i + 1);
}

nlohmann::json LineIndex::position(size_t offset) const {
  offset = std::min(offset, text_.size());
  size_t line = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), offset) -
                                    starts_.begin()) - 1;
  int64_t units = 0;
  auto *p = reinterpret_cast<const unsigned char *>(text_.data());
  for (size_t i = starts_[line]; i < offset;) {
    size_t bytes;
    int u;
    sequence(p + i, text_.size() - i, bytes, u);
    i += bytes;
    units += u;
  }
  return {{"line", line}, {"character", units}};
}

nlohmann::json LineIndex::range(size_t begin, size_t end) const {
  return {{"start", position(begin)}, {"end", position(std::max(begin, end))}};
}

size_t LineIndex::offset(int64_t line, int64_t character) const {
  if (line < 0) return 0;
  if (static_cast<uint64_t>(line) >= starts_.size()) return text_.size();
  size_t i = starts_[static_cast<size_t>(line)];
  size_t lineEnd = static_cast<size_t>(line) + 1 < starts_.size()
                       ? starts_[static_cast<size_t>(line) + 1] - 1
                       : text_.size();
  auto *p = reinterpret_cast<const unsigned char *>(text_.data());
  int64_t units = 0;
  while (i < lineEnd && units < character) {
    size_t bytes;
    int u;
    sequence(p + i, text_.size() - i, bytes, u);
    if (units + u > character) break; // inside a surrogate pair: before it
    i += bytes;
    units += u;
  }
  return i;
}

size_t LineIndex::offset(const nlohmann::json &pos) const {
  return offset(intValue(member(pos, "line")), intValue(member(pos, "character")));
}

nlohmann::json lspRange(const SourceManager &sources, SourceRange r) {
  if (!r.valid() || static_cast<size_t>(r.file) >= sources.fileCount())
    return {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 0}}}};
  return LineIndex(sources.text(r.file)).range(r.begin, r.end);
}

} // namespace aec::lsp
