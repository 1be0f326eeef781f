// The `aec` command line (DESIGN section 3): parsing into Options, usage text.
#pragma once

#include "compiler/registry/Registry.h"

#include <string>
#include <vector>

namespace aec {

enum class Command { None, Help, Version, Check, Show, Build, Fmt, Lsp, Opt };

struct Options {
  Command command = Command::None;
  std::string file;
  std::string model;      // --model NAME
  std::string emit;       // --emit=...; empty: the command's default
  std::string output;     // -o OUT
  std::string stdlibDir;  // --stdlib DIR
  std::string targetCpu;  // --target-cpu CPU
  std::string weights;    // --weights W.aew (--emit=onnx)
  std::string depfile;    // --depfile FILE: Makefile rule, output <- every .ae read
  int optLevel = 3;       // -O0..-O3
  bool debugInfo = false; // build -g
  bool timePhases = false; // build --time: per-phase wall and CPU times on stderr
  bool noCache = false;    // build --no-cache: no object cache
  bool inferenceOnly = false;
  WeightFormat weightFormat = WeightFormat::F32; // --weight-format (issue 13.4)
  std::string kernels;      // --kernels=prebuilt|inline; empty: the output kind's default
  std::string format = "text";    // check, show: --format=text|json
  std::vector<std::string> files; // fmt: the files to format
  bool checkOnly = false;         // fmt --check
  bool distributed = false; // --distributed: data-parallel training over MPI
  std::string color = "auto"; // --color=auto|always|never
  Command helpFor = Command::None; // `aec CMD --help`, `aec help CMD`
  std::vector<std::string> passes; // opt: --pass=NAME (repeatable), --passes=A,B
};

// Whether diagnostics get ANSI colours: --color=always|never, else (auto)
// when stderr is a terminal, NO_COLOR is unset or empty and TERM is not dumb.
bool wantColor(const Options &options);
// `aec CMD --help`: that command's usage and options.
std::string commandHelpText(Command command);

// Parses argv. On a usage error returns false with `error` set.
bool parseCommandLine(int argc, char **argv, Options &options, std::string &error);

// The full help (`aec --help`) and the short reminder printed after a usage error.
const char *helpText();
const char *usageText();
const char *versionText();

} // namespace aec
