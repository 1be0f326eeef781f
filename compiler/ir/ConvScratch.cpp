// Scratch sizes of the conv kernels: the inline geometry helpers of
// compiler/kernels/aec_conv.h, so the sizes always match the kernels.
#include "compiler/ir/IR.h"
#include "compiler/kernels/aec_conv.h"

namespace aec::ir {

// At most this many work items (quads or units) and a weight gradient runs
// as two sample halves instead.
constexpr int64_t kWgHalvesItems = 4;

ConvScratch convScratch(const Graph &g, const Op &op) {
  // The conv's input x (the input gradient: its out) and weight, as the
  // emitter reads them (compiler/codegen/EmitConv.cpp).
  const bool wgrad = op.kind == OpKind::ConvWeightGrad;
  const int x = op.kind == OpKind::ConvInputGrad ? op.out : op.ins[0];
  const int w = wgrad ? op.out : op.ins[1];
  ConvScratch c;
  if (x < 0 || w < 0 || g.tensors[w].dims.empty()) return c; // the verifier reports it
  const Spatial s = spatialOf(g.tensors[x].dims);
  const int64_t Ci = s.c, Co = g.tensors[w].dims[0];
  const int64_t kw = op.kernel, kh = s.oneD ? 1 : op.kernel;
  const int64_t sw = op.stride, sh = s.oneD ? 1 : op.stride;
  const int64_t u = op.factor > 1 && !op.phases ? op.factor : 1; // full-resolution planes
  const int64_t H = s.h * (s.oneD ? 1 : u), W = s.w * u;
  switch (op.kind) {
  case OpKind::Conv:
    c.slotFloats = op.phases ? aec_upconv_fwd_slot(Ci, Co, H, W)
                             : aec_conv_fwd_slot(Ci, Co, H, W, kh, kw, sh, sw);
    break;
  case OpKind::ConvInputGrad:
    c.slotFloats = op.phases ? aec_upconv_bwd_data_slot(Ci, Co, H, W)
                             : aec_conv_bwd_data_slot(Ci, Co, H, W, kh, kw, sh, sw);
    break;
  default:
    c.slotFloats = op.phases       ? aec_upconv_bwd_filter_slot(Ci, Co, H, W)
                   : op.maxpool > 1 ? aec_conv_maxpool_filter_slot(Ci, Co, H, W, kh, kw)
                                    : aec_conv_bwd_filter_slot(Ci, Co, H, W, kh, kw, sh, sw);
    c.sharedFloats = aec_conv_wg_partials(Ci, Co, op.phases ? 16 : kh * kw);
    break;
  }
  // (a fused max pool's weight gradient: output channels, never split)
  const int64_t groups = op.maxpool > 1 ? 1 : aec_conv_wg_groups(Ci, Co), units = Co * groups;
  if (wgrad && op.maxpool <= 1 && units / wgQuad(groups, Co) <= kWgHalvesItems) {
    // Two threads splitting few items would each copy every sample's x
    // planes; fixed halves of the samples copy each once (EmitConv.cpp).
    c.halves = true;
    c.partialFloats = c.sharedFloats;
    c.halfFloats = (g.tensors[w].size() + Co + 15) / 16 * 16; // whole vectors
    c.sharedFloats = 2 * (c.halfFloats + c.partialFloats);
    c.chunk = 1;
    c.slots = 2;
    return c;
  }
  const int64_t items = wgrad ? units : g.maxBatch;
  c.chunk = aec_conv_chunk(items);
  c.slots = (items + c.chunk - 1) / c.chunk;
  return c;
}

int64_t wgQuad(int64_t groups, int64_t Co) { return groups == 1 && Co % 4 == 0 ? 4 : 1; }

int addConvScratch(Graph &g, const Op &op, std::string name) {
  Tensor t;
  t.name = std::move(name);
  t.buffer = Buffer::Workspace;
  t.dims = {convScratch(g, op).floats()};
  return g.addTensor(t);
}

} // namespace aec::ir
