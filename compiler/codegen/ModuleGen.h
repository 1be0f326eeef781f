// IR -> LLVM module: the `<M>_model` constant (tables, defaults, summary) and
// the kernels forward/decode/accumulate/update, each a flat sequence of
// calls to the linked kernel library through parallel_for closures with
// constant shapes; optionally `main` (exe) or the C API wrappers (lib).
#pragma once

#include "compiler/ir/IR.h"
#include "compiler/registry/Registry.h"
#include "compiler/sema/Model.h"
#include "compiler/codegen/DebugInfo.h"

#include <llvm/IR/Module.h>

#include <string>
#include <vector>

namespace aec::codegen {

struct ModuleOptions {
  std::string prefix;   // the C identifier used for symbols: `<prefix>_model`, `<prefix>_create`
  bool withMain = false; // define main() calling aec_rt_main (exe)
  bool withCApi = false; // define the <prefix>_create ... wrappers (lib, shared)
  bool debugInfo = false;             // -g: DWARF lines of the model's source
  WeightFormat weightFormat = WeightFormat::F32; // not F32: also forward/decode_packed (issue 13.4)
  bool vnni = false; // the target runs aec_gemm_int8_vnni
  SourceLine modelLine;                // the model statement
  std::vector<SourceLine> layerLines;  // per CheckedModel layer
  int64_t gemvPanel = 64; // batch-1 GEMV column panel (aec_gemv_panel): threads split there
  int64_t rowTile = 6;   // GEMM register-tile rows (6 AVX2/SSE, 8 AVX-512): work is
                         // split between threads at multiples of it
};

// The model name as a C identifier (non-identifier characters become '_').
std::string symbolPrefix(const std::string &modelName);

// Fills `module` (which already has its triple and data layout, and into
// which the kernel library has been linked). Returns false and sets `error`
// if a kernel entry point is missing or an op cannot be lowered.
bool generateModule(const CheckedModel &model, const ir::Graph &g, const ModuleOptions &options,
                    llvm::Module &module, std::string &error);

// The forward/decode dense ops whose weights --weight-format `f` reads from
// the packed copy (untransposed parameters, each weight once; int8: K at most
// AEC_INT8_MAX_K), in function order.
std::vector<int> packedWeightOps(const ir::Graph &g, WeightFormat f);

// The printable architecture table stored as aec_model.summary.
std::string modelSummary(const CheckedModel &model, const ir::Graph &g);

} // namespace aec::codegen
