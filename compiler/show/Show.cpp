// `aec show`: one row per layer (layer, kind, in shape, out shape, params,
// MACs/sample, mirrored-with), then totals. The last line is
//   total: params=<trainable> frozen=<frozen> macs=<per sample> train_memory=<bytes>
// Tied decoder weights belong to their encoder twin and are counted once;
// frozen (pre-trained, `freeze`) parameters are reported apart.
//
// Training memory, in bytes, for the model's batch size B (float32 = 4 bytes):
//   weights      4 * (trainable + frozen)
//   gradients    4 * trainable
//   optimizer    adam: 2 * 4 * trainable (m and v); sgd with momentum: 4 * trainable;
//                plain sgd: 0
//   activations  2 * 4 * B * (input elements + sum of every layer's output elements)
//                (the forward values, and as many gradients in the backward pass)
// It is an estimate of the planned buffers, not of the process size.
#include "compiler/show/Show.h"

#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace aec {

namespace {

using U128 = unsigned __int128;

int64_t clamp64(U128 v) {
  U128 max = static_cast<U128>(std::numeric_limits<int64_t>::max());
  return static_cast<int64_t>(v > max ? max : v);
}

U128 elements(const Shape &s) {
  U128 n = 1;
  for (int64_t d : s.dims) {
    n *= static_cast<U128>(d < 0 ? 0 : d);
    if (n > (static_cast<U128>(1) << 100)) return n; // far beyond any real model
  }
  return n;
}

std::string human(int64_t bytes) {
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

} // namespace

void printShowTable(const CheckedModel &m, std::FILE *out) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"layer", "kind", "in", "out", "params", "MACs/sample", "mirrored-with"});
  U128 macs = 0, activations = elements(m.input);
  for (const Layer &l : m.layers) {
    std::string kind = sema::layerText(l);
    if (l.hasWeights()) kind += std::string(" ") + activationName(l.activation);
    std::string mirrors = "-";
    if (l.mirrors >= 0 && static_cast<size_t>(l.mirrors) < m.layers.size())
      mirrors = m.layers[static_cast<size_t>(l.mirrors)].name;
    std::string params = std::to_string(l.paramCount());
    if (l.tiedTo >= 0) params += " (tied)";
    if (l.frozen) params += " (frozen)";
    rows.push_back({l.name, kind, l.in.str(), l.out.str(), params,
                    std::to_string(l.macsPerSample()), mirrors});
    macs += static_cast<U128>(l.macsPerSample());
    activations += elements(l.out);
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto &r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string s = fmt::format("model {}: input {}", m.name, m.input.str());
  if (m.hasRange) s += fmt::format(" range [{}, {}]", m.rangeLo, m.rangeHi);
  s += fmt::format(", code {}\n", m.codeIndex >= 0 ? m.codeShape().str() : std::string("?"));
  for (const auto &r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      bool numeric = i == 4 || i == 5;
      std::string cell = numeric ? fmt::format("{:>{}}", r[i], width[i])
                                 : fmt::format("{:<{}}", r[i], width[i]);
      line += (i ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    s += line + "\n";
  }

  int64_t trainable = m.trainableParams(), frozen = m.frozenParams();
  U128 t = static_cast<U128>(trainable), f = static_cast<U128>(frozen);
  U128 weights = 4 * (t + f), grads = 4 * t, opt = 0;
  if (m.train.optimizer == OptimizerKind::Adam) opt = 8 * t;
  else if (m.train.momentum > 0) opt = 4 * t;
  U128 acts = 2 * 4 * static_cast<U128>(m.train.batch) * activations;
  int64_t memory = clamp64(weights + grads + opt + acts);
  s += fmt::format("trainable params: {}\n", trainable);
  s += fmt::format("frozen params: {}\n", frozen);
  s += fmt::format("MACs/sample: {}\n", clamp64(macs));
  s += fmt::format("train memory (batch {}): {} = weights {} + gradients {} + optimizer {} + "
                   "activations {}\n",
                   m.train.batch, human(memory), human(clamp64(weights)), human(clamp64(grads)),
                   human(clamp64(opt)), human(clamp64(acts)));
  s += fmt::format("total: params={} frozen={} macs={} train_memory={}\n", trainable, frozen,
                   clamp64(macs), memory);
  std::fwrite(s.data(), 1, s.size(), out);
}

} // namespace aec
