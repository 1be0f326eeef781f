// `aec show`: one row per layer (layer, kind, in shape, out shape, params,
// MACs/sample, mirrored-with), then totals. The last line is
//   total: params=<trainable> frozen=<frozen> macs=<per sample> train_memory=<bytes>
// Tied decoder weights belong to their encoder twin and are counted once;
// frozen (pre-trained, `freeze`) parameters are reported apart.
//
// Training memory: CheckedModel::trainMemory (Model.cpp), which the
// `budget memory` check uses too. Batch-norm scale and shift are params;
// their running statistics are saved state, reported apart.
#include "compiler/show/Show.h"

#include "compiler/sema/Model.h"

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

} // namespace

std::string layerKindText(const Layer &l) {
  std::string kind = layerText(l);
  if (l.hasWeights()) kind += std::string(" ") + activationName(l.activation);
  if (l.variational) kind += " variational";
  return kind;
}

void printShowTable(const CheckedModel &m, std::FILE *out) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"layer", "kind", "in", "out", "params", "MACs/sample", "mirrored-with"});
  U128 macs = 0;
  for (const Layer &l : m.layers) {
    std::string kind = layerKindText(l);
    std::string mirrors = "-";
    if (l.mirrors >= 0 && static_cast<size_t>(l.mirrors) < m.layers.size())
      mirrors = m.layers[static_cast<size_t>(l.mirrors)].name;
    std::string params = std::to_string(l.paramCount());
    if (l.tiedTo >= 0) params += " (tied)";
    if (l.frozen) params += " (frozen)";
    rows.push_back({l.name, kind, l.in.str(), l.out.str(), params,
                    std::to_string(l.macsPerSample()), mirrors});
    macs += static_cast<U128>(l.macsPerSample());
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
  MemoryEstimate mem = m.trainMemory();
  int64_t memory = mem.total;
  s += fmt::format("trainable params: {}\n", trainable);
  s += fmt::format("frozen params: {}\n", frozen);
  if (m.stateCount() > 0)
    s += fmt::format("batch-norm running stats: {} (saved, not trained)\n", m.stateCount());
  s += fmt::format("MACs/sample: {}\n", clamp64(macs));
  s += fmt::format("train memory (batch {}): {}\n", m.train.batch, memoryBreakdown(m));
  s += fmt::format("total: params={} frozen={} macs={} train_memory={}\n", trainable, frozen,
                   clamp64(macs), memory);
  std::fwrite(s.data(), 1, s.size(), out);
}

} // namespace aec
