// Safe JSON accessors (see Protocol.h).
#include "compiler/lsp/Protocol.h"

#include <cmath>
#include <limits>

namespace aec::lsp {

const json &member(const json &object, const char *key) {
  if (!object.is_object()) throw BadParams(std::string("expected an object with `") + key + "`");
  auto it = object.find(key);
  if (it == object.end()) throw BadParams(std::string("missing `") + key + "`");
  return *it;
}

std::string stringMember(const json &object, const char *key) {
  const json &v = member(object, key);
  if (!v.is_string()) throw BadParams(std::string("`") + key + "` must be a string");
  return v.get<std::string>();
}

int64_t intValue(const json &v) {
  constexpr int64_t lo = -(int64_t(1) << 40), hi = int64_t(1) << 40;
  if (v.is_number_integer()) {
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      return u > static_cast<uint64_t>(hi) ? hi : static_cast<int64_t>(u);
    }
    int64_t i = v.get<int64_t>();
    return i < lo ? lo : i > hi ? hi : i;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isnan(d)) return 0;
    return d < static_cast<double>(lo) ? lo : d > static_cast<double>(hi) ? hi : static_cast<int64_t>(d);
  }
  throw BadParams("expected a number");
}

std::string dump(const json &j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

} // namespace aec::lsp
