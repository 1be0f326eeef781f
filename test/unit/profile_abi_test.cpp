// The profile record codegen emits (compiler/codegen/ProfileHooks.cpp)
// against the C struct the runtime reads (runtime/include/aec/profile.h),
// and the FLOP count of the ops against the model's MACs.
#include "compiler/codegen/ProfileHooks.h"
#include "runtime/include/aec/profile.h"

#include <gtest/gtest.h>
#include <llvm/IR/DataLayout.h>
#include <llvm/IR/LLVMContext.h>

#include <cstddef>

TEST(ProfileAbi, RecordMatchesTheCHeader) {
  llvm::LLVMContext C;
  llvm::StructType *ty = aec::codegen::profileOpType(C);
  llvm::DataLayout dl("e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128");
  const llvm::StructLayout *sl = dl.getStructLayout(ty);
  using T = aec_profile_op;
  const size_t offsets[] = {offsetof(T, layer), offsetof(T, what), offsetof(T, index),
                            offsetof(T, phase), offsetof(T, flops_per_row)};
  ASSERT_EQ(ty->getNumElements(), sizeof offsets / sizeof offsets[0]);
  EXPECT_EQ(sl->getSizeInBytes(), sizeof(T));
  for (unsigned i = 0; i < ty->getNumElements(); ++i)
    EXPECT_EQ(sl->getElementOffset(i), offsets[i]) << "field " << i;
}

TEST(ProfileAbi, FlopsPerRow) {
  using namespace aec::ir;
  Graph g;
  auto batched = [&](std::vector<int64_t> dims) {
    Tensor t;
    t.batched = true;
    t.dims = std::move(dims);
    return g.addTensor(t);
  };
  auto param = [&](std::vector<int64_t> dims) {
    Tensor t;
    t.buffer = Buffer::Param;
    t.dims = std::move(dims);
    return g.addTensor(t);
  };
  int x = batched({784}), w = param({784, 512}), z = batched({512});
  Op dense(OpKind::Dense);
  dense.ins = {x, w};
  dense.out = z;
  EXPECT_EQ(aec::codegen::opFlopsPerRow(g, dense), 2.0 * 784 * 512);
  Op wg(OpKind::WeightGrad, Phase::Backward);
  wg.ins = {x, z};
  wg.out = param({784, 512});
  EXPECT_EQ(aec::codegen::opFlopsPerRow(g, wg), 2.0 * 784 * 512);
  // conv 3x3, 1 -> 16 channels, 28x28 output
  int img = batched({1, 28, 28}), k = param({16, 1, 3, 3}), y = batched({16, 28, 28});
  Op conv(OpKind::Conv);
  conv.ins = {img, k};
  conv.out = y;
  EXPECT_EQ(aec::codegen::opFlopsPerRow(g, conv), 2.0 * 16 * 9 * 28 * 28);
  Op act(OpKind::Act);
  act.ins = {z};
  act.out = batched({512});
  EXPECT_EQ(aec::codegen::opFlopsPerRow(g, act), 0.0);
}
