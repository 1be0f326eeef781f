// Target machine selection (host by default, `--target-cpu` otherwise).
#include "compiler/codegen/Target.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include <mutex>
#include <utility>

namespace aec::codegen {

// LLVM options aec sets unless AEC_LLVM_OPTIONS gives them (measured in
// codegen/README.md, "The optimization pipeline"): O3's full-unroll threshold
// for the O1 pipeline (Emit.cpp), whose unrolled register blocks are the
// speed; no loop strength reduction, a fifth of conv.ae's build, whose
// kernels step their pointers themselves.
static void setLlvmDefaults() {
  static const std::pair<const char *, const char *> defaults[] = {
      {"unroll-threshold-default", "300"}, {"disable-lsr", "true"}};
  llvm::StringMap<llvm::cl::Option *> &registered = llvm::cl::getRegisteredOptions();
  for (const auto &[name, value] : defaults) {
    auto it = registered.find(name);
    if (it != registered.end() && it->second->getNumOccurrences() == 0)
      it->second->addOccurrence(0, name, value);
  }
}

bool createTarget(const std::string &cpuIn, int optLevel, TargetInfo &out, std::string &error,
                  bool &unknownCpu) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    // For experiments with LLVM's own knobs (codegen/README.md), never needed.
    const char *argv0[] = {"aec"};
    llvm::cl::ParseCommandLineOptions(1, argv0, "", nullptr, "AEC_LLVM_OPTIONS");
    setLlvmDefaults();
  });
  out.triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(out.triple, error);
  if (!target) return false;

  std::string cpu = cpuIn;
  std::string features;
  if (cpu.empty() || cpu == "native" || cpu == "host") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &f : llvm::sys::getHostCPUFeatures()) {
      if (!features.empty()) features += ",";
      features += (f.getValue() ? "+" : "-") + f.getKey().str();
    }
  }
  // An unknown CPU name is a user error, not a silent generic build.
  {
    std::unique_ptr<llvm::MCSubtargetInfo> sti(
        target->createMCSubtargetInfo(out.triple, cpu, features));
    if (!sti || !sti->isCPUStringValid(cpu)) {
      error = cpu;
      unknownCpu = true;
      return false;
    }
    static const char *const interesting[] = {"sse4.2", "avx", "avx2", "fma", "f16c",
                                              "avx512f", "avx512bw", "avx512dq", "avx512vl"};
    const bool x86 = llvm::Triple(out.triple).isX86();
    for (const char *f : interesting)
      if (x86)
      if (sti->checkFeatures(std::string("+") + f)) {
        if (!out.featureHint.empty()) out.featureHint += ",";
        out.featureHint += std::string("+") + f;
      }
  }
  llvm::TargetOptions options;
  llvm::CodeGenOptLevel level = optLevel <= 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                : llvm::CodeGenOptLevel::Aggressive;
  out.machine.reset(target->createTargetMachine(out.triple, cpu, features, options,
                                                llvm::Reloc::PIC_, std::nullopt, level));
  if (!out.machine) {
    error = "cannot create a target machine for `" + out.triple + "` (" + cpu + ")";
    return false;
  }
  out.cpu = cpu;
  out.features = features;
  return true;
}

} // namespace aec::codegen
