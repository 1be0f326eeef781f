// Back half of `aec build`: LLVM's O3 pipeline, object/assembly emission,
// linking with the system C compiler and writing static archives.
#pragma once

#include <llvm/ADT/SmallString.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <string>
#include <vector>

namespace aec::codegen {

// Runs the new pass manager's default pipeline for optLevel (0..3).
void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm, int optLevel);

// Compiles `module` into an object file in memory.
bool emitObject(llvm::Module &module, llvm::TargetMachine &tm, llvm::SmallString<0> &object,
                std::string &error);

// Writes an object file or assembly to `path` ("-" = stdout) through the
// output guard (Output.h); `others` are the build's inputs and other outputs.
bool emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm, bool assembly,
                     const std::string &path, const std::vector<std::string> &others,
                     std::string &error);

// Writes text to `path` ("-" = stdout) through the output guard.
bool writeText(const std::string &text, const std::string &path,
               const std::vector<std::string> &others, std::string &error);

// Runs `cc` (or clang-19) with `args`; on failure `error` holds the command.
bool runLinker(const std::vector<std::string> &args, std::string &error);

// An archive whose members go into a static library: all of them (the
// runtime: a program may call its API itself), or `onlyNeeded`, those that
// define a symbol the library's objects reference, transitively, as a linker
// would pull them (the prebuilt kernels: an --inference-only model references
// no optimizer, so its library carries none).
struct LibraryArchive {
  std::string path;
  bool onlyNeeded = false;
};

// Writes a static archive holding `objects` and the members of `archives`.
bool writeStaticLibrary(const std::string &path, const std::vector<std::string> &objects,
                        const std::vector<LibraryArchive> &archives,
                        const std::vector<std::string> &others, std::string &error);

// The C header of `--emit=lib`/`--emit=shared`.
struct HeaderInfo {
  std::string prefix;
  int64_t inputSize = 0, codeSize = 0, outputSize = 0, maxBatch = 0, paramCount = 0;
  std::vector<std::pair<std::string, int64_t>> layers; // name, out size
  bool inferenceOnly = false;
  const char *weightFormat = "f32"; // --weight-format
};
std::string cHeader(const HeaderInfo &info);

} // namespace aec::codegen
