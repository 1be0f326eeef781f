// Batch norm (training statistics / folded inference form and the
// gradient), layer norm (per sample) and the variational code's sampling
// and gradient (issue 7).
#include "compiler/codegen/Gen.h"

namespace aec::codegen {

constexpr double kLayerNormEps = AEC_NORM_EPS; // nn.LayerNorm's default

bool Gen::emitNorm(Env &e, const Op &op) {
  IRBuilder<> &b = *e.b;
  switch (op.kind) {
  case OpKind::VaeSample:
  case OpKind::VaeGrad: {
    // Serial: n·K exps, small next to the heads' GEMMs. β is the model's
    // kl_weight global (the runtime ramps it during `kl ... warmup E`).
    const int64_t K = size(op.out);
    Value *beta = b.CreateFPExt(b.CreateLoad(f32, klWeight_), f64);
    if (op.kind == OpKind::VaeSample) {
      Value *eps = ptrOf(e, op.out2);
      Value *count = b.CreateMul(e.n, cI64(K));
      b.CreateMemSet(eps, b.getInt8(0), b.CreateMul(count, cI64(4)), MaybeAlign(4));
      Function *fn = closure(cname(op, "eps"),
                             [&](IRBuilder<> &cb, Value *ctx, Value *i0, Value *i1) {
                               NoiseCall nc; // N(0, 1) draws in place
                               nc.b = i0;
                               nc.e = i1;
                               nc.x = nc.out = field(cb, ctx, P0);
                               nc.kind = 1;
                               nc.amount = 1.0;
                               nc.seed = field(cb, ctx, I1);
                               call(cb, nc);
                             });
      const uint64_t salt = 0xD1B54A32D192ED03ull * static_cast<uint64_t>(op.layer + 1);
      setField(e, P0, eps);
      setField(e, I1, b.CreateXor(e.seed, cI64(static_cast<int64_t>(salt))));
      parallelFor(e, fn, count, 32768);
      VaeSampleCall vs;
      vs.r0 = cI64(0);
      vs.r1 = e.n;
      vs.K = K;
      vs.mu = ptrOf(e, op.ins[0]);
      vs.logvar = ptrOf(e, op.ins[1]);
      vs.eps = eps;
      vs.z = ptrOf(e, op.out);
      Value *kl = call(b, vs);
      if (!kl) return false;
      addTotal(e, b.CreateFMul(beta, kl));
      return true;
    }
    Value *w = b.CreateFPTrunc(b.CreateFMul(beta, b.CreateFPExt(e.scale, f64)), f32);
    VaeBackwardCall vb;
    vb.r0 = cI64(0);
    vb.r1 = e.n;
    vb.K = K;
    vb.mu = ptrOf(e, op.ins[1]);
    vb.logvar = ptrOf(e, op.ins[2]);
    vb.eps = ptrOf(e, op.ins[3]);
    vb.dz = ptrOf(e, op.ins[0]);
    vb.dmu = ptrOf(e, op.out);
    vb.dlogvar = ptrOf(e, op.out2);
    vb.w = w;
    call(b, vb);
    return true;
  }
  case OpKind::BatchNorm:
  case OpKind::BatchNormGrad: {
    // Per channel over [n][C][S]; gamma/beta and the running mean/var are
    // separate params at constant distances (planned offsets).
    const bool fwd = op.kind == OpKind::BatchNorm;
    const int x = fwd ? op.ins[0] : op.ins[1], gamma = fwd ? op.ins[1] : op.ins[2];
    const int64_t Cn = g_.tensors[x].dims[0], S = size(x) / Cn;
    const int stats = fwd ? op.out2 : op.ins[3];
    const int beta = fwd ? op.ins[2] : gamma + 1; // BuildIR adds beta right after gamma
    const int64_t betaD = g_.tensors[beta].offset - g_.tensors[gamma].offset;
    auto at = [&](IRBuilder<> &cb, Value *p, int64_t d) { return cb.CreateConstInBoundsGEP1_64(f32, p, d); };
    // Inference, and training of a frozen batch norm (`encoder from ... freeze`:
    // like PyTorch's eval mode, it normalizes with its running statistics and
    // leaves them as they are): scale/shift from the running stats, then one
    // affine pass.
    if (fwd && (!e.seed || !g_.tensors[gamma].trainable)) {
      const int64_t varD = g_.tensors[op.ins[4]].offset - g_.tensors[op.ins[3]].offset;
      Value *g0 = ptrOf(e, gamma), *st = ptrOf(e, stats), *rm = ptrOf(e, op.ins[3]);
      BnFoldCall fold;
      fold.C = Cn;
      fold.gamma = g0;
      fold.beta = at(b, g0, betaD);
      fold.run_mean = rm;
      fold.run_var = at(b, rm, varD);
      fold.eps = kBatchNormEps;
      fold.scale = st;
      fold.shift = at(b, st, Cn);
      call(b, fold);
      Function *fn = closure(cname(op, "bn_affine"),
                             [&](IRBuilder<> &cb, Value *ctx, Value *r0, Value *r1) {
                               Value *s = field(cb, ctx, P2);
                               BnAffineCall a;
                               a.r0 = r0;
                               a.r1 = r1;
                               a.C = Cn;
                               a.S = S;
                               a.x = field(cb, ctx, P0);
                               a.scale = s;
                               a.shift = at(cb, s, Cn);
                               a.y = field(cb, ctx, P1);
                               call(cb, a);
                             });
      setField(e, P0, ptrOf(e, x));
      setField(e, P1, ptrOf(e, op.out));
      setField(e, P2, st);
      parallelFor(e, fn, e.n, rowChunk(4 * size(x), 1));
      return true;
    }
    if (fwd) {
      const int64_t varD = g_.tensors[op.ins[4]].offset - g_.tensors[op.ins[3]].offset;
      Function *fn = closure(cname(op, "bn_train"),
                             [&](IRBuilder<> &cb, Value *ctx, Value *c0, Value *c1) {
                               Value *gp = field(cb, ctx, P1), *st = field(cb, ctx, P4),
                                     *rm = field(cb, ctx, P5);
                               BnTrainCall t;
                               t.c0 = c0;
                               t.c1 = c1;
                               t.M = field(cb, ctx, I0);
                               t.C = Cn;
                               t.S = S;
                               t.x = field(cb, ctx, P0);
                               t.gamma = gp;
                               t.beta = at(cb, gp, betaD);
                               t.eps = kBatchNormEps;
                               t.momentum = kBatchNormMomentum;
                               t.y = field(cb, ctx, P3);
                               t.mean = st;
                               t.invstd = at(cb, st, Cn);
                               t.run_mean = rm;
                               t.run_var = at(cb, rm, varD);
                               call(cb, t);
                             });
      setField(e, P0, ptrOf(e, x));
      setField(e, P1, ptrOf(e, gamma));
      setField(e, P3, ptrOf(e, op.out));
      setField(e, P4, ptrOf(e, stats));
      setField(e, P5, ptrOf(e, op.ins[3]));
      setField(e, I0, e.n);
      parallelFor(e, fn, cI64(Cn), 1);
      return true;
    }
    const bool dparams = op.out2 >= 0, dinput = op.out >= 0;
    // A frozen batch norm's forward used the running statistics (above), for
    // which this batch-statistics gradient is wrong; autodiff never asks for
    // it (a frozen encoder is the model's first layers, nothing below trains).
    if (!g_.tensors[gamma].trainable)
      return fail("internal error: the gradient through a frozen batch norm `" + g_.tensors[gamma].name + "`");
    Function *fn = closure(cname(op, "bn_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *c0, Value *c1) {
                             Value *st = field(cb, ctx, P2), *dg = field(cb, ctx, P4);
                             BnBackwardCall g;
                             g.c0 = c0;
                             g.c1 = c1;
                             g.M = field(cb, ctx, I0);
                             g.C = Cn;
                             g.S = S;
                             g.x = field(cb, ctx, P0);
                             g.gamma = field(cb, ctx, P1);
                             g.mean = st;
                             g.invstd = at(cb, st, Cn);
                             g.dy = field(cb, ctx, P3);
                             g.dx = field(cb, ctx, P5);
                             g.dgamma = dg;
                             g.dbeta = dparams ? at(cb, dg, betaD) : nullptr;
                             g.accumulate = true;
                             call(cb, g);
                           });
    setField(e, P0, ptrOf(e, x));
    setField(e, P1, ptrOf(e, gamma));
    setField(e, P2, ptrOf(e, stats));
    setField(e, P3, ptrOf(e, op.ins[0]));
    setField(e, P4, dparams ? ptrOf(e, op.out2) : null());
    setField(e, P5, dinput ? ptrOf(e, op.out) : null());
    setField(e, I0, e.n);
    parallelFor(e, fn, cI64(Cn), 1);
    return true;
  }
  case OpKind::LayerNorm: {
    // Rows over threads, the same code in every function.
    const int64_t D = size(op.ins[0]);
    Function *fn = closure(cname(op, "ln"), [&](IRBuilder<> &cb, Value *ctx, Value *r0, Value *r1) {
      LnForwardCall c; // P0..P4: x, gamma, beta, y, stats
      c.r0 = r0, c.r1 = r1, c.D = D, c.eps = kLayerNormEps;
      c.x = field(cb, ctx, P0), c.gamma = field(cb, ctx, P1), c.beta = field(cb, ctx, P2);
      c.y = field(cb, ctx, P3), c.stats = field(cb, ctx, P4);
      call(cb, c);
    });
    setPtrs(e, {op.ins[0], op.ins[1], op.ins[2], op.out, op.out2});
    parallelFor(e, fn, e.n, rowChunk(4 * D, 1));
    return true;
  }
  case OpKind::LayerNormGrad: {
    // dgamma/dbeta over features (each sums the rows in order), then dx over
    // rows, which may overwrite dY in place. P0..P5: dY, x, gamma, stats,
    // dgamma (dbeta at the params' distance), dx.
    const int64_t D = size(op.ins[1]);
    const int gamma = op.ins[2];
    const int64_t betaD = g_.tensors[gamma + 1].offset - g_.tensors[gamma].offset;
    setPtrs(e, {op.ins[0], op.ins[1], gamma, op.ins[3], op.out2, op.out});
    setField(e, I0, e.n);
    if (op.out2 >= 0) {
      auto body = [&](IRBuilder<> &cb, Value *ctx, Value *j0, Value *j1) {
        LnParamGradCall c;
        c.j0 = j0, c.j1 = j1, c.M = field(cb, ctx, I0), c.D = D, c.accumulate = op.accumulate;
        c.dy = field(cb, ctx, P0), c.x = field(cb, ctx, P1), c.stats = field(cb, ctx, P3);
        c.dgamma = field(cb, ctx, P4), c.dbeta = cb.CreateConstInBoundsGEP1_64(f32, c.dgamma, betaD);
        call(cb, c);
      };
      parallelFor(e, closure(cname(op, "ln_param_grad"), body), cI64(D),
                  std::max<int64_t>(32, (1 << 16) / g_.maxBatch));
    }
    if (op.out >= 0) {
      auto body = [&](IRBuilder<> &cb, Value *ctx, Value *r0, Value *r1) {
        LnBackwardCall c;
        c.r0 = r0, c.r1 = r1, c.D = D;
        c.dy = field(cb, ctx, P0), c.x = field(cb, ctx, P1), c.gamma = field(cb, ctx, P2);
        c.stats = field(cb, ctx, P3), c.dx = field(cb, ctx, P5);
        call(cb, c);
      };
      parallelFor(e, closure(cname(op, "ln_grad"), body), e.n, rowChunk(6 * D, 1));
    }
    return true;
  }
  default:
    break;
  }
  return notHere(op);
}

} // namespace aec::codegen
