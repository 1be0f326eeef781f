// The registry tables, built from runtime/include/aec/*.def (see Registry.h),
// and checked against the C enums of the model ABI.
#include "compiler/registry/Registry.h"

#include "runtime/include/aec/model_abi.h"

#include <cmath>

namespace aec {

namespace {

constexpr double INF = HUGE_VAL;

const LayerKindInfo kLayerKinds[] = {
#define AEC_CHAN(...) {__VA_ARGS__}
#define AEC_LAYER_KIND(Name, C, keyword, stmt, weights, act, args, need, example, sizeWhat,   \
                       shape, mirror, params, text, over, chan)                               \
  {keyword, AEC_##C, stmt != 0, weights != 0, act != 0, LayerArgs::args, need, example,      \
   sizeWhat, ShapeRule::shape, MirrorRule::mirror, LayerParams::params, LayerText::text,      \
   ChanOver::over, AEC_CHAN chan},
#include "runtime/include/aec/layer_kinds.def"
#undef AEC_CHAN
};

const ActivationInfo kActivations[] = {
#define AEC_ACTIVATION(Name, C, keyword, lo, hi, init, deriv) \
  {keyword, AEC_##C, lo, hi, AEC_INIT_##init, DerivFrom::deriv},
#include "runtime/include/aec/activations.def"
};

const LossInfo kLosses[] = {
#define AEC_LOSS(Name, C, keyword, kernel) {keyword, AEC_##C, kernel},
#include "runtime/include/aec/losses.def"
};

const OptimizerInfo kOptimizers[] = {
#define AEC_OPTIMIZER(Name, C, keyword, slots, momentumSlots) \
  {keyword, AEC_##C, slots, momentumSlots},
#include "runtime/include/aec/optimizers.def"
};

const NoiseInfo kNoise[] = {
#define AEC_NOISE(Name, keyword, kernel) {keyword, kernel},
#include "runtime/include/aec/noise_kinds.def"
};

const SparsityInfo kSparsity[] = {
#define AEC_SPARSITY(Name, keyword) {keyword},
#include "runtime/include/aec/sparsity_kinds.def"
};

const WeightFormatInfo kWeightFormats[] = {
#define AEC_WEIGHT_FORMAT(Name, C, keyword, perWord, extraRows) \
  {keyword, AEC_##C, perWord, extraRows},
#include "runtime/include/aec/weight_formats.def"
};

// The C enums are generated from the same rows; the enumerators must agree.
#define AEC_LAYER_KIND(Name, C, ...) \
  static_assert(static_cast<int>(LayerKind::Name) == AEC_##C, #Name);
#include "runtime/include/aec/layer_kinds.def"
#define AEC_ACTIVATION(Name, C, ...) \
  static_assert(static_cast<int>(Activation::Name) == AEC_##C, #Name);
#include "runtime/include/aec/activations.def"
#define AEC_LOSS(Name, C, ...) static_assert(static_cast<int>(LossKind::Name) == AEC_##C, #Name);
#include "runtime/include/aec/losses.def"
#define AEC_OPTIMIZER(Name, C, ...) \
  static_assert(static_cast<int>(OptimizerKind::Name) == AEC_##C, #Name);
#include "runtime/include/aec/optimizers.def"
#define AEC_WEIGHT_FORMAT(Name, C, ...) \
  static_assert(static_cast<int>(WeightFormat::Name) == AEC_##C, #Name);
#include "runtime/include/aec/weight_formats.def"

template <typename E, typename T, size_t N>
const T &row(const T (&table)[N], E e) {
  return table[static_cast<size_t>(e)];
}

// Keywords of the rows `keep` accepts, in order.
template <typename T, size_t N, typename Keep>
std::vector<std::string> keywords(const T (&table)[N], Keep keep) {
  std::vector<std::string> v;
  for (const T &r : table)
    if (keep(r)) v.push_back(r.keyword);
  return v;
}

template <typename E, typename T, size_t N, typename Keep>
std::optional<E> byKeyword(const T (&table)[N], const std::string &name, Keep keep) {
  for (size_t i = 0; i < N; ++i)
    if (keep(table[i]) && name == table[i].keyword) return static_cast<E>(i);
  return std::nullopt;
}

const auto all = [](const auto &) { return true; };
const auto statement = [](const LayerKindInfo &k) { return k.statement; };
const auto notNone = [](const auto &r) { return std::string(r.keyword) != "none"; };

} // namespace

const LayerKindInfo &info(LayerKind k) { return row(kLayerKinds, k); }
const ActivationInfo &info(Activation a) { return row(kActivations, a); }
const LossInfo &info(LossKind k) { return row(kLosses, k); }
const OptimizerInfo &info(OptimizerKind k) { return row(kOptimizers, k); }
const NoiseInfo &info(NoiseKind k) { return row(kNoise, k); }
const SparsityInfo &info(SparsityKind k) { return row(kSparsity, k); }
const WeightFormatInfo &info(WeightFormat f) { return row(kWeightFormats, f); }

// Keyword lists and lookups, one pair per registry.
#define AEC_KEYWORDS(Kind, keywordsFn, byKeywordFn, table, keep)                   \
  const std::vector<std::string> &keywordsFn() {                                   \
    static const std::vector<std::string> v = keywords(table, keep);               \
    return v;                                                                      \
  }                                                                                \
  std::optional<Kind> byKeywordFn(const std::string &name) {                       \
    return byKeyword<Kind>(table, name, keep);                                     \
  }
AEC_KEYWORDS(LayerKind, layerKindKeywords, layerKindByKeyword, kLayerKinds, statement)
AEC_KEYWORDS(Activation, activationKeywords, activationByKeyword, kActivations, all)
AEC_KEYWORDS(LossKind, lossKeywords, lossByKeyword, kLosses, all)
AEC_KEYWORDS(OptimizerKind, optimizerKeywords, optimizerByKeyword, kOptimizers, all)
AEC_KEYWORDS(NoiseKind, noiseKeywords, noiseByKeyword, kNoise, notNone)
AEC_KEYWORDS(SparsityKind, sparsityKeywords, sparsityByKeyword, kSparsity, notNone)
AEC_KEYWORDS(WeightFormat, weightFormatKeywords, weightFormatByKeyword, kWeightFormats, all)
#undef AEC_KEYWORDS

int64_t packedWords(WeightFormat f, int64_t K, int64_t N) {
  const WeightFormatInfo &w = info(f);
  return w.perWord ? ((K + w.perWord - 1) / w.perWord + w.extraRows) * N : 0;
}

int optimizerStateSlots(OptimizerKind k, double momentum) {
  return momentum != 0 ? info(k).momentumSlots : info(k).slots;
}

} // namespace aec
