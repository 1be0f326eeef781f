// Number literal conversion (see Numbers.h).
#include "compiler/parse/Numbers.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace aec {

namespace {

// Integers must fit an int64_t: sizes and seeds are stored as such later.
bool integerFits(std::string_view digits) {
  size_t i = 0;
  while (i + 1 < digits.size() && digits[i] == '0')
    ++i;
  digits.remove_prefix(i);
  constexpr std::string_view kMax = "9223372036854775807";
  if (digits.size() != kMax.size())
    return digits.size() < kMax.size();
  return digits <= kMax;
}

} // namespace

ast::Value makeNumber(std::string_view text, bool isInteger, bool negative, SourceRange range) {
  ast::Value v;
  v.kind = ast::Value::Kind::Number;
  v.isInteger = isInteger;
  v.text = (negative ? "-" : "") + std::string(text);
  v.range = range;
  // strtod is locale-dependent in theory; aec never calls setlocale, so the
  // "C" locale (with `.`) is in effect.
  std::string buf(text);
  errno = 0;
  char *end = nullptr;
  double d = std::strtod(buf.c_str(), &end);
  if (end == buf.c_str())
    d = 0;
  if (std::isinf(d) || (errno == ERANGE && std::fabs(d) > 1)) {
    v.overflow = true;
    d = std::numeric_limits<double>::infinity();
  }
  if (isInteger && !integerFits(text))
    v.overflow = true;
  v.number = negative ? -d : d;
  return v;
}

} // namespace aec
