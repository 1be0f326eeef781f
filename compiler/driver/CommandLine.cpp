// Command-line parsing for `aec` (see CommandLine.h).
#include "compiler/driver/CommandLine.h"
#include "compiler/driver/Commands.h" // optPassList

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace aec {

const char *usageText() {
  return "usage: aec check FILE [--model NAME] [--emit=ast|sema] [--format=text|json] [--stdlib DIR]\n"
         "       aec show  FILE [--model NAME] [--format=text|json] [--stdlib DIR]\n"
         "       aec build FILE [-o OUT] [--emit=KIND] [--inference-only | --distributed]\n"
         "                      [--target-cpu CPU] [--weight-format f32|bf16|int8]\n"
         "                      [--kernels=auto|prebuilt|inline] [--no-cache]\n"
         "                      [-O0|-O1|-O2|-O3] [-g] [--model NAME] [--stdlib DIR] [--depfile F]\n"
         "       aec fmt [--check] FILE...\n"
         "       aec lsp [--stdlib DIR]\n"
         "       aec opt FILE.air [--pass=NAME]... [--passes=A,B,...] [-o FILE]\n"
         "run `aec --help` for details\n";
}

const char *helpText() {
  return "aec: the autoencoder compiler\n"
         "\n"
         "usage:\n"
         "  aec check FILE [options]   check a model; diagnostics only, exit 1 on any error\n"
         "  aec show  FILE [options]   print the architecture table (layers, shapes, params, MACs)\n"
         "  aec build FILE [options]   compile the model to native code\n"
         "  aec fmt [--check] FILE...  rewrite files in the canonical layout; --check: only list\n"
         "                             the files that need it (exit 1 if any); `-`: stdin\n"
         "  aec lsp                    the language server for editors (LSP over stdio)\n"
         "  aec opt FILE.air           read IR text (`aec build --emit=ir`), run passes, print\n"
         "  aec --help | --version\n"
         "\n"
         "options:\n"
         "  --model NAME       the model to use when FILE defines several\n"
         "  --stdlib DIR       where `std/...` imports resolve (default: the stdlib folder\n"
         "                     next to aec, or $AEC_STDLIB)\n"
         "  --emit=KIND        check: ast (syntax tree) | sema (checked model)\n"
         "                     build: exe (default) | lib (+ C header) | shared | obj |\n"
         "                            llvm | asm | ir | ast | sema | onnx (with --weights)\n"
         "  --format=json      check, show: diagnostics / the table as JSON on stdout\n"
         "  --weights W.aew    build --emit=onnx: the trained weights to put in the graph\n"
         "  -o OUT             output file (build; default from the model name, `-` = stdout\n"
         "                     for text outputs)\n"
         "  --inference-only   no gradient or optimizer code (build)\n"
         "  --weight-format F  bf16 | int8: inference (reconstruct, encode, decode, score,\n"
         "                     eval, the C API) reads the dense weights as bf16, or as int8\n"
         "                     with per-column scales (activations quantized per row), a\n"
         "                     copy made from the f32 weights at load; training and\n"
         "                     checkpoints stay f32\n"
         "  --distributed      data-parallel training over MPI: run with `mpirun -np P`\n"
         "                     (build: exe, lib, shared; links OpenMPI)\n"
         "  --target-cpu CPU   generate code for CPU: an LLVM CPU name or `native`; default:\n"
         "                     this machine, but x86-64-v3 (any AVX2 CPU) for --emit=lib and\n"
         "                     shared, which are shipped to other machines\n"
         "  -O0 .. -O3         optimization level (default -O3)\n"
         "  --kernels=K        build: auto (default for exe, lib and shared: the kernels\n"
         "                     compiled with aec, from libaec_kernels_vw<W>.a, except conv\n"
         "                     calls, compiled with their constant shapes) |\n"
         "                     prebuilt (every kernel from the archive: the fastest build;\n"
         "                     conv training ~1.2x slower) | inline (default for obj, asm and\n"
         "                     llvm: every call compiled with its constant shapes); an obj,\n"
         "                     asm or llvm output built with auto or prebuilt needs the archive\n"
         "  -g                 DWARF line info: perf, gdb and addr2line show the .ae line of\n"
         "                     each layer's code (the code itself is the same)\n"
         "  --time             print the wall and CPU time of each build phase on stderr\n"
         "  --no-cache         build: compile every part; by default the objects of the\n"
         "                     model's closures and tables are kept in $AEC_CACHE_DIR (else\n"
         "                     $XDG_CACHE_HOME/aec or ~/.cache/aec, at most 512 MB), keyed by\n"
         "                     their IR, the target and this aec, and an unchanged part is\n"
         "                     read back instead of compiled\n"
         "  --color=WHEN       colour diagnostics: auto (default: on a terminal, unless\n"
         "                     NO_COLOR is set), always, never\n"
         "  --depfile FILE     also write a Makefile rule: the output depends on the model\n"
         "                     file and every file it imports (build systems rebuild on edits)\n"
         "\n"
         "exit status: 0 success, 1 error in the model or the command line, 2 internal error\n"
         "(a bug in aec) or environment error (no C compiler, a failed link, a missing runtime)\n";
}

const char *versionText() { return "aec 0.1.0 (LLVM 19)\n"; }

std::string commandHelpText(Command c) {
  std::string common = "  --model NAME       the model to use when FILE defines several\n"
                       "  --stdlib DIR       where `std/...` imports resolve\n"
                       "  --color=WHEN       auto (default), always, never (NO_COLOR is honoured)\n";
  switch (c) {
  case Command::Check:
    return "usage: aec check FILE [--emit=ast|sema] [options]\n"
           "check a model: diagnostics only, exit 1 on any error\n\noptions:\n"
           "  --emit=ast|sema    also print the syntax tree or the checked model\n" + common;
  case Command::Show:
    return "usage: aec show FILE [options]\n"
           "print the architecture table: layers, shapes, params, MACs, training memory\n\n"
           "options:\n" + common;
  case Command::Opt:
    return "usage: aec opt FILE.air [--pass=NAME]... [--passes=A,B,...] [-o FILE]\n"
           "read the IR text form (`aec build --emit=ir`, or AEC_PRINT_IR_AFTER=<stage>),\n"
           "run the named passes of compiler/lower/ in the order given, with the verifier\n"
           "after each, and print the IR on stdout (no pass: parse, verify and print)\n\n"
           "options:\n"
           "  --pass=NAME        " + optPassList() + " (repeatable)\n"
           "  --passes=A,B       several passes, comma-separated\n"
           "  -o FILE            write the IR to FILE (default: stdout)\n"
           "  --color=WHEN       auto (default), always, never (NO_COLOR is honoured)\n"
           "\nlines starting with `;` are comments; errors are `file:line:col: error: ...`\n";
  case Command::Build: {
    std::string h = helpText();
    size_t from = h.find("  --emit=KIND"), to = h.find("\nexit status");
    return "usage: aec build FILE [options]\ncompile the model to native code (or ONNX)\n\n"
           "options:\n" + common + h.substr(from, to - from) + "\n";
  }
  default:
    return helpText();
  }
}

bool wantColor(const Options &o) {
  if (o.color == "always") return true;
  if (o.color == "never") return false;
  const char *noColor = std::getenv("NO_COLOR"), *term = std::getenv("TERM");
  if (noColor && *noColor) return false;
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(2) == 1;
}

namespace {

// `aec fmt [--check] FILE...` and `aec lsp [--stdlib DIR]`.
bool parseEditorCommandLine(const std::vector<std::string> &args, Options &o,
                            std::string &error) {
  o.command = args[0] == "fmt" ? Command::Fmt : Command::Lsp;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--help" || a == "-h") {
      o.command = Command::Help;
      return true;
    }
    if (o.command == Command::Fmt && a == "--check") {
      o.checkOnly = true;
    } else if (a == "--stdlib" || a.rfind("--stdlib=", 0) == 0) {
      o.stdlibDir = a == "--stdlib" ? (i + 1 < args.size() ? args[++i] : "") : a.substr(9);
      if (o.stdlibDir.empty()) {
        error = "`--stdlib` needs a value";
        return false;
      }
    } else if (o.command == Command::Fmt && (a == "-" || a.empty() || a[0] != '-')) {
      o.files.push_back(a);
    } else if (o.command == Command::Lsp && a == "--stdio") {
      // what editors pass by convention; stdio is the only transport
    } else {
      error = "unknown option `" + a + "` for `aec " + args[0] + "`";
      return false;
    }
  }
  if (o.command == Command::Fmt && o.files.empty()) {
    error = "`aec fmt` needs at least one input file (`-`: stdin to stdout)";
    return false;
  }
  return true;
}

bool isOneOf(const std::string &v, std::initializer_list<const char *> set) {
  return std::any_of(set.begin(), set.end(), [&](const char *s) { return v == s; });
}

} // namespace

bool parseCommandLine(int argc, char **argv, Options &o, std::string &error) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    error = "no command given";
    return false;
  }
  const std::string &cmd = args[0];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    o.command = Command::Help;
    if (args.size() > 1)
      o.helpFor = args[1] == "check" ? Command::Check : args[1] == "show" ? Command::Show
                : args[1] == "build" ? Command::Build : args[1] == "opt" ? Command::Opt
                                                                         : Command::None;
    return true;
  }
  if (cmd == "--version" || cmd == "version") {
    o.command = Command::Version;
    return true;
  }
  if (cmd == "check")
    o.command = Command::Check;
  else if (cmd == "show")
    o.command = Command::Show;
  else if (cmd == "build")
    o.command = Command::Build;
  else if (cmd == "opt")
    o.command = Command::Opt;
  else if (cmd == "fmt" || cmd == "lsp")
    return parseEditorCommandLine(args, o, error);
  else {
    error = cmd[0] == '-' ? "expected a command (`check`, `show` or `build`) before `" + cmd + "`"
                          : "unknown command `" + cmd + "`; expected `check`, `show` or `build`";
    return false;
  }

  // An option's value: `--opt=V` or `--opt V`.
  size_t i = 1;
  auto valueOf = [&](const std::string &arg, const std::string &name, std::string &out) -> bool {
    if (arg == name) {
      if (i + 1 >= args.size()) {
        error = "`" + name + "` needs a value";
        return false;
      }
      out = args[++i];
      return true;
    }
    out = arg.substr(name.size() + 1); // after '='
    if (out.empty()) {
      error = "`" + name + "` needs a value";
      return false;
    }
    return true;
  };
  auto matches = [](const std::string &arg, const std::string &name) {
    return arg == name || arg.rfind(name + "=", 0) == 0;
  };

  bool onlyFiles = false;
  for (; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (onlyFiles || a.empty() || a[0] != '-' || a == "-") {
      if (!o.file.empty()) {
        error = "more than one input file (`" + o.file + "` and `" + a + "`)";
        return false;
      }
      o.file = a;
    } else if (a == "--") {
      onlyFiles = true;
    } else if (a == "--help" || a == "-h") {
      o.helpFor = o.command;
      o.command = Command::Help;
      return true;
    } else if (matches(a, "--color")) {
      if (!valueOf(a, "--color", o.color))
        return false;
      if (!isOneOf(o.color, {"auto", "always", "never"})) {
        error = "`--color=" + o.color + "` is not one of auto, always, never";
        return false;
      }
    } else if (matches(a, "--model")) {
      if (!valueOf(a, "--model", o.model))
        return false;
    } else if (matches(a, "--stdlib")) {
      if (!valueOf(a, "--stdlib", o.stdlibDir))
        return false;
    } else if (o.command != Command::Build && matches(a, "--format")) {
      if (!valueOf(a, "--format", o.format))
        return false;
      if (o.format != "text" && o.format != "json") {
        error = "`--format=" + o.format + "` is not one of text, json";
        return false;
      }
    } else if (matches(a, "--emit")) {
      if (!valueOf(a, "--emit", o.emit))
        return false;
    } else if ((o.command == Command::Build || o.command == Command::Opt) &&
               (a == "-o" || a.rfind("-o", 0) == 0)) {
      if (a == "-o") {
        if (i + 1 >= args.size()) {
          error = "`-o` needs a file name";
          return false;
        }
        o.output = args[++i];
      } else {
        o.output = a.substr(a[2] == '=' ? 3 : 2);
      }
    } else if (o.command == Command::Build && a == "--inference-only") {
      o.inferenceOnly = true;
    } else if (o.command == Command::Build && matches(a, "--weight-format")) {
      std::string f;
      if (!valueOf(a, "--weight-format", f))
        return false;
      std::optional<WeightFormat> wf = weightFormatByKeyword(f);
      if (!wf) {
        error = "`--weight-format=" + f + "` is not one of";
        for (const std::string &k : weightFormatKeywords())
          error += (k == weightFormatKeywords().front() ? " " : ", ") + k;
        return false;
      }
      o.weightFormat = *wf;
    } else if (o.command == Command::Build && matches(a, "--kernels")) {
      if (!valueOf(a, "--kernels", o.kernels))
        return false;
      if (!isOneOf(o.kernels, {"auto", "prebuilt", "inline"})) {
        error = "`--kernels=" + o.kernels + "` is not one of auto, prebuilt, inline";
        return false;
      }
    } else if (o.command == Command::Build && a == "-g") {
      o.debugInfo = true;
    } else if (o.command == Command::Build && a == "--time") {
      o.timePhases = true;
    } else if (o.command == Command::Build && a == "--no-cache") {
      o.noCache = true;
    } else if (o.command == Command::Build && a == "--distributed") {
      o.distributed = true;
    } else if (o.command == Command::Build && matches(a, "--target-cpu")) {
      if (!valueOf(a, "--target-cpu", o.targetCpu))
        return false;
    } else if (o.command == Command::Build && matches(a, "--weights")) {
      if (!valueOf(a, "--weights", o.weights))
        return false;
    } else if (o.command == Command::Build && matches(a, "--depfile")) {
      if (!valueOf(a, "--depfile", o.depfile))
        return false;
    } else if (o.command == Command::Opt && (matches(a, "--pass") || matches(a, "--passes"))) {
      std::string list;
      if (!valueOf(a, matches(a, "--pass") ? "--pass" : "--passes", list))
        return false;
      for (size_t from = 0; from <= list.size();) {
        size_t comma = std::min(list.find(',', from), list.size());
        if (comma == from) {
          error = "empty pass name in `" + a + "`";
          return false;
        }
        o.passes.push_back(list.substr(from, comma - from));
        from = comma + 1;
      }
    } else if (o.command == Command::Build && a.size() == 3 && a[0] == '-' && a[1] == 'O' &&
               a[2] >= '0' && a[2] <= '3') {
      o.optLevel = a[2] - '0';
    } else {
      error = "unknown option `" + a + "` for `aec " + cmd + "`";
      return false;
    }
  }
  if (o.file.empty()) {
    error = "`aec " + cmd + "` needs an input file";
    return false;
  }
  if (o.distributed && o.inferenceOnly) {
    error = "`--distributed` is for training; an `--inference-only` build has nothing to distribute";
    return false;
  }
  if (!o.weights.empty() && o.emit != "onnx") {
    error = "`--weights` is only for `--emit=onnx`";
    return false;
  }
  if (!o.emit.empty()) {
    if (o.command == Command::Check && !isOneOf(o.emit, {"ast", "sema"})) {
      error = "`--emit=" + o.emit + "` is not valid for `aec check`; use `ast` or `sema`";
      return false;
    }
    if (o.command == Command::Show || o.command == Command::Opt) {
      error = "`aec " + cmd + "` takes no `--emit`";
      return false;
    }
    if (o.command == Command::Build &&
        !isOneOf(o.emit, {"exe", "lib", "shared", "obj", "llvm", "asm", "ir", "ast", "sema", "onnx"})) {
      error = "`--emit=" + o.emit +
              "` is not one of exe, lib, shared, obj, llvm, asm, ir, ast, sema, onnx";
      return false;
    }
  }
  return true;
}

} // namespace aec
