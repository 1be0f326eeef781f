// Source line + caret rendering for diagnostics (see SourceSnippet.h).
#include "compiler/diag/SourceSnippet.h"

#include <algorithm>
#include <vector>

namespace aec {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
size_t utf8Length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

// One displayed cell of the line: its text and the byte where it starts.
struct Cell {
  std::string text; // one column wide ("\t" counts as one cell too)
  size_t byte;
};

std::vector<Cell> toCells(std::string_view line) {
  std::vector<Cell> cells;
  cells.reserve(line.size());
  for (size_t i = 0; i < line.size();) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '\t' || (c >= 0x20 && c < 0x7F)) {
      cells.push_back({std::string(1, static_cast<char>(c)), i});
      ++i;
    } else if (size_t n = c >= 0x80 ? utf8Length(line, i) : 0) {
      cells.push_back({std::string(line.substr(i, n)), i});
      i += n;
    } else {
      cells.push_back({"?", i});
      ++i;
    }
  }
  return cells;
}

// Index of the cell holding byte `b` (cells.size() if past the end).
size_t cellAt(const std::vector<Cell> &cells, size_t b) {
  auto it = std::upper_bound(cells.begin(), cells.end(), b,
                             [](size_t v, const Cell &c) { return v < c.byte; });
  if (it == cells.begin())
    return 0;
  size_t idx = static_cast<size_t>(it - cells.begin()) - 1;
  // A byte past the last cell's bytes is "after the end of the line".
  if (idx + 1 == cells.size() && b >= cells[idx].byte + cells[idx].text.size())
    return cells.size();
  return idx;
}

constexpr size_t kMaxCells = 160; // window shown for very long lines
constexpr size_t kContext = 60;   // cells kept before the caret when cutting

} // namespace

std::string renderSnippet(std::string_view line, uint32_t beginByte, uint32_t endByte) {
  std::vector<Cell> cells = toCells(line);
  size_t first = cellAt(cells, beginByte);
  size_t last = endByte > beginByte ? cellAt(cells, endByte - 1) : first;
  if (last < first)
    last = first;
  if (last >= cells.size() && first < cells.size())
    last = cells.size() - 1; // underline stops at the end of the line

  // Cut very long lines to a window around the caret.
  size_t from = 0, to = cells.size();
  bool cutFront = false, cutBack = false;
  if (cells.size() > kMaxCells) {
    from = first > kContext ? first - kContext : 0;
    to = std::min(cells.size(), from + kMaxCells);
    cutFront = from > 0;
    cutBack = to < cells.size();
  }
  last = std::min(last, std::max(first, to == 0 ? 0 : to - 1));

  std::string text, caret;
  if (cutFront) {
    text += "...";
    caret += "   ";
  }
  for (size_t i = from; i < to; ++i)
    text += cells[i].text;
  if (cutBack)
    text += "...";
  for (size_t i = from; i < first && i < to; ++i)
    caret += cells[i].text == "\t" ? '\t' : ' ';
  caret += '^';
  for (size_t i = first + 1; i <= last && i < to; ++i)
    caret += '~';
  return text + "\n" + caret + "\n";
}

} // namespace aec
