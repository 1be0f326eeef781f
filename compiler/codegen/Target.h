// The target machine for generated code: the host (or --target-cpu) with its
// features, PIC (executables are PIE, libraries may be shared), O3 codegen.
#pragma once

#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

namespace aec::codegen {

struct TargetInfo {
  std::unique_ptr<llvm::TargetMachine> machine;
  std::string triple;
  std::string cpu;
  std::string features;     // as given to the target machine ("" = the CPU's defaults)
  std::string featureHint;  // the vector features that matter, e.g. "+avx2,+fma"
};

// Creates the target machine; `cpu` empty means the host CPU with the host
// features. Returns false and sets `error`; for an unknown CPU (a user error)
// `unknownCpu` is set and `error` is the CPU's name.
bool createTarget(const std::string &cpu, int optLevel, TargetInfo &out, std::string &error,
                  bool &unknownCpu);

} // namespace aec::codegen
