// One ANTLR character per source byte (see ByteStream.h).
#include "compiler/parse/ByteStream.h"

namespace aec {

ByteStream::ByteStream(std::string_view bytes, std::string sourceName)
    : antlr4::ANTLRInputStream(std::string()), bytes_(bytes),
      sourceName_(std::move(sourceName)) {
  _data.resize(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i)
    _data[i] = static_cast<char32_t>(static_cast<unsigned char>(bytes[i]));
  name = sourceName_;
  p = 0;
}

std::string ByteStream::getText(const antlr4::misc::Interval &interval) {
  if (interval.a < 0 || interval.b < interval.a)
    return {};
  size_t a = static_cast<size_t>(interval.a);
  size_t b = static_cast<size_t>(interval.b);
  if (a >= bytes_.size())
    return {};
  if (b >= bytes_.size())
    b = bytes_.size() - 1;
  return std::string(bytes_.substr(a, b - a + 1));
}

} // namespace aec
