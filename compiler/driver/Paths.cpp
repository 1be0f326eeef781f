// Locating the stdlib and runtime next to the aec binary (see Paths.h).
#include "compiler/driver/Paths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace aec {

namespace {

bool isDir(const fs::path &p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}
bool isFile(const fs::path &p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}
std::string normal(const fs::path &p) { return p.lexically_normal().string(); }

// A build folder outside the source tree (/work/build-x beside /work/src)
// finds nothing next to bin/; it falls back to the tree it was built from.
fs::path sourceRoot() {
#ifdef AEC_SOURCE_ROOT
  return AEC_SOURCE_ROOT;
#else
  return {};
#endif
}

} // namespace

std::string executableDir(const char *argv0) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec || self.empty()) {
    if (!argv0)
      return "";
    self = fs::absolute(argv0, ec);
    if (ec)
      return "";
  }
  return normal(self.parent_path());
}

std::string findStdlibDir(const std::string &exeDir, const std::string &flag) {
  if (!flag.empty())
    return flag;
  if (const char *env = std::getenv("AEC_STDLIB"); env && *env)
    return env;
  if (exeDir.empty())
    return "";
  fs::path bin(exeDir);
  for (const fs::path &p : {bin / ".." / ".." / "stdlib", bin / ".." / "stdlib",
                            bin / ".." / "share" / "aec" / "stdlib", sourceRoot() / "stdlib"})
    if (!p.empty() && isDir(p))
      return normal(p);
  return "";
}

std::string findRuntimeLibDir(const std::string &exeDir) {
  if (exeDir.empty())
    return "";
  return normal(fs::path(exeDir) / ".." / "lib");
}

std::string findRuntimeIncludeDir(const std::string &exeDir) {
  if (exeDir.empty())
    return "";
  fs::path bin(exeDir);
  for (const fs::path &p : {bin / ".." / ".." / "runtime" / "include", bin / ".." / "include",
                            sourceRoot() / "runtime" / "include"})
    if (isFile(p / "aec" / "model_abi.h"))
      return normal(p);
  return normal(bin / ".." / ".." / "runtime" / "include");
}

} // namespace aec
