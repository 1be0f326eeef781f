// file:// URIs (see Uri.h).
#include "compiler/lsp/Uri.h"

#include <cctype>
#include <filesystem>

namespace aec::lsp {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

} // namespace

std::string uriToPath(const std::string &uri) {
  static const std::string scheme = "file://";
  if (uri.compare(0, scheme.size(), scheme) != 0) return "";
  std::string rest = uri.substr(scheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return "";
  rest = rest.substr(slash); // drop the authority (`localhost` or empty)
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%') {
      int hi = i + 1 < rest.size() ? hexValue(rest[i + 1]) : -1;
      int lo = i + 2 < rest.size() ? hexValue(rest[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    if (rest[i] == '?' || rest[i] == '#') break;
    out += rest[i];
  }
  if (out.find('\0') != std::string::npos) return "";
  return out;
}

std::string pathToUri(const std::string &path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  std::string p = ec ? path : abs.lexically_normal().string();
  static const char hex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : p) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace aec::lsp
