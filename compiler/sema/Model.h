// The checked model: what sema produces and everything after it consumes
// (`aec show`, `--emit=sema`, the IR builder). Blocks are expanded, the mirror
// decoder is built, every shape is inferred and every value is in range.
#pragma once

#include "compiler/diag/SourceManager.h"
#include "compiler/registry/Registry.h"
#include "runtime/include/aec/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aec {

// [784] (flat), [C, L] (1-D series), [C, H, W] (images).
struct Shape {
  std::vector<int64_t> dims;
  int64_t elements() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
  int rank() const { return static_cast<int>(dims.size()); }
  bool operator==(const Shape &o) const { return dims == o.dims; }
  bool operator!=(const Shape &o) const { return dims != o.dims; }
  std::string str() const; // "[16, 14, 14]"
};

// Layer kinds (BatchNorm and Dropout keep the shape: per feature on [N], per
// channel on [C, L] and [C, H, W]) and activations: compiler/registry/Registry.h.
enum class Section { Encoder, Code, Decoder };

// Batch norm as PyTorch: running = (1 - momentum)·running + momentum·batch
// (the running variance takes the unbiased batch variance).
constexpr double kBatchNormMomentum = 0.1;
constexpr double kBatchNormEps = AEC_NORM_EPS;

const char *sectionName(Section s); // "encoder", "code", "decoder"

struct Layer {
  std::string name; // unique, stable: "enc1", "enc2", "code", "dec1", ...
  LayerKind kind = LayerKind::Dense;
  Activation activation = Activation::Linear;
  Section section = Section::Encoder;
  Shape in, out;
  int64_t units = 0;    // Dense: output features (in = in.elements())
  int64_t channels = 0; // Conv: output channels
  int64_t kernel = 0;   // Conv: kernel size (KxK for 2-D, K for 1-D); same padding
  int64_t stride = 1;   // Conv: stride
  int64_t factor = 0;   // MaxPool/AvgPool/Upsample: factor
  double rate = 0;      // Dropout: the drop probability, in (0, 1)
  bool variational = false; // Code of a VAE: two dense heads (mean, log-variance)
  int mirrors = -1;     // Decoder: index in CheckedModel::layers of its encoder twin
  int tiedTo = -1;      // Dense decoder with `mirror tied`: uses transpose of layers[tiedTo]'s weight
  bool frozen = false;      // no gradient (encoder from ... freeze)
  bool pretrained = false;  // initial weights come from CheckedModel::pretrainedPath
  SourceRange loc;          // the layer statement (inside a block for expanded layers)
  SourceRange callSite;     // the block call it came from, if any

  // Weight layout: Dense [in][out] (row-major, in = in.elements()),
  // Conv2D [out_c][in_c][k][k], Conv1D [out_c][in_c][k]. Bias [out_c] or [units].
  bool hasWeights() const { return info(kind).weights; }
  // Shape-keeping layers (batch norm, dropout): `decoder mirror` places them
  // after the twin of what they follow and the symmetry check ignores them.
  bool isShapeKeeping() const { return info(kind).shape == ShapeRule::Keeps; }
  // The length of each per-channel tensor of the row (layer_kinds.def `chan`,
  // `over`): batch norm's features (dense) or channels (conv), or all of a
  // sample's elements.
  int64_t normFeatures() const {
    if (info(kind).over == ChanOver::Feature) return in.elements();
    return in.dims.empty() ? 0 : in.dims[0];
  }
  // Saved, untrained state: the untrained per-channel tensors (batch norm's
  // running mean and variance).
  int64_t stateCount() const { return channelTensors(false); }
  // Own parameters (0 for a tied layer's weight, which belongs to its twin);
  // a variational code: both heads; + the trained per-channel tensors (batch
  // norm's scale and shift).
  int64_t weightCount() const;
  int64_t biasCount() const;
  int64_t paramCount() const { return weightCount() + biasCount() + channelTensors(true); }
  // Floats in the row's per-channel tensors that are (not) trained.
  int64_t channelTensors(bool trained) const;
  // Multiply-accumulates per sample in the forward pass.
  int64_t macsPerSample() const;
};

// Issue 8: learning-rate schedules and input normalization.
enum class ScheduleKind { None, Cosine, Step, Plateau };
enum class NormalizeKind { None, Standard, MinMax };

// The canonical text of a layer ("dense 128", "conv 16 3x3 stride 2"), and of
// a layer statement's values before the layer exists (`conv2d`: KxK kernel).
std::string layerText(const Layer &l);
std::string layerSpecText(LayerKind kind, bool conv2d, int64_t size, int64_t kernel,
                          int64_t stride, double rate = 0);

struct TrainConfig {
  OptimizerKind optimizer = OptimizerKind::Adam;
  double lr = 1e-3;
  double momentum = 0.0; // sgd
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8; // adam
  int64_t batch = 64;
  int64_t epochs = 10;
  uint64_t seed = 0;
  // Workflow (issue 8): `schedule`, `warmup`, `validation`, `early_stop`.
  ScheduleKind schedule = ScheduleKind::None;
  double scheduleFactor = 0;  // step/plateau: lr multiplier in (0, 1)
  int64_t scheduleEvery = 0;  // step: every N epochs; plateau: patience N
  int64_t warmup = 0;         // epochs of linear warm-up
  double validation = 0;      // held-out fraction in (0, 1); 0: none
  int64_t earlyStop = 0;      // patience in epochs; 0: off
};

// Training memory, in bytes, at the model's batch (float32; see Model.cpp).
struct MemoryEstimate {
  int64_t weights = 0, gradients = 0, optimizer = 0, activations = 0, total = 0;
};

struct CheckedModel {
  std::string name;
  std::string sourcePath;
  Shape input;
  bool hasRange = false;
  double rangeLo = 0, rangeHi = 0;
  NormalizeKind normalize = NormalizeKind::None; // `input ... normalize` (issue 8)

  // Encoder, code (if `code N`) and decoder layers, in execution order.
  std::vector<Layer> layers;
  int codeIndex = -1; // the layer whose output is the code

  LossKind loss = LossKind::MSE;
  NoiseKind noise = NoiseKind::None;
  double noiseAmount = 0;
  SparsityKind sparsity = SparsityKind::None;
  double sparsityWeight = 0; // l1 weight, or kl weight (beta)
  double sparsityTarget = 0; // kl rho
  double l2 = 0;             // regularize l2
  bool tied = false;         // decoder mirror tied
  std::string pretrainedPath; // `encoder from`, resolved against the .ae file; empty if none
  bool freezeEncoder = false;
  TrainConfig train;

  // issue 7: `code N variational` and `kl β warmup E`.
  bool variational = false;
  double klBeta = 1.0;
  int64_t klWarmup = 0;  // epochs of linear warm-up of β from 0
  // `budget memory X` (bytes) and `budget params N`; 0 = none.
  int64_t memoryBudget = 0;
  int64_t paramsBudget = 0;

  const Shape &codeShape() const { return layers[codeIndex].out; }
  int64_t trainableParams() const;
  int64_t frozenParams() const;
  int64_t stateCount() const; // batch-norm running stats (saved, not trained)
  MemoryEstimate trainMemory() const;
  // A hash of everything that determines the parameter layout and the
  // computation (not hyperparameters like lr); stored in checkpoints.
  uint64_t architectureHash() const;
};

// "1.5 MiB"; and "<total> = weights .. + gradients .. + optimizer .. + activations ..".
std::string humanBytes(int64_t bytes);
std::string memoryBreakdown(const CheckedModel &m);

} // namespace aec
