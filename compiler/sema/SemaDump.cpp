// `--emit=sema`: the checked model, one line per layer, then the settings.
//   model fashion_dense
//     input [784] range [0, 1]
//     enc1: encoder dense 512 relu [784] -> [512]
//     dec1: decoder dense 128 relu [32] -> [128] mirrors=code tied
//     code: [32] (layer code)
//     loss bce
//     ...
#include "compiler/sema/Sema.h"

#include "compiler/sema/SemaInternal.h"

#include <fmt/format.h>

namespace aec {

void dumpCheckedModel(const CheckedModel &m, std::FILE *out) {
  std::string s = fmt::format("model {}\n", m.name);
  s += fmt::format("  input {}", m.input.str());
  if (m.hasRange) s += fmt::format(" range [{}, {}]", m.rangeLo, m.rangeHi);
  s += "\n";
  for (const Layer &l : m.layers) {
    s += fmt::format("  {}: {} {}", l.name, sectionName(l.section), layerText(l));
    if (l.hasWeights()) s += fmt::format(" {}", activationName(l.activation));
    s += fmt::format(" {} -> {}", l.in.str(), l.out.str());
    if (l.mirrors >= 0 && static_cast<size_t>(l.mirrors) < m.layers.size())
      s += fmt::format(" mirrors={}", m.layers[static_cast<size_t>(l.mirrors)].name);
    if (l.tiedTo >= 0) s += " tied";
    if (l.pretrained) s += " pretrained";
    if (l.frozen) s += " frozen";
    if (l.variational) s += " variational";
    s += "\n";
  }
  if (m.codeIndex >= 0 && static_cast<size_t>(m.codeIndex) < m.layers.size())
    s += fmt::format("  code {} (output of {})\n", m.codeShape().str(),
                     m.layers[static_cast<size_t>(m.codeIndex)].name);
  s += fmt::format("  loss {}\n", lossName(m.loss));
  if (m.noise == NoiseKind::None) s += "  noise none\n";
  else s += fmt::format("  noise {} {}\n", noiseName(m.noise), m.noiseAmount);
  switch (m.sparsity) {
  case SparsityKind::None: s += "  sparsity none\n"; break;
  case SparsityKind::L1: s += fmt::format("  sparsity l1 weight={}\n", m.sparsityWeight); break;
  case SparsityKind::KL:
    s += fmt::format("  sparsity kl rho={} weight={}\n", m.sparsityTarget, m.sparsityWeight);
    break;
  }
  s += fmt::format("  regularize l2 {}\n", m.l2);
  if (m.variational) s += fmt::format("  kl beta={} warmup={}\n", m.klBeta, m.klWarmup);
  if (m.memoryBudget) s += fmt::format("  budget memory={}\n", m.memoryBudget);
  if (m.paramsBudget) s += fmt::format("  budget params={}\n", m.paramsBudget);
  if (!m.pretrainedPath.empty())
    s += fmt::format("  pretrained \"{}\"{}\n", m.pretrainedPath, m.freezeEncoder ? " freeze" : "");
  const TrainConfig &t = m.train;
  if (t.optimizer == OptimizerKind::Adam)
    s += fmt::format("  train optimizer=adam lr={} beta1={} beta2={} eps={}", t.lr, t.beta1,
                     t.beta2, t.eps);
  else
    s += fmt::format("  train optimizer=sgd lr={} momentum={}", t.lr, t.momentum);
  s += fmt::format(" batch={} epochs={} seed={}\n", t.batch, t.epochs, t.seed);
  if (t.schedule != ScheduleKind::None || t.warmup || t.validation > 0 || t.earlyStop ||
      m.normalize != NormalizeKind::None) {
    static const char *kSchedules[] = {"none", "cosine", "step", "plateau"};
    static const char *kNormalize[] = {"none", "standard", "minmax"};
    s += fmt::format("  workflow schedule={}", kSchedules[static_cast<int>(t.schedule)]);
    if (t.schedule == ScheduleKind::Step || t.schedule == ScheduleKind::Plateau)
      s += fmt::format(" factor={} {}={}", t.scheduleFactor,
                       t.schedule == ScheduleKind::Step ? "every" : "patience", t.scheduleEvery);
    s += fmt::format(" warmup={} validation={} early_stop={} normalize={}\n", t.warmup,
                     t.validation, t.earlyStop, kNormalize[static_cast<int>(m.normalize)]);
  }
  s += fmt::format("  params trainable={} frozen={}", m.trainableParams(), m.frozenParams());
  if (m.stateCount()) s += fmt::format(" state={}", m.stateCount()); // batch-norm running stats
  s += "\n";
  std::fwrite(s.data(), 1, s.size(), out);
}

} // namespace aec
