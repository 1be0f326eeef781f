// Convolutions and pools: forward, input and weight gradients (scratch
// geometry from compiler/kernels/aec_conv.h), pool / upsample and their
// gradients. Split over samples, the weight gradient over output channels.
#include "compiler/codegen/Gen.h"
#include "compiler/kernels/aec_conv.h" // inline geometry helpers only

namespace aec::codegen {

namespace {
// The chunk's slot of a conv op's scratch (ir::convScratch): chunks of the
// op's work items are at least `chunk` long, chunk [begin, ...) uses slot
// begin / chunk, after the shared part.
Value *convSlot(IRBuilder<> &cb, Value *base, Value *begin, const ir::ConvScratch &cs,
                int64_t chunk) {
  Value *slot = cb.CreateMul(cb.CreateUDiv(begin, cb.getInt64(chunk)), cb.getInt64(cs.slotFloats));
  return cb.CreateInBoundsGEP(cb.getFloatTy(), base,
                              cb.CreateAdd(slot, cb.getInt64(cs.sharedFloats)));
}

// The weight gradients hand out whole output channels in quads where 4
// divide them (one input-channel group, ir::wgQuad): the closure's unit
// bounds are then visibly multiples of 4 and the inlined kernel keeps only
// its 4-channel blocks (wg_channels, aec_conv_block.h; issue 13.6). No result
// depends on the split (aec_conv.h).
using ir::wgQuad;

// The units [q * quad, ...) of a closure's item bound q.
Value *wgUnits(IRBuilder<> &cb, Value *q, int64_t quad) {
  return quad == 1 ? q : cb.CreateMul(q, cb.getInt64(quad), "", /*HasNUW=*/true, /*HasNSW=*/true);
}
} // namespace

bool Gen::emitConv(Env &e, const Op &op) {
  IRBuilder<> &b = *e.b;
  switch (op.kind) {
  case OpKind::Conv:
  case OpKind::ConvInputGrad:
  case OpKind::ConvWeightGrad: {
    // Geometry from the conv's input x (dx for the input gradient) and its
    // kernel; 1-D ([C, L]) runs as H = 1 with a 1 x k kernel.
    const bool fwd = op.kind == OpKind::Conv, wgrad = op.kind == OpKind::ConvWeightGrad;
    const int xT = fwd || wgrad ? op.ins[0] : op.out;
    const int wT = wgrad ? op.out : op.ins[1];
    const ir::Spatial s = ir::spatialOf(g_.tensors[xT].dims);
    // A fused upsample: x (the input gradient: its out) is the upsample's
    // input; the conv itself runs at UH x UW times its size.
    const int64_t UW = op.factor > 1 ? op.factor : 1;
    const int64_t UH = s.oneD ? 1 : UW;
    const int64_t Ci = s.c, H = s.h * UH, W = s.w * UW, Co = g_.tensors[wT].dims[0];
    const int64_t KW = op.kernel, KH = s.oneD ? 1 : op.kernel;
    const int64_t SW = op.stride, SH = s.oneD ? 1 : op.stride;
    // Phases (an upsample by 2 before a 3x3 conv, per output phase at the low
    // resolution): the upconv kernels take the upsample's input dims.
    const bool ph = op.phases;
    auto geom = [&](std::vector<Value *> v) {
      if (ph)
        for (int64_t c : {Ci, s.h, s.w, Co}) v.push_back(cI64(c));
      else
        for (int64_t c : {Ci, H, W, Co, KH, KW, SH, SW}) v.push_back(cI64(c));
      return v;
    };
    // Work items run in chunks of at least `chunk` (ir::convScratch: whole
    // slots of scratch), chunk [b, e) in slot b / chunk.
    if (op.scratch < 0) return fail("conv without scratch");
    const ir::ConvScratch cs = ir::convScratch(g_, op);
    const int64_t macs = Ci * H * W * Co * KH * KW / (SH * SW); // strides: at the output size
    const int64_t chunk = std::max(cs.chunk, wgrad ? int64_t(1) : rowChunk(macs, 1));
    // Every conv kernel ends with four pointers (an absent optional one as
    // NULL), an activation kind, the fused upsample (not with phases), the
    // weight gradient's lane sums and its slot of the scratch.
    auto convCallWith = [&](IRBuilder<> &cb, std::vector<Value *> a, const char *kernel,
                            std::array<Value *, 4> ptrs, int act, Value *lanes, Value *slot) {
      a.insert(a.end(), ptrs.begin(), ptrs.end());
      a.push_back(cI32(act));
      if (!ph) {
        a.push_back(cI64(UH));
        a.push_back(cI64(UW));
      }
      if (wgrad) a.push_back(lanes);
      a.push_back(slot);
      call(cb, kernel, a);
    };
    // ... with the pointers P0..P3 and the scratch P4 (the lane sums: its
    // shared part) from ctx.
    auto convCall = [&](IRBuilder<> &cb, Value *ctx, Value *begin, std::vector<Value *> a,
                        const char *kernel, bool withP2, bool withP3, int act) {
      Value *base = field(cb, ctx, P4);
      convCallWith(cb, std::move(a), kernel,
                   {field(cb, ctx, P0), field(cb, ctx, P1), withP2 ? field(cb, ctx, P2) : null(),
                    withP3 ? field(cb, ctx, P3) : null()},
                   act, base, convSlot(cb, base, begin, cs, chunk));
    };
    if (op.maxpool > 1) return emitConvMaxpool(e, op, {Ci, H, W, Co, KH, KW}, macs);
    if (fwd) {
      const bool hasBias = op.ins.size() > 2;
      const int act = info(op.act).cValue;
      Function *fn = closure(cname(op, "conv"), [&](IRBuilder<> &cb, Value *ctx, Value *n0,
                                                    Value *n1) {
        convCall(cb, ctx, n0, geom({n0, n1}), ph ? "aec_upconv_forward" : "aec_conv_forward",
                 hasBias, true, act);
      });
      setPtrs(e, {op.ins[0], op.ins[1], hasBias ? op.ins[2] : -1, op.out, op.scratch});
      parallelFor(e, fn, e.n, chunk);
      return true;
    }
    if (!wgrad) {
      const bool deriv = op.hasDeriv && op.derivAct != Activation::Linear;
      const int dact = deriv ? info(op.derivAct).cValue : 0;
      Function *fn = closure(cname(op, "conv_input_grad"), [&](IRBuilder<> &cb, Value *ctx,
                                                               Value *n0, Value *n1) {
        convCall(cb, ctx, n0, geom({n0, n1}),
                 ph ? "aec_upconv_backward_data" : "aec_conv_backward_data", true, deriv, dact);
      });
      setPtrs(e, {op.ins[0], op.ins[1], op.out, deriv ? op.ins[2] : -1, op.scratch});
      parallelFor(e, fn, e.n, chunk);
      return true;
    }
    // Work units: output channels, each split over input-channel groups
    // when there are few of them (aec_conv_wg_groups).
    const bool hasBias = op.out2Role == ir::Out2::BiasGrad;
    const int64_t groups = aec_conv_wg_groups(Ci, Co), quad = wgQuad(groups, Co);
    const char *kernel = ph ? "aec_upconv_backward_filter" : "aec_conv_backward_filter";
    if (cs.halves) {
      // Few units: each of two fixed sample halves takes all of them into
      // its own gradient (the shared part: half 0, half 1, their lane sums),
      // and the step adds half 0 + half 1 to dw and db. The same halves at
      // any thread count, so no result depends on the threads.
      const int64_t dwN = size(op.out), xs = size(op.ins[0]), ys = size(op.ins[1]);
      Function *fn = closure(cname(op, "conv_weight_grad"), [&](IRBuilder<> &cb, Value *ctx,
                                                                Value *h0, Value *h1) {
        forRange(cb, h0, h1, "halves", [&](Value *h) {
          Value *M = field(cb, ctx, I0), *Mh = cb.CreateUDiv(M, cI64(2));
          Value *first = cb.CreateICmpEQ(h, cI64(0));
          Value *m0 = cb.CreateSelect(first, cI64(0), Mh);
          Value *m1 = cb.CreateSelect(first, Mh, M);
          // the units from ctx, a multiple of quad as the other path's:
          // constant bounds would unroll the unit loop, 4x the code for no speed
          Value *units = wgUnits(cb, field(cb, ctx, I1), quad);
          std::vector<Value *> a = {cI64(0), units, cI64(groups), cb.CreateSub(m1, m0)};
          std::vector<Value *> gm = geom({});
          a.insert(a.end(), gm.begin(), gm.end());
          Value *base = field(cb, ctx, P4);
          auto at = [&](int64_t first, int64_t each) { // base + first + h * each
            return cb.CreateInBoundsGEP(f32, base,
                                        cb.CreateAdd(cI64(first), cb.CreateMul(h, cI64(each))));
          };
          Value *grad = at(0, cs.halfFloats);
          convCallWith(
              cb, a, kernel,
              {cb.CreateInBoundsGEP(f32, field(cb, ctx, P0), cb.CreateMul(m0, cI64(xs))),
               cb.CreateInBoundsGEP(f32, field(cb, ctx, P1), cb.CreateMul(m0, cI64(ys))), grad,
               hasBias ? cb.CreateConstInBoundsGEP1_64(f32, grad, dwN) : null()},
              0 /* this half's own gradient: set, not added */,
              at(2 * cs.halfFloats, cs.partialFloats), at(cs.sharedFloats, cs.slotFloats));
        });
      });
      setPtrs(e, {op.ins[0], op.ins[1], -1, -1, op.scratch});
      setField(e, I0, e.n);
      setField(e, I1, cI64(Co * groups / quad));
      parallelFor(e, fn, cI64(2), 1);
      Value *halves = ptrOf(e, op.scratch);
      addHalves(e, ptrOf(e, op.out), halves, cs.halfFloats, dwN);
      if (hasBias)
        addHalves(e, ptrOf(e, op.out2), b.CreateConstInBoundsGEP1_64(f32, halves, dwN),
                  cs.halfFloats, Co);
      return true;
    }
    Function *fn = closure(cname(op, "conv_weight_grad"), [&](IRBuilder<> &cb, Value *ctx,
                                                              Value *q0, Value *q1) {
      Value *u0 = wgUnits(cb, q0, quad), *u1 = wgUnits(cb, q1, quad);
      std::vector<Value *> a = {u0, u1, cI64(groups), field(cb, ctx, I0)};
      std::vector<Value *> gm = geom({});
      a.insert(a.end(), gm.begin(), gm.end());
      convCall(cb, ctx, u0, a, kernel, true, hasBias, 1 /* accumulate */);
    });
    setPtrs(e, {op.ins[0], op.ins[1], op.out, hasBias ? op.out2 : -1, op.scratch});
    setField(e, I0, e.n);
    parallelFor(e, fn, cI64(Co * groups / quad), (chunk + quad - 1) / quad);
    return true;
  }
  case OpKind::Pool:
  case OpKind::PoolGrad: {
    // Geometry from the layer's input (H, W before pooling / upsampling).
    const bool fwd = op.kind == OpKind::Pool;
    const ir::Spatial s = ir::spatialOf(g_.tensors[op.ins[fwd ? 0 : 1]].dims);
    const int64_t SW = op.factor, SH = s.oneD ? 1 : op.factor;
    const bool deriv = !fwd && op.hasDeriv && op.derivAct != Activation::Linear;
    const int dact = deriv ? info(op.derivAct).cValue : 0;
    Function *fn = closure(cname(op, fwd ? "pool" : "pool_grad"), [&](IRBuilder<> &cb,
                                                                      Value *ctx, Value *n0,
                                                                      Value *n1) {
      std::vector<Value *> a = {n0,      n1,      cI64(s.c),      cI64(s.h),
                                cI64(s.w), cI64(SH), cI64(SW), cI32(static_cast<int>(op.pool))};
      if (fwd) {
        a.push_back(field(cb, ctx, P0));
        a.push_back(field(cb, ctx, P1));
        call(cb, "aec_pool_forward", a);
      } else {
        for (Value *v : {field(cb, ctx, P0), field(cb, ctx, P1), field(cb, ctx, P2),
                         field(cb, ctx, P3), deriv ? field(cb, ctx, P4) : null()})
          a.push_back(v);
        a.push_back(cI32(dact));
        call(cb, "aec_pool_backward", a);
      }
    });
    if (fwd) {
      setField(e, P0, ptrOf(e, op.ins[0]));
      setField(e, P1, ptrOf(e, op.out));
    } else {
      setField(e, P0, ptrOf(e, op.ins[0]));
      setField(e, P1, ptrOf(e, op.ins[1]));
      setField(e, P2, ptrOf(e, op.ins[2]));
      setField(e, P3, ptrOf(e, op.out));
      if (deriv) setField(e, P4, ptrOf(e, op.ins[3]));
    }
    parallelFor(e, fn, e.n, rowChunk(4 * size(op.ins[0]), 1));
    return true;
  }
  default:
    break;
  }
  return notHere(op);
}

// A conv with its act and 2x2 max pool fused (Fusion.cpp): the forward writes
// the pooled output, and the unpooled one where the function reads it (always
// in the inference functions: a layer output; in training for a pool_grad
// that was not fused), or, when training's reader is the fused weight
// gradient, the argmax bytes in its storage; that weight gradient reads the
// pooled gradient, output and argmax, split over output channels.
bool Gen::emitConvMaxpool(Env &e, const Op &op, std::array<int64_t, 6> geo, int64_t macs) {
  const bool fwd = op.kind == OpKind::Conv;
  const ir::ConvScratch cs = ir::convScratch(g_, op);
  const int64_t chunk = std::max(cs.chunk, fwd ? rowChunk(macs, 1) : int64_t(1));
  const int act = info(fwd ? op.act : op.derivAct).cValue;
  const int64_t Co = geo[3];
  auto geom = [&](std::vector<Value *> v) {
    for (int64_t c : geo) v.push_back(cI64(c));
    return v;
  };
  if (fwd) {
    const bool hasBias = op.ins.size() > 2;
    bool full = e.inference && op.out2 >= 0, argmax = false;
    if (!e.inference)
      for (int i : g_.functions.accumulate) {
        const Op &r = g_.ops[static_cast<size_t>(i)];
        for (int in : r.ins)
          if (op.out2 >= 0 && in == op.out2)
            (r.kind == OpKind::ConvWeightGrad && r.maxpool > 1 ? argmax : full) = true;
      }
    if (full && argmax) return fail("internal error: a fused max pool's argmax and unpooled output");
    const char *what = full ? "conv_maxpool_full" : argmax ? "conv_maxpool_arg" : "conv_maxpool";
    Function *fn = closure(cname(op, what), [&](IRBuilder<> &cb, Value *ctx, Value *n0,
                                                Value *n1) {
      std::vector<Value *> a = geom({n0, n1});
      for (int f : {P0, P1, P2, P3})
        a.push_back(f == P2 && !hasBias ? null() : field(cb, ctx, f));
      a.push_back(full ? field(cb, ctx, P4) : null());   // the unpooled output
      a.push_back(argmax ? field(cb, ctx, P4) : null()); // or the argmax in its storage
      a.push_back(cI32(act));
      a.push_back(convSlot(cb, field(cb, ctx, P5), n0, cs, chunk));
      call(cb, "aec_conv_maxpool_forward", a);
    });
    setPtrs(e, {op.ins[0], op.ins[1], hasBias ? op.ins[2] : -1, op.out,
                full || argmax ? op.out2 : -1, op.scratch});
    parallelFor(e, fn, e.n, chunk);
    return true;
  }
  // Seven pointers for six ctx fields: the bias gradient sits at a constant
  // distance from the weight gradient in the same buffer.
  const bool hasDb = op.out2Role == ir::Out2::BiasGrad;
  const ir::Tensor &dw = g_.tensors[op.out];
  if (hasDb && g_.tensors[op.out2].buffer != dw.buffer)
    return fail("internal error: conv bias and weight gradients in different buffers");
  const int64_t dbAt = hasDb ? g_.tensors[op.out2].offset - dw.offset : 0;
  const int64_t quad = wgQuad(1, Co);
  Function *fn = closure(cname(op, "conv_maxpool_weight_grad"), [&](IRBuilder<> &cb, Value *ctx,
                                                                    Value *q0, Value *q1) {
    Value *o0 = wgUnits(cb, q0, quad), *o1 = wgUnits(cb, q1, quad);
    std::vector<Value *> a = geom({o0, o1, field(cb, ctx, I0)});
    for (int f : {P0, P1, P2, P3}) a.push_back(field(cb, ctx, f)); // x, dY, y, argmax
    Value *dwp = field(cb, ctx, P4);
    a.push_back(dwp);
    a.push_back(hasDb ? cb.CreateConstInBoundsGEP1_64(f32, dwp, dbAt) : null());
    a.push_back(cI32(1)); // accumulate
    a.push_back(cI32(act));
    a.push_back(field(cb, ctx, P5)); // the lane sums: the scratch's shared part
    a.push_back(convSlot(cb, field(cb, ctx, P5), o0, cs, chunk));
    call(cb, "aec_conv_maxpool_backward_filter", a);
  });
  setPtrs(e, {op.ins[0], op.ins[1], op.ins[2], op.ins[3], op.out, op.scratch});
  setField(e, I0, e.n);
  parallelFor(e, fn, cI64(Co / quad), (chunk + quad - 1) / quad);
  return true;
}

} // namespace aec::codegen
