// Back end tests of the convolutional layers on hand-built CheckedModels: the
// IR after the pipeline (fused conv epilogues, derivatives folded into the
// conv/pool gradients, frozen conv layers, inference-only), the verifier on
// broken conv ops, and the numeric checks of generated code through
// test/numerics/gradcheck.c (forward parity with a direct-loop double
// reference, finite-difference gradients, the first optimizer step) for the
// cases the lit tests (test/lit/codegen/gradcheck-conv.ae) do not reach:
// pool factors other than 2 (the generic kernel path), frozen conv encoders,
// a non-square image with stride 2 and a 5x5 kernel, stride 3 on an odd size.
#include "compiler/codegen/Build.h"
#include "compiler/ir/IR.h"
#include "compiler/lower/Passes.h"
#include "test/unit/codegen_test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace aec {
namespace {

Layer conv(std::string name, std::vector<int64_t> in, int64_t outC, int64_t k, int64_t stride,
           Activation a, Section s) {
  Layer l;
  l.name = std::move(name);
  l.kind = in.size() == 3 ? LayerKind::Conv2D : LayerKind::Conv1D;
  l.activation = a;
  l.section = s;
  l.in.dims = in;
  l.out.dims = in;
  l.out.dims[0] = outC;
  for (size_t d = 1; d < in.size(); ++d) l.out.dims[d] = (in[d] + stride - 1) / stride;
  l.channels = outC;
  l.kernel = k;
  l.stride = stride;
  return l;
}

Layer pool(std::string name, LayerKind kind, std::vector<int64_t> in, int64_t f, Section s) {
  Layer l;
  l.name = std::move(name);
  l.kind = kind;
  l.section = s;
  l.in.dims = in;
  l.out.dims = in;
  for (size_t d = 1; d < in.size(); ++d)
    l.out.dims[d] = kind == LayerKind::Upsample ? in[d] * f : in[d] / f;
  l.factor = f;
  return l;
}

// [1, H, W] -> conv C k (stride) act -> pool F -> code (the pool output) ->
// upsample F -> conv 1 k out-act (-> upsample stride if stride > 1 first).
struct ConvSpec {
  std::string name = "cv";
  int64_t H = 6, W = 6, C = 3, k = 3, stride = 1, factor = 2;
  LayerKind poolKind = LayerKind::MaxPool;
  Activation act = Activation::Tanh, outAct = Activation::Sigmoid;
  bool frozen = false;
  OptimizerKind opt = OptimizerKind::Adam;
  int64_t batch = 5;
};

CheckedModel makeConv(const ConvSpec &s) {
  CheckedModel m;
  m.name = s.name;
  m.input.dims = {1, s.H, s.W};
  m.hasRange = true;
  m.rangeLo = 0;
  m.rangeHi = 1;
  Layer c1 = conv("enc1", {1, s.H, s.W}, s.C, s.k, s.stride, s.act, Section::Encoder);
  c1.frozen = s.frozen;
  Layer p1 = pool("enc2", s.poolKind, c1.out.dims, s.factor, Section::Encoder);
  m.layers = {c1, p1};
  m.codeIndex = 1;
  Layer u1 = pool("dec1", LayerKind::Upsample, p1.out.dims, s.factor, Section::Decoder);
  u1.mirrors = 1;
  m.layers.push_back(u1);
  std::vector<int64_t> cur = u1.out.dims;
  if (s.stride > 1) {
    Layer u2 = pool("dec2", LayerKind::Upsample, cur, s.stride, Section::Decoder);
    u2.mirrors = 0;
    m.layers.push_back(u2);
    cur = u2.out.dims;
  }
  Layer c2 = conv("dec" + std::to_string(m.layers.size() - 1), cur, 1, s.k, 1, s.outAct,
                  Section::Decoder);
  c2.mirrors = 0;
  m.layers.push_back(c2);
  m.loss = LossKind::BCE;
  m.freezeEncoder = s.frozen;
  m.train.optimizer = s.opt;
  m.train.lr = 0.01;
  m.train.momentum = s.opt == OptimizerKind::SGD ? 0.9 : 0;
  m.train.batch = s.batch;
  m.train.seed = 1;
  return m;
}

using testing::countOps;
using testing::lowerModel;

TEST(ConvIR, FusedTrainingGraph) {
  ir::Graph g = lowerModel(makeConv(ConvSpec()), false);
  EXPECT_EQ(ir::verify(g), "");
  EXPECT_EQ(countOps(g, ir::OpKind::Conv), 2);
  // Issue 13.2: the maxpool 2 runs in the first conv's epilogue, its backward in
  // that conv's weight gradient; only the upsample stays a pool op.
  EXPECT_EQ(countOps(g, ir::OpKind::Pool), 1);
  EXPECT_EQ(countOps(g, ir::OpKind::Act), 0);       // fused into the conv epilogue
  EXPECT_EQ(countOps(g, ir::OpKind::ActGrad), 0);   // fused into pool_grad / loss
  EXPECT_EQ(countOps(g, ir::OpKind::ConvWeightGrad), 2);
  EXPECT_EQ(countOps(g, ir::OpKind::ConvInputGrad), 1); // none below the first layer
  // The upsample's gradient is summed in the decoder conv's input gradient.
  EXPECT_EQ(countOps(g, ir::OpKind::PoolGrad), 0);
  EXPECT_EQ(countOps(g, ir::OpKind::LossActGrad), 1);
  for (const ir::Op &op : g.ops) {
    if (op.kind == ir::OpKind::ConvInputGrad) {
      EXPECT_EQ(op.factor, 2);
      EXPECT_EQ(g.tensors[op.out].dims, g.tensors[g.layerOutput[1]].dims); // the pool's output
    }
    if (op.kind == ir::OpKind::Conv) EXPECT_GE(op.scratch, 0);
    if (op.kind == ir::OpKind::ConvWeightGrad) {
      EXPECT_GE(op.out2, 0); // the bias gradient comes from the same kernel
      EXPECT_GE(op.scratch, 0);
    }
    if (op.layer == 0) { // conv + tanh + maxpool: the pooled output, its gradient
      EXPECT_EQ(op.maxpool, 2) << ir::opKindName(op.kind);
      if (op.kind == ir::OpKind::Conv) {
        EXPECT_EQ(op.out, g.layerOutput[1]);
        EXPECT_EQ(op.out2, g.layerOutput[0]); // unpooled, for the inference functions
      } else {
        EXPECT_EQ(op.kind, ir::OpKind::ConvWeightGrad);
        EXPECT_TRUE(op.hasDeriv);
        EXPECT_EQ(op.derivAct, Activation::Tanh);
        EXPECT_EQ(op.ins.size(), 4u); // x, the pooled gradient, w, bias
      }
    }
  }
  // Issue 13.2: the fused upsample's full-resolution output is read by no op
  // of the training step, so only forward / decode write it; the maxpool stays.
  ASSERT_TRUE(g.functions.listed);
  auto lists = [&](const std::vector<int> &list, ir::PoolKind kind) {
    for (int i : list)
      if (g.ops[i].kind == ir::OpKind::Pool && g.ops[i].pool == kind) return true;
    return false;
  };
  EXPECT_TRUE(lists(g.functions.forward, ir::PoolKind::Upsample));
  EXPECT_FALSE(lists(g.functions.accumulate, ir::PoolKind::Upsample));
  // A maxpool 3 is not fused.
  ConvSpec s3;
  s3.factor = 3;
  ir::Graph g3 = lowerModel(makeConv(s3), false);
  EXPECT_EQ(ir::verify(g3), "");
  bool max3 = false;
  for (int i : g3.functions.accumulate)
    max3 |= g3.ops[i].kind == ir::OpKind::Pool && g3.ops[i].pool == ir::PoolKind::Max;
  EXPECT_TRUE(max3);
  EXPECT_EQ(countOps(g3, ir::OpKind::PoolGrad), 1);
}

TEST(ConvIR, InferenceOnlyAndFrozen) {
  ConvSpec s;
  ir::Graph inf = lowerModel(makeConv(s), true);
  EXPECT_EQ(ir::verify(inf), "");
  for (const ir::Op &op : inf.ops) EXPECT_EQ(op.phase, ir::Phase::Forward);
  s.frozen = true;
  ir::Graph g = lowerModel(makeConv(s), false);
  EXPECT_EQ(ir::verify(g), "");
  EXPECT_EQ(countOps(g, ir::OpKind::ConvWeightGrad), 1); // the decoder conv only
  EXPECT_EQ(countOps(g, ir::OpKind::ConvInputGrad), 0);
  EXPECT_EQ(countOps(g, ir::OpKind::PoolGrad), 0);
  EXPECT_FALSE(g.tensors[g.layerWeight[0]].trainable);
  // Frozen parameters first: the trainable range starts at the decoder conv.
  EXPECT_EQ(g.trainableBegin, g.tensors[g.layerWeight[3]].offset);
}

TEST(ConvIR, VerifierCatchesBrokenConvOps) {
  CheckedModel m = makeConv(ConvSpec());
  {
    ir::Graph g = lowerModel(m, false);
    for (ir::Op &op : g.ops)
      if (op.kind == ir::OpKind::Conv) op.kernel = 5;
    EXPECT_NE(ir::verify(g).find("kernel shape"), std::string::npos) << ir::verify(g);
  }
  {
    ir::Graph g = lowerModel(m, false);
    for (ir::Op &op : g.ops)
      if (op.kind == ir::OpKind::Pool) op.factor = 3;
    EXPECT_NE(ir::verify(g).find("factor"), std::string::npos) << ir::verify(g);
  }
  {
    ir::Graph g = lowerModel(m, false);
    for (ir::Op &op : g.ops)
      if (op.kind == ir::OpKind::ConvWeightGrad) op.scratch = -1;
    EXPECT_NE(ir::verify(g).find("scratch"), std::string::npos) << ir::verify(g);
  }
  // Issue 13.2: the decoder conv after the upsample by 2 runs per output phase
  // with the smaller scratch (16 x 16 images); without the phases its kernel
  // would need more, and phases need the upsample by 2.
  {
    ConvSpec big;
    big.H = big.W = 16;
    big.C = 8;
    ir::Graph g = lowerModel(makeConv(big), false);
    int phased = 0;
    for (ir::Op &op : g.ops)
      if (op.phases) {
        ++phased;
        op.phases = false;
      }
    EXPECT_EQ(phased, 3); // forward, weight gradient, input gradient
    EXPECT_NE(ir::verify(g).find("smaller than the kernel needs"), std::string::npos)
        << ir::verify(g);
  }
  {
    ir::Graph g = lowerModel(m, false);
    for (ir::Op &op : g.ops)
      if (op.kind == ir::OpKind::Conv && op.factor == 0) op.phases = true;
    EXPECT_NE(ir::verify(g).find("phases need"), std::string::npos) << ir::verify(g);
  }
}

// ---- numerics --------------------------------------------------------------

void gradcheck(const ConvSpec &spec, const std::string &args) {
  testing::runGradcheck(makeConv(spec), spec.name, args);
}

TEST(ConvNumerics, MaxPool3Tanh) {
  ConvSpec s;
  s.name = "mp3";
  s.factor = 3;
  gradcheck(s, "--opt");
}

TEST(ConvNumerics, AvgPool3EluSgd) {
  ConvSpec s;
  s.name = "ap3";
  s.factor = 3;
  s.poolKind = LayerKind::AvgPool;
  s.act = Activation::Elu;
  s.opt = OptimizerKind::SGD;
  gradcheck(s, "--opt");
}

TEST(ConvNumerics, FrozenConvEncoder) {
  ConvSpec s;
  s.name = "fz";
  s.frozen = true;
  s.act = Activation::Relu;
  gradcheck(s, "--opt");
}

TEST(ConvNumerics, Stride2Linear) {
  ConvSpec s;
  s.name = "s2";
  s.H = 8;
  s.W = 6;
  s.stride = 2;
  s.k = 5;
  s.factor = 1;
  s.act = Activation::Linear;
  gradcheck(s, "--opt");
}

// Stride 3 on an odd size (9 x 9 -> 3 x 3): every input phase has its own taps.
TEST(ConvNumerics, Stride3OddTanh) {
  ConvSpec s;
  s.name = "s3";
  s.H = s.W = 9;
  s.stride = 3;
  s.factor = 1;
  gradcheck(s, "--opt");
}

} // namespace
} // namespace aec
