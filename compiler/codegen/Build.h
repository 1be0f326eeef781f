// `aec build`: lowers a checked model to an IR, then LLVM, then the requested
// artifact (exe, lib + header, shared, obj, llvm, asm) or the IR dump.
#pragma once

#include "compiler/diag/Diagnostics.h"
#include "compiler/registry/Registry.h"
#include "compiler/sema/Model.h"

#include <string>
#include <vector>

namespace aec {

class PhaseTimes;

enum class EmitKind { Exe, Lib, Shared, Obj, Llvm, Asm, IR };

// How the kernels reach the artifact (--kernels): Prebuilt declares every one
// and links libaec_kernels_vw<W>.a; Inline compiles each call into the model
// with its constant shapes; Auto is Prebuilt except the calls whose constant
// shapes measurably pay (the conv kernels: kernelCallInlined).
// Default: Auto for exe, lib and shared, Inline for obj, asm and llvm
// (self-contained without the archive; codegen/README.md).
enum class KernelMode { Default, Auto, Prebuilt, Inline };

struct BuildOptions {
  EmitKind emit = EmitKind::Exe;
  std::string output;      // -o; "-" for stdout (text emits)
  bool inferenceOnly = false;
  WeightFormat weightFormat = WeightFormat::F32; // --weight-format: inference on packed dense weights
  bool distributed = false; // link libaec_runtime_mpi and MPI (exe, lib, shared)
  std::string targetCpu;   // --target-cpu; empty = host
  int optLevel = 3;        // -O0..-O3
  KernelMode kernels = KernelMode::Default;
  bool debugInfo = false;  // -g: DWARF line info of the .ae source
  PhaseTimes *times = nullptr; // --time: each phase's times go here
  std::string cacheDir;    // the object cache (ObjectCache.h); empty: none (--no-cache)
  std::string runtimeLibDir; // where libaec_runtime.a lives (driver finds it)
  std::string runtimeIncludeDir;
  // Files the build reads (the .ae sources with their imports, a pretrained
  // checkpoint): no output may be one of them (codegen/Output.h).
  std::vector<std::string> inputs;
};

// The file `-o` defaults to for `emit` and a model (or symbol prefix) `name`:
// `name`, `libname.a`, `libname.so`, `name.o`, `name.ll`, `name.s`, or "-"
// (stdout) for the IR dump.
std::string defaultOutput(EmitKind emit, const std::string &name);

// Returns the process exit status: 0 ok, 1 user error (a registered kind
// reported through diags), 2 an internal error (a bug in aec) or an
// environment error (no C compiler, a missing runtime library, a failed link).
int buildModel(const CheckedModel &model, const BuildOptions &options, DiagnosticEngine &diags);

} // namespace aec
