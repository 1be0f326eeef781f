// Structural checks run after every pass: ids in range, definitions before
// uses, matching shapes for every op, phases in order, no gradient of a
// frozen parameter, nothing but forward ops when inference-only, and (once
// planned) every buffer inside its bounds.
#include "compiler/ir/IR.h"

#include <fmt/format.h>

#include <algorithm>

#include <vector>

namespace aec::ir {

namespace {

struct Checker {
  const Graph &g;
  std::string error;

  bool fail(const std::string &msg) {
    if (error.empty()) error = msg;
    return false;
  }
  const Tensor &T(int id) const { return g.tensors[id]; }
  // Rows x cols of a 2-D view: batched -> (n, size), static -> dims.
  bool matrix(int id, bool &batched, int64_t &rows, int64_t &cols) {
    const Tensor &t = T(id);
    batched = t.batched;
    if (t.batched) {
      rows = -1;
      cols = t.size();
      return true;
    }
    if (t.dims.size() == 2) {
      rows = t.dims[0];
      cols = t.dims[1];
      return true;
    }
    if (t.dims.size() == 1) {
      rows = 1;
      cols = t.dims[0];
      return true;
    }
    return fail(fmt::format("tensor %{} is not a matrix", t.name));
  }

  // A conv op's scratch (at least what its kernel writes: a smaller one
  // from a hand-written .air would be overrun) and its phases' conditions.
  std::string convProblem(const Op &op) const {
    const int x = op.kind == OpKind::ConvInputGrad ? op.out : op.ins[0];
    if (op.phases && (op.factor != 2 || op.kernel != 3 || op.stride != 1 ||
                      T(x).dims.size() != 3))
      return "phases need a 2-D 3x3 conv with stride 1 after an upsample by 2";
    if (op.factor > 1 && op.stride > 1) // strided kernels read phase planes
      return "a fused upsample needs stride 1";
    if (op.scratch < 0) return "no scratch";
    const Tensor &t = T(op.scratch);
    if ((t.batched ? g.maxBatch : 1) * t.size() < convScratch(g, op).floats())
      return fmt::format("scratch %{} is smaller than the kernel needs ({} floats)", t.name,
                         convScratch(g, op).floats());
    return "";
  }

  bool checkOp(size_t idx, const Op &op) {
    auto where = [&](const std::string &m) {
      return fail(fmt::format("op {} ({}): {}", idx, opKindName(op.kind), m));
    };
    auto batchedIn = [&](int i) { return T(op.ins[i]).batched; };
    auto size = [&](int id) { return T(id).size(); };
    switch (opInfo(op.kind).check) { // Ops.def's `check`
    case OpInfo::Check::None: return true;
    case OpInfo::Check::Same:
      if (op.out < 0) return true; // an optional result left out
      if (size(op.ins[0]) != size(op.out)) return where("element count changes");
      if (batchedIn(0) != T(op.out).batched) return where("batched input, unbatched output");
      return true;
    case OpInfo::Check::Own: break;
    }
    switch (op.kind) { // the kinds whose row says `Own`
    case OpKind::MatMul:
    case OpKind::Dense: {
      if (op.ins.size() < 2) return where("needs input and weight");
      const Tensor &w = T(op.ins[1]);
      if (!batchedIn(0) || w.batched || w.dims.size() != 2 || !T(op.out).batched)
        return where("expects batched x, static 2-D weight");
      int64_t k = op.transB ? w.dims[1] : w.dims[0];
      int64_t n = op.transB ? w.dims[0] : w.dims[1];
      if (size(op.ins[0]) != k) return where("inner dimensions differ");
      if (size(op.out) != n) return where("output width differs from the weight");
      if (op.kind == OpKind::Dense && op.ins.size() > 2 && size(op.ins[2]) != n)
        return where("bias width differs");
      return true;
    }
    case OpKind::BiasAdd:
      if (size(op.ins[1]) != size(op.out) || size(op.ins[0]) != size(op.out))
        return where("bias width differs");
      return true;
    case OpKind::ActGrad:
      if (size(op.ins[0]) != size(op.out) || size(op.ins[1]) != size(op.out))
        return where("shapes differ");
      if (batchedIn(0) != T(op.out).batched || batchedIn(1) != T(op.out).batched)
        return where("batched input, unbatched output");
      return true;
    case OpKind::Loss:
    case OpKind::LossGrad:
    case OpKind::LossActGrad:
      if (size(op.ins[0]) != size(op.ins[1])) return where("prediction and target differ");
      if (op.kind != OpKind::Loss && size(op.out) != size(op.ins[0]))
        return where("gradient shape differs");
      return true;
    case OpKind::SparsityGrad:
      if (size(op.ins[0]) != size(op.out)) return where("shapes differ");
      return true;
    case OpKind::WeightGrad: {
      // out[k][j] += Σ_i in0[i][k] in1[i][j]
      const Tensor &o = T(op.out);
      if (o.buffer != Buffer::Grad || o.dims.size() != 2) return where("writes a gradient");
      if (size(op.ins[0]) != o.dims[0] || size(op.ins[1]) != o.dims[1])
        return where("shape mismatch");
      return true;
    }
    case OpKind::BiasGrad:
      if (T(op.out).buffer != Buffer::Grad || size(op.ins[0]) != size(op.out))
        return where("shape mismatch");
      return true;
    case OpKind::InputGrad: {
      const Tensor &w = T(op.ins[1]);
      if (w.dims.size() != 2) return where("weight is not 2-D");
      // out = dz · wᵀ (w [in][out]) or dz · w (transB: w [out][in], the tied twin)
      int64_t k = op.transB ? w.dims[0] : w.dims[1];
      int64_t n = op.transB ? w.dims[1] : w.dims[0];
      if (size(op.ins[0]) != k || size(op.out) != n) return where("shape mismatch");
      if (op.hasDeriv && (op.ins.size() < 3 || size(op.ins[2]) != n))
        return where("derivative operand differs");
      return true;
    }
    case OpKind::Conv: {
      // x [Ci, ...], w [Co, Ci, k(, k)], b [Co], out [Co, ...]
      if (op.ins.size() < 2) return where("needs input and weight");
      const Tensor &x = T(op.ins[0]), &w = T(op.ins[1]), &y = T(op.out);
      if (!x.batched || !y.batched || w.batched || w.dims.size() != x.dims.size() + 1 ||
          x.dims.size() < 2 || y.dims.size() != x.dims.size())
        return where("expects batched [C, H, W] or [C, L] tensors and a static kernel");
      if (w.dims[1] != x.dims[0] || w.dims[0] != y.dims[0] || w.dims.back() != op.kernel)
        return where("kernel shape differs from the input/output channels");
      if (op.maxpool > 1) { // pooled output; the unpooled one in out2
        if (op.maxpool != 2 || op.stride != 1 || op.factor > 1 || x.dims.size() != 3 ||
            x.dims[1] % 2 || x.dims[2] % 2 || y.dims[1] * 2 != x.dims[1] ||
            y.dims[2] * 2 != x.dims[2])
          return where("fused max pool needs stride 1, even [C, H, W] and a [C, H/2, W/2] output");
        if (op.out2 >= 0 && size(op.out2) != size(op.out) * 4) return where("unpooled size differs");
      } else {
        for (size_t d = 1; d < x.dims.size(); ++d) // (x upsampled by factor, if fused)
          if (y.dims[d] != (x.dims[d] * std::max<int64_t>(op.factor, 1) + op.stride - 1) / op.stride)
            return where("output size is not ceil(input / stride)");
        if (op.out2 >= 0) return where("an unpooled output without a fused pool");
      }
      if (op.ins.size() > 2 && size(op.ins[2]) != w.dims[0]) return where("bias width differs");
      if (std::string p = convProblem(op); !p.empty()) return where(p);
      return true;
    }
    case OpKind::ConvInputGrad: {
      const Tensor &dz = T(op.ins[0]), &w = T(op.ins[1]), &dx = T(op.out);
      if (w.dims.size() < 3 || dz.dims.empty() || dx.dims.empty() || dz.dims[0] != w.dims[0] ||
          dx.dims[0] != w.dims[1])
        return where("shape mismatch");
      if (op.hasDeriv && (op.ins.size() < 3 || size(op.ins[2]) != size(op.out)))
        return where("derivative operand differs");
      if (std::string p = convProblem(op); !p.empty()) return where(p);
      return true;
    }
    case OpKind::ConvWeightGrad: {
      const Tensor &x = T(op.ins[0]), &dz = T(op.ins[1]), &o = T(op.out);
      if (o.buffer != Buffer::Grad || o.dims.size() < 3 || x.dims.empty() || dz.dims.empty() ||
          x.dims[0] != o.dims[1] || dz.dims[0] != o.dims[0])
        return where("shape mismatch");
      if (op.out2 >= 0 && (T(op.out2).buffer != Buffer::Grad || size(op.out2) != o.dims[0]))
        return where("bias gradient shape mismatch");
      if (op.maxpool > 1 ? op.maxpool != 2 || !op.hasDeriv || op.ins.size() != 4 ||
                               size(op.ins[2]) != size(op.ins[1]) ||
                               size(op.ins[3]) != 4 * size(op.ins[1]) ||
                               size(op.ins[1]) * 4 * o.dims[1] != size(op.ins[0]) * o.dims[0]
                         : op.ins.size() != 2)
        return where("fused max pool operands (pooled gradient, output, argmax) differ");
      if (std::string p = convProblem(op); !p.empty()) return where(p);
      return true;
    }
    case OpKind::Pool: {
      int64_t f = op.factor, in = size(op.ins[0]), out = size(op.out);
      int64_t area = T(op.ins[0]).dims.size() == 3 ? f * f : f;
      if (f < 1 || (op.pool == PoolKind::Upsample ? in * area != out : out * area != in))
        return where("element count does not match the factor");
      return true;
    }
    case OpKind::PoolGrad:
      if (op.ins.size() < 3 || size(op.out) != size(op.ins[1]) ||
          size(op.ins[0]) != size(op.ins[2]))
        return where("shape mismatch");
      if (op.hasDeriv && (op.ins.size() < 4 || size(op.ins[3]) != size(op.out)))
        return where("derivative operand differs");
      return true;
    case OpKind::VaeSample:
    case OpKind::VaeGrad: {
      const size_t want = op.kind == OpKind::VaeSample ? 2 : 4;
      if (op.ins.size() != want || op.out < 0 || op.out2 < 0) return where("needs its operands");
      for (int t : op.ins)
        if (size(t) != size(op.out)) return where("code widths differ");
      if (size(op.out2) != size(op.out)) return where("code widths differ");
      return true;
    }
    case OpKind::BatchNorm:
    case OpKind::BatchNormGrad: {
      if (op.ins.size() < 4 || op.out2 < 0) return where("needs its operands and statistics");
      const int x = op.kind == OpKind::BatchNorm ? op.ins[0] : op.ins[1];
      const int64_t c = T(x).dims.empty() ? 0 : T(x).dims[0];
      const int stats = op.kind == OpKind::BatchNorm ? op.out2 : op.ins[3];
      if (size(stats) != 2 * c) return where("statistics are not [2C]");
      if (op.out >= 0 && size(op.out) != size(x)) return where("element count changes");
      return true;
    }
    case OpKind::LayerNorm:
    case OpKind::LayerNormGrad: {
      const bool fwd = op.kind == OpKind::LayerNorm;
      const int x = fwd ? op.ins[0] : op.ins[1], gamma = fwd ? op.ins[1] : op.ins[2];
      const int stats = fwd ? op.out2 : op.ins[3];
      if (stats < 0 || !T(stats).batched || size(stats) != 2)
        return where("statistics are not [2] per sample");
      if (size(gamma) != size(x)) return where("gamma is not one per feature");
      if (op.out >= 0 && size(op.out) != size(x)) return where("element count changes");
      return true;
    }
    case OpKind::Adam:
    case OpKind::SGD:
      if (op.begin < 0 || op.count < 0 || (g.paramCount && op.begin + op.count > g.paramCount))
        return where("parameter range outside the parameters");
      return true;
    default: // a row that says `Own` without its case here
      return where("internal error: Ops.def gives it its own check, Verifier.cpp has none");
    }
  }

  bool run() {
    const int nt = static_cast<int>(g.tensors.size());
    std::vector<bool> defined(nt, false);
    for (int i = 0; i < nt; ++i) {
      const Tensor &t = g.tensors[i];
      if (t.buffer == Buffer::Input || t.buffer == Buffer::Param || t.buffer == Buffer::Grad)
        defined[i] = true;
      if (t.aliasOf >= nt) return fail(fmt::format("tensor %{}: bad alias", t.name));
      if (t.buffer == Buffer::Grad) {
        if (t.gradOf < 0 || t.gradOf >= nt) return fail(fmt::format("%{}: no parameter", t.name));
        if (!g.tensors[t.gradOf].trainable)
          return fail(fmt::format("%{}: gradient of a frozen parameter", t.name));
      }
      if (t.offset >= 0 && t.aliasOf < 0) {
        int64_t limit = t.buffer == Buffer::Workspace ? g.workspaceSize * 1
                                                      : g.paramCount;
        int64_t extent = t.buffer == Buffer::Workspace && t.batched ? g.maxBatch * t.size()
                                                                    : t.size();
        if ((t.buffer == Buffer::Workspace || t.buffer == Buffer::Param ||
             t.buffer == Buffer::Grad) &&
            t.offset + extent > limit)
          return fail(fmt::format("tensor %{} lies outside its buffer", t.name));
      }
    }
    int phase = 0;
    for (size_t idx = 0; idx < g.ops.size(); ++idx) {
      const Op &op = g.ops[idx];
      if (static_cast<int>(op.phase) < phase)
        return fail(fmt::format("op {} ({}) is out of phase order", idx, opKindName(op.kind)));
      phase = static_cast<int>(op.phase);
      if (g.inferenceOnly && op.phase != Phase::Forward)
        return fail("inference-only graph has backward or update ops");
      bool badRef = false;
      forEachTensorRef(op, [&](int t, TensorRole) { badRef |= t < -1 || t >= nt; });
      if (badRef) return fail(fmt::format("op {} ({}): bad tensor id", idx, opKindName(op.kind)));
      if ((op.out2 >= 0) != (op.out2Role != Out2::None))
        return fail(fmt::format("op {} ({}): out2 without its role", idx, opKindName(op.kind)));
      if (op.noiseFrom >= 0) {
        if (op.kind != OpKind::Dense || op.out2Role != Out2::NoisyCopy || op.out2 != op.ins[0] ||
            !defined[op.noiseFrom] || g.tensors[op.noiseFrom].size() != g.tensors[op.ins[0]].size())
          return fail(fmt::format("op {}: malformed fused noise", idx));
        defined[op.ins[0]] = true; // written by this op before its GEMM reads it
      }
      for (int in : op.ins) {
        if (in < 0 || in >= nt) return fail(fmt::format("op {}: bad input id", idx));
        if (!defined[in])
          return fail(fmt::format("op {} ({}) uses %{} before it is defined", idx,
                                  opKindName(op.kind), g.tensors[in].name));
      }
      for (int o : {op.out, op.out2}) {
        if (o >= 0 && !(op.out2Role == Out2::NoisyCopy && o == op.out2)) {
          if (defined[o] && !op.accumulate && g.tensors[o].buffer != Buffer::Grad)
            return fail(fmt::format("op {} ({}) redefines %{}", idx, opKindName(op.kind),
                                    g.tensors[o].name));
          defined[o] = true;
        }
      }
      if (!checkOp(idx, op)) return false;
    }
    return checkFunctions() && checkWorkspaceOverlap();
  }

  // Once listed: each function's ops in order, of the phases it may run.
  bool checkFunctions() {
    if (!g.functions.listed) return true;
    for (int k = 0; k < 4; ++k) {
      int last = -1;
      for (int i : g.functions.list(k)) {
        if (i <= last || i >= static_cast<int>(g.ops.size()))
          return fail(fmt::format("function {}: op {} is out of order or range", functionName(k), i));
        last = i;
        const Phase p = g.ops[i].phase;
        if (k == 3 ? p != Phase::Update : k == 2 ? p == Phase::Update : p != Phase::Forward)
          return fail(fmt::format("function {}: op {} is a {} op", functionName(k), i,
                                  phaseName(p)));
      }
    }
    return true;
  }

  // Once planned: no two workspace tensors that are live at the same time
  // share memory (layer outputs are live throughout).
  bool checkWorkspaceOverlap() {
    const int nt = static_cast<int>(g.tensors.size());
    std::vector<int> first(nt, -1), last(nt, -1);
    for (int i = 0; i < static_cast<int>(g.ops.size()); ++i) {
      forEachTensorRef(g.ops[i], [&](int t, TensorRole) {
        if (t < 0) return;
        int s = g.storageOf(t);
        if (first[s] < 0) first[s] = i;
        last[s] = i;
      });
    }
    std::vector<int> ws;
    for (int t = 0; t < nt; ++t) {
      const Tensor &x = g.tensors[t];
      if (x.buffer != Buffer::Workspace || x.aliasOf >= 0 || x.offset < 0) continue;
      if (x.isLayerOutput) {
        first[t] = 0;
        last[t] = static_cast<int>(g.ops.size());
      }
      if (first[t] >= 0) ws.push_back(t);
    }
    for (size_t a = 0; a < ws.size(); ++a)
      for (size_t b = a + 1; b < ws.size(); ++b) {
        int s = ws[a], t = ws[b];
        if (last[s] < first[t] || last[t] < first[s]) continue;
        const Tensor &x = g.tensors[s], &y = g.tensors[t];
        int64_t xe = x.offset + (x.batched ? g.maxBatch : 1) * x.size();
        int64_t ye = y.offset + (y.batched ? g.maxBatch : 1) * y.size();
        if (x.offset < ye && y.offset < xe)
          return fail(fmt::format("tensors %{} and %{} overlap while both are live", x.name,
                                  y.name));
      }
    return true;
  }
};

} // namespace

std::string verify(const Graph &g) {
  Checker c{g, {}};
  c.run();
  return c.error;
}

} // namespace aec::ir
