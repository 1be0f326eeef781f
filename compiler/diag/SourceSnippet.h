// Renders one source line and a caret/underline under a column range, safely:
// tabs are kept in both lines (so the caret lines up in any tab width), bytes
// that are not printable ASCII or valid UTF-8 become `?`, and very long lines
// are cut to a window around the caret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aec {

// `line` is the raw text of the line (no newline). `beginByte` and `endByte`
// are 0-based byte offsets into it; endByte may lie past the line end (the
// underline then stops at the end of the line). Returns "<line>\n<caret>\n".
std::string renderSnippet(std::string_view line, uint32_t beginByte, uint32_t endByte);

} // namespace aec
