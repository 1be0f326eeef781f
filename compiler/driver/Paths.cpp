// Locating the stdlib and runtime next to the aec binary (see Paths.h).
#include "compiler/driver/Paths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

// Set by compiler/CMakeLists.txt (AEC_SOURCE_ROOT: the tree aec was built
// from, used only by the aec in its own build folder); the defaults keep
// other builds working.
#ifndef AEC_BUILD_BIN_DIR
#define AEC_BUILD_BIN_DIR ""
#endif
#ifndef AEC_SOURCE_ROOT
#define AEC_SOURCE_ROOT ""
#endif
#ifndef AEC_INSTALL_LIBDIR
#define AEC_INSTALL_LIBDIR "lib"
#endif
#ifndef AEC_INSTALL_INCLUDEDIR
#define AEC_INSTALL_INCLUDEDIR "include"
#endif
#ifndef AEC_INSTALL_DATADIR
#define AEC_INSTALL_DATADIR "share"
#endif

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

// True when the running aec is the one in the build folder it was built in.
bool inBuildTree(const std::string &exeDir) {
  if (exeDir.empty() || !*AEC_BUILD_BIN_DIR)
    return false;
  std::error_code ec;
  return fs::equivalent(exeDir, AEC_BUILD_BIN_DIR, ec) && !ec;
}

fs::path sourceDir() { return fs::path(AEC_SOURCE_ROOT); }

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

std::vector<std::string> stdlibCandidates(const std::string &exeDir) {
  std::vector<std::string> out;
  if (exeDir.empty())
    return out;
  fs::path bin(exeDir);
  out.push_back(normal(bin / ".." / AEC_INSTALL_DATADIR / "aec" / "stdlib"));
  if (inBuildTree(exeDir))
    out.push_back(normal(sourceDir() / "stdlib"));
  out.push_back(normal(bin / ".." / ".." / "stdlib")); // a build folder inside the source tree
  return out;
}

std::string findStdlibDir(const std::string &exeDir, const std::string &flag) {
  if (!flag.empty())
    return flag;
  if (const char *env = std::getenv("AEC_STDLIB"); env && *env)
    return env;
  for (const std::string &p : stdlibCandidates(exeDir))
    if (isDir(p))
      return p;
  return "";
}

std::string findRuntimeLibDir(const std::string &exeDir) {
  if (exeDir.empty())
    return "";
  fs::path bin(exeDir);
  fs::path installed = bin / ".." / AEC_INSTALL_LIBDIR;
  if (!inBuildTree(exeDir) && isFile(installed / "libaec_runtime.a"))
    return normal(installed);
  return normal(bin / ".." / "lib");
}

std::string findRuntimeIncludeDir(const std::string &exeDir) {
  if (exeDir.empty())
    return "";
  fs::path bin(exeDir);
  std::vector<fs::path> candidates = {bin / ".." / AEC_INSTALL_INCLUDEDIR};
  if (inBuildTree(exeDir))
    candidates.insert(candidates.begin(), sourceDir() / "runtime" / "include");
  candidates.push_back(bin / ".." / ".." / "runtime" / "include");
  for (const fs::path &p : candidates)
    if (isFile(p / "aec" / "model_abi.h"))
      return normal(p);
  return normal(candidates.front());
}

} // namespace aec
