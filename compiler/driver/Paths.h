// Where aec finds its stdlib and runtime, relative to the aec binary:
// in the build tree build/bin/aec -> repo/stdlib, repo/runtime/include and
// build/lib; installed <prefix>/bin/aec -> <prefix>/share/aec/stdlib,
// <prefix>/include and <prefix>/lib.
#pragma once

#include <string>

namespace aec {

// The directory holding the running aec binary ("" if unknown).
std::string executableDir(const char *argv0);

// --stdlib, else $AEC_STDLIB, else the stdlib folder near the binary ("" if none).
std::string findStdlibDir(const std::string &exeDir, const std::string &flag);
// The directory of libaec_runtime.a.
std::string findRuntimeLibDir(const std::string &exeDir);
// The directory holding aec/model_abi.h.
std::string findRuntimeIncludeDir(const std::string &exeDir);

} // namespace aec
