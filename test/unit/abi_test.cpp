// The model ABI: the LLVM struct types codegen emits (compiler/codegen/
// ModelAbi.cpp) against the C structs of runtime/include/aec/model_abi.h,
// field by field (offsetof), and the registries against the C enums.
#include "compiler/codegen/ModelAbi.h"
#include "compiler/registry/Registry.h"
#include "runtime/include/aec/model_abi.h"

#include <gtest/gtest.h>
#include <llvm/IR/DataLayout.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/LLVMContext.h>

#include <cstddef>
#include <vector>

namespace {

// x86-64 System V (the only target aec generates for).
const char *kDataLayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128";

void expectLayout(llvm::StructType *ty, size_t size, const std::vector<size_t> &offsets) {
  llvm::DataLayout dl(kDataLayout);
  const llvm::StructLayout *sl = dl.getStructLayout(ty);
  ASSERT_EQ(ty->getNumElements(), offsets.size()) << ty->getName().str();
  EXPECT_EQ(sl->getSizeInBytes(), size) << ty->getName().str();
  for (size_t i = 0; i < offsets.size(); ++i)
    EXPECT_EQ(sl->getElementOffset(static_cast<unsigned>(i)), offsets[i])
        << ty->getName().str() << " field " << i;
}

#define AT(S, f) offsetof(S, f)

TEST(ModelAbi, StructTypesMatchTheCHeader) {
  llvm::LLVMContext C;
  aec::codegen::ModelAbiTypes t = aec::codegen::modelAbiTypes(C);
  using T = aec_tensor_info;
  expectLayout(t.tensorInfo, sizeof(T),
               {AT(T, name), AT(T, layer), AT(T, rank), AT(T, dims), AT(T, offset), AT(T, size),
                AT(T, trainable), AT(T, from_pretrained), AT(T, init), AT(T, fan_in),
                AT(T, fan_out)});
  using L = aec_layer_info;
  expectLayout(t.layerInfo, sizeof(L),
               {AT(L, name), AT(L, kind), AT(L, activation), AT(L, section), AT(L, out_rank),
                AT(L, out_dims), AT(L, out_size), AT(L, act_offset)});
  using M = aec_model;
  expectLayout(t.model, sizeof(M),
               {AT(M, abi_version), AT(M, name), AT(M, arch_hash), AT(M, summary),
                AT(M, input_rank), AT(M, input_dims), AT(M, input_size), AT(M, has_range),
                AT(M, range_lo), AT(M, range_hi), AT(M, code_layer), AT(M, code_size),
                AT(M, max_batch), AT(M, param_count), AT(M, opt_slots), AT(M, workspace_size),
                AT(M, num_layers), AT(M, layers), AT(M, num_tensors), AT(M, tensors),
                AT(M, pretrained_path), AT(M, loss), AT(M, optimizer), AT(M, lr),
                AT(M, momentum), AT(M, beta1), AT(M, beta2), AT(M, eps), AT(M, batch),
                AT(M, epochs), AT(M, seed), AT(M, inference_only), AT(M, forward),
                AT(M, decode), AT(M, accumulate), AT(M, update), AT(M, kl_weight),
                AT(M, kl_beta), AT(M, kl_warmup), AT(M, logvar_offset), AT(M, schedule),
                AT(M, schedule_factor), AT(M, schedule_every), AT(M, warmup), AT(M, validation),
                AT(M, early_stop), AT(M, normalize), AT(M, weight_format), AT(M, packed_words),
                AT(M, weight_pack), AT(M, forward_packed), AT(M, decode_packed)});
}

TEST(Registry, KeywordsRoundTrip) {
  using namespace aec;
  for (const std::string &k : activationKeywords())
    EXPECT_STREQ(activationName(*activationByKeyword(k)), k.c_str());
  for (const std::string &k : layerKindKeywords())
    EXPECT_STREQ(layerKindName(*layerKindByKeyword(k)), k.c_str());
  for (const std::string &k : weightFormatKeywords())
    EXPECT_STREQ(info(*weightFormatByKeyword(k)).keyword, k.c_str());
  EXPECT_EQ(packedWords(WeightFormat::F32, 784, 512), 0);
  EXPECT_EQ(packedWords(WeightFormat::Bf16, 7, 3), 4 * 3);
  EXPECT_EQ(packedWords(WeightFormat::Int8, 7, 3), (2 + 2) * 3);
  EXPECT_EQ(layerKindByKeyword("reshape"), std::nullopt); // made by sema only
  EXPECT_EQ(noiseByKeyword("none"), std::nullopt);
  EXPECT_EQ(info(Activation::Relu).cValue, AEC_RELU);
  EXPECT_EQ(info(LayerKind::Conv1D).cValue, AEC_CONV1D);
  EXPECT_EQ(info(OptimizerKind::SGD).cValue, AEC_OPT_SGD);
}

TEST(Registry, OptimizerStateSlots) {
  using namespace aec;
  EXPECT_EQ(optimizerStateSlots(OptimizerKind::Adam, 0), 2);
  EXPECT_EQ(optimizerStateSlots(OptimizerKind::SGD, 0), 0);
  EXPECT_EQ(optimizerStateSlots(OptimizerKind::SGD, 0.9), 1);
}

} // namespace
