// The `aec check`, `aec show` and `aec build` commands. Each returns the
// process exit status: 0 clean, 1 user error, 2 internal/tool failure.
#pragma once

#include "compiler/driver/CommandLine.h"

#include <string>
#include <vector>

namespace aec {

struct ToolDirs {
  std::string stdlib;
  std::vector<std::string> stdlibSearched; // when `stdlib` is empty
  std::string runtimeLib;
  std::string runtimeInclude;
};

int runCheck(const Options &options, const ToolDirs &dirs);
int runShow(const Options &options, const ToolDirs &dirs);
int runBuild(const Options &options, const ToolDirs &dirs);
int runFmt(const Options &options);                        // FmtCommand.cpp
int runLsp(const Options &options, const ToolDirs &dirs);  // LspCommand.cpp
int runOpt(const Options &options);                        // OptCommand.cpp
std::string optPassList(); // "autodiff | fusion | ...": the pass table's names (OptCommand.cpp)

} // namespace aec
