// aec: the autoencoder compiler's command line (DESIGN section 3).
// Exit status: 0 clean, 1 user error, 2 internal error. No exception escapes.
#include "compiler/driver/CommandLine.h"
#include "compiler/driver/Commands.h"
#include "compiler/driver/Paths.h"

#include <cstdio>
#include <exception>
#include <new>

namespace {

int run(int argc, char **argv) {
  aec::Options options;
  std::string error;
  if (!aec::parseCommandLine(argc, argv, options, error)) {
    std::fprintf(stderr, "aec: error: %s\n%s", error.c_str(), aec::usageText());
    return 1;
  }
  switch (options.command) {
  case aec::Command::Help:
    if (options.helpFor != aec::Command::None)
      std::fputs(aec::commandHelpText(options.helpFor).c_str(), stdout);
    else
      std::fputs(aec::helpText(), stdout);
    return 0;
  case aec::Command::Version:
    std::fputs(aec::versionText(), stdout);
    return 0;
  default:
    break;
  }
  std::string exeDir = aec::executableDir(argc > 0 ? argv[0] : nullptr);
  aec::ToolDirs dirs;
  dirs.stdlib = aec::findStdlibDir(exeDir, options.stdlibDir);
  if (dirs.stdlib.empty())
    dirs.stdlibSearched = aec::stdlibCandidates(exeDir);
  dirs.runtimeLib = aec::findRuntimeLibDir(exeDir);
  dirs.runtimeInclude = aec::findRuntimeIncludeDir(exeDir);
  switch (options.command) {
  case aec::Command::Check: return aec::runCheck(options, dirs);
  case aec::Command::Show: return aec::runShow(options, dirs);
  case aec::Command::Build: return aec::runBuild(options, dirs);
  case aec::Command::Fmt: return aec::runFmt(options);
  case aec::Command::Lsp: return aec::runLsp(options, dirs);
  case aec::Command::Opt: return aec::runOpt(options);
  default: return 1;
  }
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const std::bad_alloc &) {
    std::fputs("aec: internal error: out of memory\n", stderr);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "aec: internal error: %s\n", e.what());
  } catch (...) {
    std::fputs("aec: internal error: unknown exception\n", stderr);
  }
  return 2;
}
