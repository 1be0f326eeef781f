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

enum class OpKind {
  // Forward, before fusion.
  Noise,      // out = corrupt(in0)                  (training only)
  MatMul,     // out = in0 · in1  (in1ᵀ if transB)
  BiasAdd,    // out = in0 + in1 (broadcast over rows)
  Act,        // out = act(in0)
  Reshape,    // out = view of in0 (no code)
  Loss,       // scalar out = Σ_rows loss(in0 = prediction, in1 = target)
  Sparsity,   // scalar out = Σ_rows penalty(in0 = code)
  // Forward, after fusion.
  Dense,      // out = act(in0 · in1(ᵀ) + in2)   (in2 optional)
  // Convolutional layers (both stages; per-sample tensors [C, H, W] or [C, L]).
  Conv,       // out = [act](conv(in0, in1) + in2), same padding, stride (act after fusion)
  Pool,       // out = maxpool / avgpool / upsample(in0) by `factor`
  // Backward, before fusion.
  LossGrad,     // out = scale · dLoss/d(in0)    (in0 prediction, in1 target)
  ActGrad,      // out = in0 ⊙ act'(in1)          (in1: the saved activation output)
  SparsityGrad, // out += scale · dPenalty/d(in0)
  // Backward, both stages.
  WeightGrad, // out += in0ᵀ · in1                (gemm_tn over the batch)
  BiasGrad,   // out += colsum(in0)
  InputGrad,  // out = in0 · in1ᵀ (in1 if transB); after fusion [⊙ act'(in2)]
  ConvInputGrad,  // out = convᵀ(in0 = dZ, in1 = W) [summed over upsample blocks]; after fusion [⊙ act'(in2)]
  ConvWeightGrad, // out += Σ_n dZ ⋆ x (in0 = x, in1 = dZ); out2 += Σ dZ per channel (bias)
  PoolGrad,       // out = pool'(in0 = dY, in1 = x, in2 = y); after fusion [⊙ act'(in3)]
  // issue 7: inverted dropout (training only; no code in inference paths),
  // its mask from the RNG per (step seed, layer, element): out = dropout(in0)
  // with rate `amount`; the gradient applies the same mask to dY.
  Dropout,
  DropoutGrad,
  // Batch norm (issue 7), x [C] or [C, spatial...] per sample:
  //   batch_norm: out = bn(in0; gamma in1, beta in2, running mean in3, running
  //   var in4). Training (accumulate): batch statistics, saved in out2
  //   ([2C]: mean, 1/std) and the running statistics updated; inference: the
  //   folded affine form from the running statistics (out2 holds scale, shift).
  //   batch_norm_grad: out = dx (or -1) from in0 = dY, in1 = x, in2 = gamma,
  //   in3 = the saved statistics; out2 += dgamma (and dbeta, the next param).
  BatchNorm,
  BatchNormGrad,
  // Variational code (issue 7): vae_sample: out = z = in0 (mean) +
  //   exp(in1 (logvar) / 2)·ε with ε ~ N(0, 1) from the step seed in out2
  //   (training only; inference reads the mean); adds β·KL to the objective.
  //   vae_grad: out = dmean, out2 = dlogvar from in0 = dz, in1 = mean,
  //   in2 = logvar, in3 = ε, the KL gradient fused in.
  VaeSample,
  VaeGrad,
  // Backward, after fusion.
  LossActGrad, // scalar + out: loss value and dZ = scale · d(loss ∘ act)/dZ (in0 y, in1 x)
  // Update.
  Adam, // params[begin, begin+count) with grads, 2 state slots
  SGD,  // momentum (1 slot) or plain (0 slots)
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
  BnStats,   // BatchNorm: the batch statistics it saves (mean, 1/std) for the backward
  BnParamGrad, // BatchNormGrad: dgamma (+=; dbeta is the next parameter's gradient)
  Eps,       // VaeSample: the reparameterization noise ε it draws
  LogvarGrad, // VaeGrad: dlogvar (out is dmean)
};

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

// Scratch floats the conv kernel of `kind` needs for an input of per-sample
// dims `inDims` (see compiler/kernels/aec_conv.h): Conv and
// ConvInputGrad per sample, ConvWeightGrad in total (one slot per work unit).
int64_t convSlotFloats(OpKind kind, const std::vector<int64_t> &inDims, int64_t outChannels,
                       int64_t kernel);

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

} // namespace aec::ir
