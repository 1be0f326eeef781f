// Static memory planning for max_batch samples.
//
// Parameters: frozen tensors first, then the trainable ones, so the trainable
// parameters form one contiguous range and the optimizer is a single fused
// pass; gradients and optimizer slots reuse the parameter offsets.
// Workspace: every layer output is pinned (the runtime reads any of them
// through aec_layer_info.act_offset); the other temporaries (noisy input,
// activation gradients, kernel scratch) are packed first-fit by liveness over
// the op sequence. Every offset is a multiple of 16 floats (64 bytes) so rows
// start on a cache line whenever the row width allows it.
#include "compiler/lower/Passes.h"

#include <algorithm>

namespace aec::lower {

using namespace ir;

namespace {

constexpr int64_t kAlign = 16;

int64_t alignUp(int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

int64_t extent(const Graph &g, const Tensor &t) {
  return t.batched ? g.maxBatch * t.size() : t.size();
}

} // namespace

void planMemory(Graph &g) {
  // Parameters.
  int64_t off = 0;
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) g.trainableBegin = off;
    for (int p : g.paramTensors) {
      Tensor &t = g.tensors[p];
      if (t.trainable != (pass == 1)) continue;
      t.offset = off;
      off = alignUp(off + t.size());
    }
  }
  g.paramCount = off;
  g.trainableCount = off - g.trainableBegin;
  for (Tensor &t : g.tensors)
    if (t.buffer == Buffer::Grad) t.offset = g.tensors[t.gradOf].offset;

  // Pinned layer outputs.
  int64_t ws = 0;
  for (int t : g.layerOutput) {
    int s = g.storageOf(t);
    Tensor &st = g.tensors[s];
    if (st.buffer != Buffer::Workspace || st.offset >= 0) continue;
    st.offset = ws;
    ws = alignUp(ws + extent(g, st));
  }
  // A VAE's log-variance (eval reads it) and its step's noise (kept for
  // checks against a peer) are pinned too.
  for (int t : {g.vaeLogvar, g.vaeEps}) {
    if (t < 0) continue;
    Tensor &pt = g.tensors[t];
    pt.offset = ws;
    ws = alignUp(ws + extent(g, pt));
  }
  const int64_t pinnedEnd = ws;

  // Live intervals of the remaining workspace tensors (by storage).
  const int nt = static_cast<int>(g.tensors.size());
  std::vector<int> first(nt, -1), last(nt, -1);
  auto touch = [&](int t, int i) {
    if (t < 0) return;
    int s = g.storageOf(t);
    if (first[s] < 0 || i < first[s]) first[s] = i;
    last[s] = std::max(last[s], i);
  };
  for (int i = 0; i < static_cast<int>(g.ops.size()); ++i) {
    forEachTensorRef(g.ops[i], [&](int t, TensorRole) { touch(t, i); });
  }
  std::vector<int> order;
  for (int t = 0; t < nt; ++t) {
    const Tensor &x = g.tensors[t];
    if (x.buffer == Buffer::Workspace && x.aliasOf < 0 && x.offset < 0 && first[t] >= 0)
      order.push_back(t);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return first[a] < first[b]; });
  struct Alloc {
    int64_t begin, end;
    int from, to;
  };
  std::vector<Alloc> allocs;
  int64_t top = pinnedEnd;
  for (int t : order) {
    int64_t size = alignUp(extent(g, g.tensors[t]));
    // Candidate offsets: the start of the region and the end of every live block.
    std::vector<int64_t> candidates{pinnedEnd};
    for (const Alloc &a : allocs) candidates.push_back(a.end);
    std::sort(candidates.begin(), candidates.end());
    int64_t chosen = -1;
    for (int64_t c : candidates) {
      bool clash = false;
      for (const Alloc &a : allocs) {
        bool timeOverlap = !(a.to < first[t] || last[t] < a.from);
        bool spaceOverlap = c < a.end && a.begin < c + size;
        if (timeOverlap && spaceOverlap) {
          clash = true;
          break;
        }
      }
      if (!clash) {
        chosen = c;
        break;
      }
    }
    g.tensors[t].offset = chosen;
    allocs.push_back({chosen, chosen + size, first[t], last[t]});
    top = std::max(top, chosen + size);
  }
  g.workspaceSize = std::max<int64_t>(top, kAlign);

  // Views share their storage's offset.
  for (Tensor &t : g.tensors)
    if (t.aliasOf >= 0) t.offset = g.tensors[g.storageOf(static_cast<int>(&t - g.tensors.data()))].offset;
}

} // namespace aec::lower
