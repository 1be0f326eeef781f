// The registries: layer kinds, activations, losses, optimizers, noise and
// sparsity kinds, inference weight formats. Each is one X-macro table in
// runtime/include/aec/*.def, shared with the C runtime (model_abi.h builds its enums from the same rows)
// and the kernels (AEC_K_*); the front end, `aec show`, the IR and codegen
// read the properties below instead of switching on the kind themselves.
// Adding a kind: compiler/ir/README.md ("Recipes").
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace aec {

enum class LayerKind {
#define AEC_LAYER_KIND(Name, ...) Name,
#include "runtime/include/aec/layer_kinds.def"
};
enum class Activation {
#define AEC_ACTIVATION(Name, ...) Name,
#include "runtime/include/aec/activations.def"
};
enum class LossKind {
#define AEC_LOSS(Name, ...) Name,
#include "runtime/include/aec/losses.def"
};
enum class OptimizerKind {
#define AEC_OPTIMIZER(Name, ...) Name,
#include "runtime/include/aec/optimizers.def"
};
enum class NoiseKind {
#define AEC_NOISE(Name, ...) Name,
#include "runtime/include/aec/noise_kinds.def"
};
enum class SparsityKind {
#define AEC_SPARSITY(Name, ...) Name,
#include "runtime/include/aec/sparsity_kinds.def"
};

enum class WeightFormat {
#define AEC_WEIGHT_FORMAT(Name, ...) Name,
#include "runtime/include/aec/weight_formats.def"
};

// What a layer statement takes after its keyword.
enum class LayerArgs { None, Size, SizeKernel };

// How a layer kind's output shape follows from its input (layer_kinds.def
// `shape`) and what `decoder mirror` builds for it (`mirror`).
enum class ShapeRule { Keeps, Units, Conv, Divides, Multiplies, Flattens };
enum class MirrorRule { Follows, Twin, ConvTwin, Upsample, Reshape, NoInverse, None };
// How a layer kind's weight and bias are counted (layer_kinds.def `params`).
enum class LayerParams { None, Dense, Conv };
// Its canonical text (`text`).
enum class LayerText { Bare, Units, Factor, Rate, Conv };
// The length of its per-channel tensors (`over`): the input's first dim or
// all of a sample's elements.
enum class ChanOver { Channel, Feature };
// A per-channel tensor of its own (`chan`), at most kMaxChannelTensors.
constexpr int kMaxChannelTensors = 5;
struct ChannelTensor {
  const char *suffix; // ".gamma"; nullptr ends the list
  int init;           // enum aec_init
  bool trained;       // a parameter (else saved state)
};

struct LayerKindInfo {
  const char *keyword;
  int cValue;       // enum aec_layer_kind
  bool statement;   // a layer statement keyword (else made by sema)
  bool weights;     // a weight and a bias tensor
  bool activation;  // takes an activation
  LayerArgs args;
  const char *need;     // "a size"
  const char *example;  // "dense 128 relu"
  const char *sizeWhat; // "the number of units"
  ShapeRule shape;
  MirrorRule mirror;
  LayerParams params;
  LayerText text;
  ChanOver over;
  ChannelTensor chan[kMaxChannelTensors]; // up to the first nullptr suffix
};

// What an activation's derivative is computed from.
enum class DerivFrom {
  Output, // the saved output y (the pre-activation is not kept)
  Input,  // the pre-activation z (kept for the backward pass)
};

struct ActivationInfo {
  const char *keyword;
  int cValue;      // enum aec_activation = the kernels' AEC_K_*
  double lo, hi;   // closed hull of the values (+-HUGE_VAL: unbounded)
  int init;        // enum aec_init of a weight feeding it
  DerivFrom deriv;
};

struct LossInfo {
  const char *keyword;
  int cValue; // enum aec_loss
  int kernel; // aec_loss's `kind`
};

struct OptimizerInfo {
  const char *keyword;
  int cValue;        // enum aec_optimizer
  int slots;         // state floats per trainable float
  int momentumSlots; // the same with momentum != 0
};

struct NoiseInfo {
  const char *keyword;
  int kernel; // aec_noise's `kind`
};

struct SparsityInfo {
  const char *keyword;
};

struct WeightFormatInfo {
  const char *keyword;
  int cValue;         // enum aec_weight_format
  int perWord;        // values along K per 32-bit word of the copy (0: no copy)
  int extraRows;      // rows of N words after them (per-column scale, sum)
};

const LayerKindInfo &info(LayerKind k);
const ActivationInfo &info(Activation a);
const LossInfo &info(LossKind k);
const OptimizerInfo &info(OptimizerKind k);
const NoiseInfo &info(NoiseKind k);
const SparsityInfo &info(SparsityKind k);
const WeightFormatInfo &info(WeightFormat f);

inline const char *layerKindName(LayerKind k) { return info(k).keyword; }
inline const char *activationName(Activation a) { return info(a).keyword; }
inline const char *lossName(LossKind k) { return info(k).keyword; }
inline const char *optimizerName(OptimizerKind k) { return info(k).keyword; }
inline const char *noiseName(NoiseKind k) { return info(k).keyword; }
inline const char *sparsityName(SparsityKind k) { return info(k).keyword; }

// Keywords in registry order, for "did you mean" (statement layer kinds
// only; noise and sparsity without None).
const std::vector<std::string> &layerKindKeywords();
const std::vector<std::string> &activationKeywords();
const std::vector<std::string> &lossKeywords();
const std::vector<std::string> &optimizerKeywords();
const std::vector<std::string> &noiseKeywords();
const std::vector<std::string> &sparsityKeywords();
const std::vector<std::string> &weightFormatKeywords();

std::optional<LayerKind> layerKindByKeyword(const std::string &name); // statements only
std::optional<Activation> activationByKeyword(const std::string &name);
std::optional<LossKind> lossByKeyword(const std::string &name);
std::optional<OptimizerKind> optimizerByKeyword(const std::string &name);
std::optional<NoiseKind> noiseByKeyword(const std::string &name);       // not "none"
std::optional<SparsityKind> sparsityByKeyword(const std::string &name); // not "none"
std::optional<WeightFormat> weightFormatByKeyword(const std::string &name);

// The 32-bit words of a [K][N] dense weight's copy in format f (0 for f32).
int64_t packedWords(WeightFormat f, int64_t K, int64_t N);

// Optimizer state per trainable float (aec_model.opt_slots).
int optimizerStateSlots(OptimizerKind k, double momentum);

} // namespace aec
