// An ANTLR character stream with one character per byte of the source.
// ANTLRInputStream decodes UTF-8 (and throws on invalid sequences); we want
// any byte sequence to lex, and token indices that are byte offsets, so each
// byte becomes the code point of the same value. Non-ASCII bytes can only
// appear inside strings and comments; elsewhere they lex as INVALID.
#pragma once

#include <antlr4-runtime.h>

#include <string>
#include <string_view>

namespace aec {

class ByteStream : public antlr4::ANTLRInputStream {
public:
  ByteStream(std::string_view bytes, std::string sourceName);
  // The original bytes of [a, b] (inclusive, like ANTLR intervals).
  std::string getText(const antlr4::misc::Interval &interval) override;
  std::string getSourceName() const override { return sourceName_; }

private:
  std::string_view bytes_;
  std::string sourceName_;
};

} // namespace aec
