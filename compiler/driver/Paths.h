// Where aec finds its stdlib and runtime, relative to the aec binary.
// Installed <prefix>/bin/aec -> <prefix>/share/aec/stdlib, <prefix>/include,
// <prefix>/<libdir>; the build-tree aec (the binary in the build folder it
// was built in, wherever that folder is) -> the source tree's stdlib and
// runtime/include and the build folder's lib.
#pragma once

#include <string>
#include <vector>

namespace aec {

// The directory holding the running aec binary ("" if unknown).
std::string executableDir(const char *argv0);

// The stdlib folders looked for near the binary, in order.
std::vector<std::string> stdlibCandidates(const std::string &exeDir);
// --stdlib, else $AEC_STDLIB, else the first existing candidate ("" if none).
std::string findStdlibDir(const std::string &exeDir, const std::string &flag);
// The directory of libaec_runtime.a.
std::string findRuntimeLibDir(const std::string &exeDir);
// The directory holding aec/model_abi.h.
std::string findRuntimeIncludeDir(const std::string &exeDir);

} // namespace aec
