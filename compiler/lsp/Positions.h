// LSP positions: 0-based line and character, characters counted in UTF-16
// code units (the protocol's default encoding), against byte offsets in the
// text. Invalid UTF-8 counts one unit per byte; a position past the end of
// a line clamps to the line's end, past the last line to the end of text.
#pragma once

#include "compiler/diag/SourceManager.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace aec::lsp {

class LineIndex {
public:
  explicit LineIndex(std::string_view text);
  // {"line": L, "character": C}
  nlohmann::json position(size_t offset) const;
  // {"start": ..., "end": ...}
  nlohmann::json range(size_t begin, size_t end) const;
  size_t offset(int64_t line, int64_t character) const;
  size_t offset(const nlohmann::json &position) const; // throws on a malformed position

private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

// The LSP range of a source range (its file's text from `sources`).
nlohmann::json lspRange(const SourceManager &sources, SourceRange r);

} // namespace aec::lsp
