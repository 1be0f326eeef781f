// Back end tests on hand-built CheckedModels: the IR after each pass
// (autodiff, fusion, frozen/tied/inference-only, memory planning), and the
// numeric checks of generated code (test/numerics/gradcheck.c: forward
// parity with a double reference, finite-difference gradients, the first
// optimizer step), built with buildModel(--emit=obj) and linked with cc.
#include "compiler/codegen/Build.h"
#include "compiler/ir/IR.h"
#include "compiler/lower/Passes.h"
#include "test/unit/codegen_test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace aec {
namespace {

struct DenseSpec {
  std::string name = "m";
  std::vector<int64_t> widths;      // input, hidden..., code
  std::vector<Activation> acts;     // per encoder layer (code last)
  Activation outAct = Activation::Linear;
  LossKind loss = LossKind::MSE;
  bool range01 = false;
  bool tied = false;
  int frozenLayers = 0; // first k encoder layers frozen
  OptimizerKind opt = OptimizerKind::Adam;
  double momentum = 0, l2 = 0;
  SparsityKind sparsity = SparsityKind::None;
  double spW = 0, spRho = 0;
  NoiseKind noise = NoiseKind::None;
  double noiseAmount = 0;
  int64_t batch = 5;
};

Layer dense(std::string name, int64_t in, int64_t out, Activation a, Section s) {
  Layer l;
  l.name = std::move(name);
  l.kind = LayerKind::Dense;
  l.activation = a;
  l.section = s;
  l.in.dims = {in};
  l.out.dims = {out};
  l.units = out;
  return l;
}

CheckedModel makeDense(const DenseSpec &s) {
  CheckedModel m;
  m.name = s.name;
  m.input.dims = {s.widths[0]};
  m.hasRange = s.range01;
  m.rangeLo = 0;
  m.rangeHi = s.range01 ? 1 : 0;
  const int K = static_cast<int>(s.widths.size()) - 1;
  for (int i = 1; i <= K; ++i) {
    Section sec = i == K ? Section::Code : Section::Encoder;
    std::string nm = i == K ? "code" : "enc" + std::to_string(i);
    Layer l = dense(nm, s.widths[i - 1], s.widths[i], s.acts[i - 1], sec);
    l.frozen = i <= s.frozenLayers;
    m.layers.push_back(l);
  }
  m.codeIndex = K - 1;
  for (int j = 1; j <= K; ++j) {
    Activation a = j == K ? s.outAct : s.acts[K - j - 1];
    Layer l = dense("dec" + std::to_string(j), s.widths[K - j + 1], s.widths[K - j], a,
                    Section::Decoder);
    l.mirrors = K - j;
    if (s.tied) l.tiedTo = K - j;
    m.layers.push_back(l);
  }
  m.loss = s.loss;
  m.sparsity = s.sparsity;
  m.sparsityWeight = s.spW;
  m.sparsityTarget = s.spRho;
  m.noise = s.noise;
  m.noiseAmount = s.noiseAmount;
  m.l2 = s.l2;
  m.tied = s.tied;
  m.freezeEncoder = s.frozenLayers > 0;
  m.train.optimizer = s.opt;
  m.train.lr = 0.01;
  m.train.momentum = s.momentum;
  m.train.batch = s.batch;
  m.train.seed = 1;
  return m;
}

using testing::countOps;
using testing::lowerModel;

DenseSpec fashionLike() {
  DenseSpec s;
  s.name = "fd";
  s.widths = {784, 512, 128, 32};
  s.acts = {Activation::Relu, Activation::Relu, Activation::Linear};
  s.outAct = Activation::Sigmoid;
  s.loss = LossKind::BCE;
  s.range01 = true;
  s.batch = 256;
  return s;
}

TEST(CodegenIR, FusedTrainingGraph) {
  ir::Graph g = lowerModel(makeDense(fashionLike()), false);
  EXPECT_EQ(countOps(g, ir::OpKind::Dense), 6);
  EXPECT_EQ(countOps(g, ir::OpKind::MatMul), 0);
  EXPECT_EQ(countOps(g, ir::OpKind::BiasAdd), 0);
  EXPECT_EQ(countOps(g, ir::OpKind::Act), 0);
  EXPECT_EQ(countOps(g, ir::OpKind::ActGrad), 0);
  EXPECT_EQ(countOps(g, ir::OpKind::LossActGrad), 1);
  EXPECT_EQ(countOps(g, ir::OpKind::WeightGrad), 6);
  EXPECT_EQ(countOps(g, ir::OpKind::BiasGrad), 6);
  // No input gradient below the first layer.
  EXPECT_EQ(countOps(g, ir::OpKind::InputGrad), 5);
  EXPECT_EQ(countOps(g, ir::OpKind::Adam), 1);
  EXPECT_EQ(g.optSlots, 2);
  EXPECT_EQ(g.trainableCount, g.paramCount);
  EXPECT_EQ(ir::verify(g), "");
}

TEST(CodegenIR, InferenceOnlyHasNoBackward) {
  ir::Graph g = lowerModel(makeDense(fashionLike()), true);
  for (const ir::Op &op : g.ops) EXPECT_EQ(op.phase, ir::Phase::Forward);
  EXPECT_EQ(countOps(g, ir::OpKind::Loss), 0);
  for (const ir::Tensor &t : g.tensors) EXPECT_NE(t.buffer, ir::Buffer::Grad);
}

TEST(CodegenIR, FrozenLayersGetNoGradient) {
  DenseSpec s = fashionLike();
  s.frozenLayers = 2;
  ir::Graph g = lowerModel(makeDense(s), false);
  for (const ir::Op &op : g.ops)
    if (op.phase == ir::Phase::Backward) EXPECT_GE(op.layer, 2) << ir::opKindName(op.kind);
  // Input gradients only above the first trainable layer (code, index 2).
  EXPECT_EQ(countOps(g, ir::OpKind::InputGrad), 3);
  EXPECT_EQ(countOps(g, ir::OpKind::WeightGrad), 4);
  // Frozen parameters come first, the trainable ones form one range.
  EXPECT_GT(g.trainableBegin, 0);
  EXPECT_EQ(g.trainableBegin + g.trainableCount, g.paramCount);
}

TEST(CodegenIR, TiedWeightsShareOneGradient) {
  DenseSpec s = fashionLike();
  s.tied = true;
  CheckedModel m = makeDense(s);
  ir::Graph g = lowerModel(m, false);
  EXPECT_EQ(g.paramTensors.size(), 3u + 6u); // 3 weights, 6 biases
  std::map<int, int> writers;
  for (const ir::Op &op : g.ops)
    if (op.kind == ir::OpKind::WeightGrad) ++writers[op.out];
  EXPECT_EQ(writers.size(), 3u);
  for (auto &w : writers) EXPECT_EQ(w.second, 2);
}

TEST(CodegenIR, SparsityFoldsIntoCodeBackward) {
  DenseSpec s = fashionLike();
  s.sparsity = SparsityKind::KL;
  s.spW = 3;
  s.spRho = 0.05;
  s.acts.back() = Activation::Sigmoid;
  ir::Graph g = lowerModel(makeDense(s), false);
  EXPECT_EQ(countOps(g, ir::OpKind::Sparsity), 0);
  EXPECT_EQ(countOps(g, ir::OpKind::SparsityGrad), 0);
  int folded = 0;
  for (const ir::Op &op : g.ops) folded += op.kind == ir::OpKind::InputGrad && op.foldsSparsity;
  EXPECT_EQ(folded, 1);
}

TEST(CodegenIR, MemoryPlanDoesNotOverlapLiveTensors) {
  DenseSpec s = fashionLike();
  s.noise = NoiseKind::Gaussian;
  s.noiseAmount = 0.1;
  ir::Graph g = lowerModel(makeDense(s), false);
  // Layer outputs are pinned and disjoint.
  std::vector<std::pair<int64_t, int64_t>> pinned;
  for (int t : g.layerOutput) {
    const ir::Tensor &x = g.tensors[g.storageOf(t)];
    pinned.push_back({x.offset, x.offset + g.maxBatch * x.size()});
  }
  for (size_t i = 0; i < pinned.size(); ++i)
    for (size_t j = i + 1; j < pinned.size(); ++j)
      EXPECT_TRUE(pinned[i].second <= pinned[j].first || pinned[j].second <= pinned[i].first);
  for (const ir::Tensor &t : g.tensors)
    if (t.buffer == ir::Buffer::Workspace) {
      EXPECT_GE(t.offset, 0) << t.name;
      EXPECT_EQ(t.offset % 16, 0) << t.name;
    }
  EXPECT_EQ(ir::verify(g), "");
}

TEST(CodegenIR, VerifierCatchesBrokenGraphs) {
  CheckedModel m = makeDense(fashionLike());
  {
    ir::Graph g = lowerModel(m, false);
    // Two live workspace tensors on the same memory.
    int a = g.layerOutput[0], b = g.layerOutput[1];
    g.tensors[b].offset = g.tensors[a].offset;
    EXPECT_NE(ir::verify(g).find("overlap"), std::string::npos) << ir::verify(g);
  }
  {
    ir::Graph g = lowerModel(m, false);
    // A gradient of a frozen parameter.
    g.tensors[g.paramTensors[0]].trainable = false;
    EXPECT_NE(ir::verify(g).find("frozen"), std::string::npos) << ir::verify(g);
  }
  {
    ir::Graph g = lowerModel(m, false);
    // A use before the definition.
    std::swap(g.ops[0], g.ops[1]);
    EXPECT_NE(ir::verify(g).find("before it is defined"), std::string::npos) << ir::verify(g);
  }
  {
    ir::Graph g = lowerModel(m, true);
    g.ops.push_back(ir::Op(ir::OpKind::Adam, ir::Phase::Update));
    EXPECT_NE(ir::verify(g).find("inference-only"), std::string::npos);
  }
}

TEST(CodegenIR, PrintShowsFusedOps) {
  ir::Graph g = lowerModel(makeDense(fashionLike()), false);
  std::string text = ir::print(g);
  EXPECT_NE(text.find("= dense %x, %enc1.weight, %enc1.bias act=relu"), std::string::npos)
      << text;
  EXPECT_NE(text.find("loss_act_grad %dec3.out, %x loss=bce act=sigmoid"), std::string::npos);
  EXPECT_NE(text.find("adam params[0, "), std::string::npos);
}

// ---- numerics --------------------------------------------------------------

void gradcheck(const DenseSpec &spec, const std::string &args) {
  testing::runGradcheck(makeDense(spec), spec.name, args);
}

TEST(CodegenNumerics, MseTanhAdamL2) {
  DenseSpec s;
  s.name = "n_mse_tanh";
  s.widths = {7, 5, 3};
  s.acts = {Activation::Tanh, Activation::Linear};
  s.l2 = 1e-2;
  gradcheck(s, "--opt --l2 1e-2");
}

TEST(CodegenNumerics, BceSigmoidEluLeaky) {
  DenseSpec s;
  s.name = "n_bce";
  s.widths = {9, 7, 6, 4};
  s.acts = {Activation::Elu, Activation::LeakyRelu, Activation::Sigmoid};
  s.outAct = Activation::Sigmoid;
  s.loss = LossKind::BCE;
  s.range01 = true;
  gradcheck(s, "--opt");
}

TEST(CodegenNumerics, MseSigmoidOutput) {
  DenseSpec s;
  s.name = "n_mse_sig";
  s.widths = {6, 4, 3};
  s.acts = {Activation::Tanh, Activation::Linear};
  s.outAct = Activation::Sigmoid;
  s.range01 = true;
  gradcheck(s, "");
}

TEST(CodegenNumerics, ReluSgdMomentum) {
  DenseSpec s;
  s.name = "n_relu";
  s.widths = {12, 9, 4};
  s.acts = {Activation::Relu, Activation::Linear};
  s.opt = OptimizerKind::SGD;
  s.momentum = 0.9;
  s.l2 = 1e-3;
  gradcheck(s, "--opt --l2 1e-3 --relu-slack 0.03");
}

TEST(CodegenNumerics, SparsityL1) {
  DenseSpec s;
  s.name = "n_l1";
  s.widths = {8, 6, 3};
  s.acts = {Activation::Tanh, Activation::Linear};
  s.sparsity = SparsityKind::L1;
  s.spW = 0.05;
  gradcheck(s, "--l1 0.05");
}

TEST(CodegenNumerics, SparsityKL) {
  DenseSpec s;
  s.name = "n_kl";
  s.widths = {8, 6, 3};
  s.acts = {Activation::Tanh, Activation::Sigmoid};
  s.outAct = Activation::Sigmoid;
  s.loss = LossKind::BCE;
  s.range01 = true;
  s.sparsity = SparsityKind::KL;
  s.spW = 0.5;
  s.spRho = 0.1;
  gradcheck(s, "--kl 0.1 0.5");
}

TEST(CodegenNumerics, TiedSgd) {
  DenseSpec s;
  s.name = "n_tied";
  s.widths = {8, 6, 3};
  s.acts = {Activation::Tanh, Activation::Linear};
  s.tied = true;
  s.opt = OptimizerKind::SGD;
  s.l2 = 1e-2;
  gradcheck(s, "--tied --opt --l2 1e-2");
}

TEST(CodegenNumerics, FrozenEncoder) {
  DenseSpec s;
  s.name = "n_frozen";
  s.widths = {8, 6, 5, 3};
  s.acts = {Activation::Tanh, Activation::Tanh, Activation::Linear};
  s.frozenLayers = 2;
  s.opt = OptimizerKind::SGD;
  gradcheck(s, "--opt");
}

TEST(CodegenNumerics, GaussianNoiseFloatFD) {
  DenseSpec s;
  s.name = "n_noise";
  s.widths = {8, 6, 3};
  s.acts = {Activation::Tanh, Activation::Linear};
  s.outAct = Activation::Sigmoid;
  s.loss = LossKind::BCE;
  s.range01 = true;
  s.noise = NoiseKind::Gaussian;
  s.noiseAmount = 0.1;
  gradcheck(s, "--float-fd");
}

} // namespace
} // namespace aec
