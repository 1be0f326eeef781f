// The aec IR: a small graph of statically shaped tensors and kernel-level ops
// in execution order, built from a CheckedModel and rewritten by the passes in
// compiler/lower/ (autodiff, fusion, optimizer, memory planning). Codegen
// turns each op into one kernel call split over threads.
//
// Shapes: batched tensors have a symbolic leading dimension `n` (1..maxBatch)
// followed by static per-sample dims; parameters and their gradients are
// fully static. Memory planning assigns every tensor an offset into one of
// the flat buffers (params, grads, workspace) so nothing is allocated at run
// time.
#pragma once

#include "compiler/sema/Model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aec::ir {

// Where a tensor lives at run time.
enum class Buffer {
  Input,     // the caller's x[n][input_size] (accumulate/forward argument)
  Param,     // the flat parameter buffer
  Grad,      // the flat gradient buffer (same offsets as its parameter)
  Workspace, // the flat workspace (layer outputs, gradients of activations)
  Scalar,    // a single float computed by the kernels (loss, penalty)
};

enum class Phase { Forward, Backward, Update };

struct Tensor {
  std::string name;
  Buffer buffer = Buffer::Workspace;
  bool batched = false;      // leading symbolic dim n
  std::vector<int64_t> dims; // per-sample dims if batched, else the full shape
  int layer = -1;            // the CheckedModel layer it belongs to, if any
  int gradOf = -1;           // Grad: the parameter tensor it is the gradient of
  bool trainable = false;    // Param: gets a gradient and an update
  bool isLayerOutput = false; // pinned at aec_layer_info.act_offset
  int aliasOf = -1;          // a view (reshape): same memory as this tensor
  int64_t offset = -1;       // floats into its buffer (after planning)

  // Elements per sample (batched) or in total (static).
  int64_t size() const {
    int64_t s = 1;
    for (int64_t d : dims) s *= d;
    return s;
  }
};

// Per-sample spatial view of a conv/pool tensor: [C, H, W], or [C, L] as
// H = 1, W = L (1-D layers stride and pool along W only).
struct Spatial {
  int64_t c = 1, h = 1, w = 1;
  bool oneD = false;
};
inline Spatial spatialOf(const std::vector<int64_t> &dims) {
  Spatial s;
  if (dims.size() == 3) {
    s.c = dims[0], s.h = dims[1], s.w = dims[2];
  } else if (dims.size() == 2) {
    s.c = dims[0], s.w = dims[1], s.oneD = true;
  } else if (dims.size() == 1) {
    s.w = dims[0], s.oneD = true;
  }
  return s;
}

// The op kinds and their properties: compiler/ir/Ops.def, one row each.
enum class OpKind {
#define AEC_OP(Name, ...) Name,
#include "compiler/ir/Ops.def"
};

const char *opKindName(OpKind k);

// Pool / PoolGrad: what the op does (the value is aec_pool_forward's `kind`).
enum class PoolKind { Max, Avg, Upsample };
const char *poolKindName(PoolKind k); // "max", "avg", "upsample"

// What an op's second output `out2` is.
enum class Out2 {
  None,
  LossValue, // LossActGrad: the scalar loss of the same pass
  Penalty,   // InputGrad with the code's sparsity folded in: the scalar penalty
  BiasGrad,  // ConvWeightGrad: the bias gradient of the same pass
  NoisyCopy, // Dense with the input noise fused: the corrupted rows it writes (= ins[0])
  NormStats, // a normalization: the statistics it saves (mean, 1/std) for the backward
  NormParamGrad, // its gradient op: dgamma (+=; dbeta is the next parameter's gradient)
  Eps,       // VaeSample: the reparameterization noise ε it draws
  LogvarGrad, // VaeGrad: dlogvar (out is dmean)
  Unpooled,  // Conv with a max pool fused: the unpooled output (inference functions only)
};

// The attributes an op prints (Ops.def's `attrs`; Printer.cpp prints them,
// Parser.cpp reads them by key).
namespace attr {
enum Attr : uint8_t {
  End,          // (terminates a row's list)
  TransB,       // ` transB` when set
  Act,          // ` act=<activation>`
  NoiseAmount,  // ` kind=<noise> amount=<a>` (the noise op)
  FusedNoise,   // ` noise=<kind>(<a>) from %clean` when the input noise is fused
  P,            // ` p=<amount>` (dropout rate)
  Beta,         // ` beta=<amount>` (KL weight)
  Loss,         // ` loss=<loss>`
  Sparsity,     // ` kind=<sparsity> weight=<amount>[ rho=<target>]`
  FoldedSparsity, // the same as ` sparsity=... weight=...` when folded into input_grad
  Deriv,        // ` deriv=<activation>` when fused
  Kernel,       // ` kernel=3x3|3[ stride=s][ upsample=f]`
  MaxPool,      // ` maxpool=2` when a max pool is fused into the conv (issue 13.2)
  Pool,         // ` max|avg|upsample factor=f`
  Params,       // ` params[begin, end)` (update ops)
  AdamHyper,    // ` beta1=... beta2=... eps=...`
  Momentum,     // ` momentum=...`
  L2,           // ` l2=...` when not 0
  Lr,           // ` lr=...`
};
} // namespace attr

// One row of Ops.def.
struct OpInfo {
  enum class PhaseRule : uint8_t { Forward, Backward, Update, Any };
  enum class Result : uint8_t { Required, Optional, None };
  enum class Family : uint8_t { Dense, Conv, Norm, Elementwise, Update, View, Unfused };
  enum class Check : uint8_t { Same, Own, None };
  enum class Infer : uint8_t { Run, Skip, Bypass };
  const char *name;
  PhaseRule phase;
  uint8_t minIns, maxIns;
  Result out;
  Out2 out2;
  Family family;
  Check check;
  Infer infer;
  attr::Attr attrs[6]; // up to the first End
};
const OpInfo &opInfo(OpKind k);
bool inPhase(OpKind k, Phase p); // the row's phase rule

// How an op refers to a tensor (forEachTensorRef).
enum class TensorRole { In, Out, Out2, Scratch, NoiseFrom };

struct Op {
  Op(OpKind k, Phase p = Phase::Forward) : kind(k), phase(p) {}
  OpKind kind;
  Phase phase;
  std::vector<int> ins; // tensor ids
  int out = -1;         // tensor id (Adam/SGD: none)
  int out2 = -1;        // a second output, see `out2Role` (set both with setOut2)
  Out2 out2Role = Out2::None;
  int scratch = -1;     // a workspace tensor the kernel needs during this op only
  int layer = -1;       // CheckedModel layer index, -1 if none

  // Attributes (only those of the kind are meaningful).
  Activation act = Activation::Linear; // Dense / Act / ActGrad / LossActGrad: the output act
  bool transB = false;                 // MatMul / Dense / InputGrad
  bool accumulate = false;             // out += ... (gradients)
  bool trainOnly = false;              // Noise: skipped by the inference forward pass
  int noiseFrom = -1; // Dense fused with the input noise: the clean input it corrupts
                      // (rows [m0, m1) into out2 = ins[0], Out2::NoisyCopy) right before the GEMM
  Activation derivAct = Activation::Linear; // InputGrad fused: multiply by derivAct'(in2)
  bool hasDeriv = false;
  bool foldsSparsity = false; // InputGrad fused: the code's sparsity gradient and penalty
  // Conv / ConvInputGrad / ConvWeightGrad: kernel size and stride (1-D when
  // the input is [C, L]); Pool / PoolGrad: pool kind and factor. Conv ops with
  // factor > 1 (fused upsample): the conv's input is an upsample by `factor` of
  // ins[0] (Conv, ConvWeightGrad), and ConvInputGrad's out is the gradient of
  // the upsample's input.
  int64_t kernel = 0, stride = 1, factor = 0;
  // Conv / ConvWeightGrad with a 2x2 max pool after the conv's act fused
  // (issue 13.2; stride 1, no upsample): Conv writes the pooled output (out) and,
  // in the inference functions only, the unpooled one (out2, Out2::Unpooled, the
  // conv layer's output); ConvWeightGrad reads the pool's output gradient
  // (in1), w and bias (in2, in3) and rebuilds the conv's output gradient from
  // the recomputed argmax and derivAct' (the pool_grad it replaces).
  int64_t maxpool = 0;
  // Conv ops with a fused upsample by 2 and a 3x3 kernel: computed per output
  // phase at the input's resolution (2x2 kernels of summed taps; `phases`).
  bool phases = false;
  PoolKind pool = PoolKind::Max;
  LossKind loss = LossKind::MSE;
  NoiseKind noise = NoiseKind::None;
  SparsityKind sparsity = SparsityKind::None;
  double amount = 0; // noise amount, sparsity weight
  double target = 0; // kl rho
  // Update ops: a contiguous parameter range (in floats).
  int64_t begin = 0, count = 0;
  double lr = 0, momentum = 0, beta1 = 0, beta2 = 0, eps = 0, l2 = 0;

  void setOut2(Out2 role, int t) {
    out2 = t;
    out2Role = t >= 0 ? role : Out2::None;
  }
};

// Calls f(int &tensor, TensorRole) for every tensor reference of `op` (-1 for
// an unused slot): the one list dead-tensor removal, memory planning and the
// verifier walk, so a new reference field is added here once.
template <typename OpT, typename F>
void forEachTensorRef(OpT &op, F &&f) {
  for (auto &in : op.ins) f(in, TensorRole::In);
  f(op.out, TensorRole::Out);
  f(op.out2, TensorRole::Out2);
  f(op.scratch, TensorRole::Scratch);
  f(op.noiseFrom, TensorRole::NoiseFrom);
}

struct Graph {
  std::string modelName;
  int64_t maxBatch = 1;
  bool inferenceOnly = false;
  std::vector<Tensor> tensors;
  std::vector<Op> ops; // execution order; phases contiguous: forward, backward, update

  // Bookkeeping from the builder.
  int input = -1;                 // x
  std::vector<int> layerOutput;   // per CheckedModel layer: its output tensor
  std::vector<int> layerInput;    // per layer: the tensor it reads
  std::vector<int> layerWeight;   // per layer: weight tensor used (twin's if tied), -1
  std::vector<int> layerBias;     // per layer: bias tensor, -1
  std::vector<int> paramTensors;  // parameter tensors in aec_tensor_info order
  int codeLayer = -1;
  int vaeLogvar = -1;     // a variational code's log-variance tensor, -1 if none
  int vaeEps = -1;        // its reparameterization noise ε (training graphs)
  int lossValue = -1;     // scalar
  int sparsityValue = -1; // scalar, -1 if none
  // The model's optimizer settings (buildIR), so that the text form is
  // enough to run the optimizer pass (`aec opt --pass=optimizer`).
  TrainConfig train;
  double l2 = 0;

  // Filled by memory planning / the optimizer pass.
  int64_t paramCount = 0;
  int64_t workspaceSize = 0;
  int64_t optSlots = 0;
  int64_t trainableBegin = 0, trainableCount = 0; // trainable parameters are contiguous

  // What each generated function runs, as indices into `ops` in order
  // (lower/Functions.cpp, the pipeline's last stage); codegen emits exactly these.
  struct Functions {
    std::vector<int> forward, decode, accumulate, update;
    // forward/decode read .second wherever an op names .first (no input
    // noise, dropout or sampling at inference).
    std::vector<std::pair<int, int>> inferenceReads;
    bool listed = false;
    // The op list of function k, in functionName order (0 forward .. 3 update).
    std::vector<int> &list(int k) {
      return k == 0 ? forward : k == 1 ? decode : k == 2 ? accumulate : update;
    }
    const std::vector<int> &list(int k) const { return const_cast<Functions *>(this)->list(k); }
  } functions;

  int addTensor(Tensor t) {
    tensors.push_back(std::move(t));
    return static_cast<int>(tensors.size()) - 1;
  }
  // Follows view aliases to the tensor that owns the memory.
  int storageOf(int t) const {
    while (tensors[t].aliasOf >= 0) t = tensors[t].aliasOf;
    return t;
  }
};

// The scratch of a conv op's kernel (compiler/kernels/aec_conv.h): a shared
// part of `sharedFloats` (the weight gradient's lane sums), then `slots`
// slots of `slotFloats`. Its work items (samples; weight-gradient units) run
// in chunks of at least `chunk` items, chunk [b, e) in slot b / chunk, so the
// scratch is bounded (AEC_CONV_SLOTS slots) whatever the batch. From the op's
// kind, kernel, fused upsample and phases and its tensors' dims (the scratch
// itself is not read), so it can size the op's scratch tensor (ConvScratch.cpp).
struct ConvScratch {
  int64_t sharedFloats = 0, slotFloats = 0, chunk = 1, slots = 1;
  // A weight gradient with few work items (ConvScratch.cpp): two fixed halves of
  // the samples, each into its own gradient of halfFloats (the weights, then
  // the biases) at the start of the shared part, then its lane sums.
  bool halves = false;
  int64_t halfFloats = 0, partialFloats = 0;
  int64_t floats() const { return sharedFloats + slotFloats * slots; }
};
// The output channels per work item of a conv weight gradient: 4 where they
// divide Co and there is one input-channel group (codegen/EmitConv.cpp).
int64_t wgQuad(int64_t groups, int64_t Co);
ConvScratch convScratch(const Graph &g, const Op &op);
// The op's scratch tensor, `name`, sized by convScratch; returns its id.
int addConvScratch(Graph &g, const Op &op, std::string name);

// Builds the forward graph (plus noise, loss and sparsity) from the model.
// Returns false and sets `error` for layers the code generator cannot lower.
bool buildIR(const CheckedModel &model, bool inferenceOnly, Graph &out, std::string &error);

// Checks structural invariants; returns an empty string or the first problem.
std::string verify(const Graph &g);

// The text form (`aec build --emit=ir`); Parser.h reads it back.
std::string print(const Graph &g);

// The names the text form uses beside the registries' (Printer.cpp), one
// place for printer and reader.
const char *bufferName(Buffer b);
const char *phaseName(Phase p); // "forward", "backward", "update"
const char *functionName(int k); // Graph::Functions::list(k): "forward", "decode", ...

} // namespace aec::ir
