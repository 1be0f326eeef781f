// Out-of-line parts of the checked model: names, parameter and MAC counts,
// the architecture hash. Sema guarantees every shape and count fits in int64
// (it rejects "shape too large"); the arithmetic here saturates anyway so a
// model built by hand in a test can never overflow.
#include "compiler/sema/Model.h"

#include <fmt/format.h>

#include <limits>

namespace aec {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t satMul(int64_t a, int64_t b) {
  if (a <= 0 || b <= 0) return 0;
  if (a > kMax / b) return kMax;
  return a * b;
}

int64_t satAdd(int64_t a, int64_t b) {
  if (a > kMax - b) return kMax;
  return a + b;
}

int64_t satElements(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s.dims) n = satMul(n, d);
  return n;
}

int64_t inChannels(const Layer &l) { return l.in.dims.empty() ? 0 : l.in.dims[0]; }

} // namespace

std::string Shape::str() const {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

std::string layerSpecText(LayerKind kind, bool conv2d, int64_t size, int64_t kernel, int64_t stride,
                          double rate) {
  std::string s = layerKindName(kind);
  switch (info(kind).text) {
  case LayerText::Bare: return s;
  case LayerText::Rate: return fmt::format("{} {}", s, rate);
  case LayerText::Units:
  case LayerText::Factor: return s + " " + std::to_string(size);
  case LayerText::Conv:
    s += " " + std::to_string(size) + " " + std::to_string(kernel);
    if (conv2d) s += "x" + std::to_string(kernel);
    if (stride != 1) s += " stride " + std::to_string(stride);
    return s;
  }
  return s;
}

std::string layerText(const Layer &l) {
  const LayerText t = info(l.kind).text;
  int64_t size = t == LayerText::Units ? l.units : t == LayerText::Conv ? l.channels : l.factor;
  return layerSpecText(l.kind, l.in.rank() == 3, size, l.kernel, l.stride, l.rate);
}

const char *sectionName(Section s) {
  switch (s) {
  case Section::Encoder: return "encoder";
  case Section::Code: return "code";
  case Section::Decoder: return "decoder";
  }
  return "?";
}

// Kernel taps of a conv layer: k·k on [C, H, W], k on [C, L].
static int64_t convTaps(const Layer &l) {
  int64_t taps = 1;
  for (int d = 1; d < l.in.rank(); ++d) taps = satMul(taps, l.kernel);
  return taps;
}

int64_t Layer::weightCount() const {
  switch (info(kind).params) {
  case LayerParams::Dense:
    // A tied decoder layer reuses the transpose of its twin's weight.
    if (tiedTo >= 0) return 0;
    return satMul(satElements(in), satMul(units, variational ? 2 : 1));
  case LayerParams::Conv: return satMul(satMul(channels, inChannels(*this)), convTaps(*this));
  case LayerParams::None: return 0;
  }
  return 0;
}

int64_t Layer::biasCount() const {
  switch (info(kind).params) {
  case LayerParams::Dense: return satMul(units, variational ? 2 : 1);
  case LayerParams::Conv: return channels;
  case LayerParams::None: return 0;
  }
  return 0;
}

int64_t Layer::channelTensors(bool trained) const {
  int64_t n = 0;
  for (const ChannelTensor &t : info(kind).chan)
    if (t.suffix && t.trained == trained) n = satAdd(n, normFeatures());
  return n;
}

// Multiply-accumulates of the weights only: pooling, upsampling and reshapes
// do no multiplications, biases and activations are not MACs.
int64_t Layer::macsPerSample() const {
  switch (info(kind).params) {
  case LayerParams::Dense: return satMul(satElements(in), satMul(units, variational ? 2 : 1));
  case LayerParams::Conv:
    return satMul(satElements(out), satMul(inChannels(*this), convTaps(*this)));
  case LayerParams::None: return 0;
  }
  return 0;
}

int64_t CheckedModel::trainableParams() const {
  int64_t n = 0;
  for (const Layer &l : layers)
    if (!l.frozen) n = satAdd(n, l.paramCount());
  return n;
}

int64_t CheckedModel::frozenParams() const {
  int64_t n = 0;
  for (const Layer &l : layers)
    if (l.frozen) n = satAdd(n, l.paramCount());
  return n;
}

int64_t CheckedModel::stateCount() const {
  int64_t n = 0;
  for (const Layer &l : layers) n = satAdd(n, l.stateCount());
  return n;
}

// Training memory for the model's batch size B (float32 = 4 bytes):
//   weights      4 * (trainable + frozen + batch-norm running stats)
//   gradients    4 * trainable
//   optimizer    4 * trainable * optimizerStateSlots (adam 2: m and v; sgd with
//                momentum 1; plain sgd 0)
//   activations  2 * 4 * B * (input elements + sum of every layer's output elements
//                             + a VAE's log-variance and noise, 2 * code elements)
//                (the forward values, and as many gradients in the backward pass)
// An estimate of the planned buffers, not of the process size.
MemoryEstimate CheckedModel::trainMemory() const {
  int64_t trainable = trainableParams();
  int64_t acts = satElements(input);
  for (const Layer &l : layers) acts = satAdd(acts, satElements(l.out));
  if (variational && codeIndex >= 0) acts = satAdd(acts, satMul(2, satElements(codeShape())));
  MemoryEstimate e;
  e.weights = satMul(4, satAdd(satAdd(trainable, frozenParams()), stateCount()));
  e.gradients = satMul(4, trainable);
  e.optimizer =
      satMul(satMul(4, trainable), optimizerStateSlots(train.optimizer, train.momentum));
  e.activations = satMul(satMul(8, train.batch), acts);
  e.total = satAdd(satAdd(e.weights, e.gradients), satAdd(e.optimizer, e.activations));
  return e;
}

std::string humanBytes(int64_t bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.1f} {}", v, units[u]);
}

std::string memoryBreakdown(const CheckedModel &m) {
  MemoryEstimate e = m.trainMemory();
  return fmt::format("{} = weights {} + gradients {} + optimizer {} + activations {}",
                     humanBytes(e.total), humanBytes(e.weights), humanBytes(e.gradients),
                     humanBytes(e.optimizer), humanBytes(e.activations));
}

namespace {

// FNV-1a, 64 bit.
struct Fnv {
  uint64_t h = 1469598103934665603ull;
  void byte(uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void shape(const Shape &s) {
    i64(static_cast<int64_t>(s.dims.size()));
    for (int64_t d : s.dims) i64(d);
  }
};

} // namespace

// What is hashed: everything that fixes the parameter layout or the computed
// function and its gradient (input shape, every layer's kind/section/shapes/
// sizes/activation, tying, freezing, loss, noise and sparsity kinds, the
// optimizer kind since its state is part of a checkpoint). Not hashed:
// hyperparameters that can change between runs (lr, momentum, batch, epochs,
// seed, noise/sparsity/l2 amounts) and the pretrained path.
uint64_t CheckedModel::architectureHash() const {
  Fnv f;
  const char *tag = "aec-arch-v1";
  for (const char *p = tag; *p; ++p) f.byte(static_cast<uint8_t>(*p));
  f.shape(input);
  f.i64(static_cast<int64_t>(layers.size()));
  for (const Layer &l : layers) {
    f.i64(static_cast<int64_t>(l.kind));
    f.i64(static_cast<int64_t>(l.section));
    f.i64(static_cast<int64_t>(l.activation));
    f.shape(l.in);
    f.shape(l.out);
    f.i64(l.units);
    f.i64(l.channels);
    f.i64(l.kernel);
    f.i64(l.stride);
    f.i64(l.factor);
    f.i64(l.tiedTo);
    f.byte(l.frozen ? 1 : 0);
    if (l.variational) f.byte('V'); // only when set: older hashes stay as they were
  }
  f.i64(codeIndex);
  f.i64(static_cast<int64_t>(loss));
  f.i64(static_cast<int64_t>(noise));
  f.i64(static_cast<int64_t>(sparsity));
  f.i64(static_cast<int64_t>(train.optimizer));
  // Normalized inputs change what the weights compute; hashed only when on,
  // so earlier models keep their hashes.
  if (normalize != NormalizeKind::None) f.i64(100 + static_cast<int64_t>(normalize));
  return f.h;
}

} // namespace aec
