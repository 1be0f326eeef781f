// LLVM struct types of the model ABI (see ModelAbi.h); the comments name the
// C fields of runtime/include/aec/model_abi.h.
#include "compiler/codegen/ModelAbi.h"

#include "compiler/sema/Model.h"
#include "runtime/include/aec/model_abi.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>

namespace aec::codegen {

// The enums codegen writes as integers (the registry kinds assert theirs in
// compiler/registry/Registry.cpp).
static_assert(static_cast<int>(ScheduleKind::Plateau) == AEC_SCHED_PLATEAU &&
              static_cast<int>(ScheduleKind::Step) == AEC_SCHED_STEP &&
              static_cast<int>(ScheduleKind::Cosine) == AEC_SCHED_COSINE);
static_assert(static_cast<int>(NormalizeKind::Standard) == AEC_NORM_STANDARD &&
              static_cast<int>(NormalizeKind::MinMax) == AEC_NORM_MINMAX);
static_assert(static_cast<int>(Section::Encoder) == 0 && static_cast<int>(Section::Code) == 1 &&
              static_cast<int>(Section::Decoder) == 2); // aec_layer_info.section

ModelAbiTypes modelAbiTypes(llvm::LLVMContext &C) {
  using namespace llvm;
  Type *i32 = Type::getInt32Ty(C), *i64 = Type::getInt64Ty(C), *f32 = Type::getFloatTy(C);
  Type *ptr = PointerType::get(C, 0);
  Type *dims = ArrayType::get(i64, 4); // [AEC_MAX_RANK]
  ModelAbiTypes t;
  t.tensorInfo = StructType::create(
      C,
      {ptr, i32, i32, dims, // name, layer, rank, dims
       i64, i64, i32, i32,  // offset, size, trainable, from_pretrained
       i32, i64, i64},      // init, fan_in, fan_out
      "aec_tensor_info");
  t.layerInfo = StructType::create(
      C,
      {ptr, i32, i32, i32, // name, kind, activation, section
       i32, dims, i64, i64}, // out_rank, out_dims, out_size, act_offset
      "aec_layer_info");
  t.model = StructType::create(
      C,
      {i32, ptr, i64, ptr,                        // abi_version, name, arch_hash, summary
       i32, dims, i64, i32, f32, f32, i32, i64,   // input_*, has_range, range_*, code_*
       i64, i64, i64, i64,                        // max_batch, param_count, opt_slots, workspace
       i32, ptr, i32, ptr, ptr,                   // layers, tensors, pretrained_path
       i32, i32, f32, f32, f32, f32, f32, i64, i64, i64, i32, // train defaults, inference_only
       ptr, ptr, ptr, ptr,                        // forward, decode, accumulate, update
       ptr, f32, i64, i64,                        // kl_weight, kl_beta, kl_warmup, logvar_offset
       i32, f32, i64, i64, f32, i64, i32,         // schedule.., early_stop, normalize (issue 8)
       i32, i64, ptr, ptr, ptr},                  // weight_format, packed_words, weight_pack,
                                                  // forward/decode_packed
      "aec_model");
  return t;
}

llvm::Constant *abiString(llvm::Module &M, const std::string &s, const std::string &symbol) {
  using namespace llvm;
  Constant *data = ConstantDataArray::getString(M.getContext(), s, true);
  auto *gv = new GlobalVariable(M, data->getType(), true, GlobalValue::PrivateLinkage, data, symbol);
  gv->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  gv->setAlignment(Align(1));
  return gv;
}

} // namespace aec::codegen
