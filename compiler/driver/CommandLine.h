// The `aec` command line (DESIGN section 3): parsing into Options, usage text.
#pragma once

#include <string>
#include <vector>

namespace aec {

enum class Command { None, Help, Version, Check, Show, Build, Fmt, Lsp };

struct Options {
  Command command = Command::None;
  std::string file;
  std::string model;      // --model NAME
  std::string emit;       // --emit=...; empty: the command's default
  std::string output;     // -o OUT
  std::string stdlibDir;  // --stdlib DIR
  std::string targetCpu;  // --target-cpu CPU
  std::string depfile;    // --depfile FILE: Makefile rule, output <- every .ae read
  int optLevel = 3;       // -O0..-O3
  bool inferenceOnly = false;
  std::string format = "text";    // check, show: --format=text|json
  std::vector<std::string> files; // fmt: the files to format
  bool checkOnly = false;         // fmt --check
  bool distributed = false; // --distributed: data-parallel training over MPI
};

// Parses argv. On a usage error returns false with `error` set.
bool parseCommandLine(int argc, char **argv, Options &options, std::string &error);

// The full help (`aec --help`) and the short reminder printed after a usage error.
const char *helpText();
const char *usageText();
const char *versionText();

} // namespace aec
