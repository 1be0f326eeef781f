// Batch norm (training statistics / folded inference form and the
// gradient) and the variational code's sampling and gradient (issue 7).
#include "compiler/codegen/Gen.h"

namespace aec::codegen {

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
                               Value *p = field(cb, ctx, P0);
                               call(cb, "aec_noise", {i0, i1, p, p, cI32(1), cF32(1.0), cF32(0.0),
                                                      cF32(0.0), field(cb, ctx, I1)});
                             });
      const uint64_t salt = 0xD1B54A32D192ED03ull * static_cast<uint64_t>(op.layer + 1);
      setField(e, P0, eps);
      setField(e, I1, b.CreateXor(e.seed, cI64(static_cast<int64_t>(salt))));
      parallelFor(e, fn, count, 32768);
      Value *kl = call(b, "aec_vae_sample", {cI64(0), e.n, cI64(K), ptrOf(e, op.ins[0]),
                                             ptrOf(e, op.ins[1]), eps, ptrOf(e, op.out)});
      if (!kl) return false;
      addTotal(e, b.CreateFMul(beta, kl));
      return true;
    }
    Value *w = b.CreateFPTrunc(b.CreateFMul(beta, b.CreateFPExt(e.scale, f64)), f32);
    call(b, "aec_vae_backward", {cI64(0), e.n, cI64(K), ptrOf(e, op.ins[1]), ptrOf(e, op.ins[2]),
                                 ptrOf(e, op.ins[3]), ptrOf(e, op.ins[0]), ptrOf(e, op.out),
                                 ptrOf(e, op.out2), w});
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
    if (fwd && !e.seed) { // inference: scale/shift from the running stats, then one affine pass
      const int64_t varD = g_.tensors[op.ins[4]].offset - g_.tensors[op.ins[3]].offset;
      Value *g0 = ptrOf(e, gamma), *st = ptrOf(e, stats), *rm = ptrOf(e, op.ins[3]);
      call(b, "aec_bn_fold", {cI64(Cn), g0, at(b, g0, betaD), rm, at(b, rm, varD),
                              cF32(kBatchNormEps), st, at(b, st, Cn)});
      Function *fn = closure(cname(op, "bn_affine"),
                             [&](IRBuilder<> &cb, Value *ctx, Value *r0, Value *r1) {
                               Value *s = field(cb, ctx, P2);
                               call(cb, "aec_bn_affine", {r0, r1, cI64(Cn), cI64(S),
                                                          field(cb, ctx, P0), s, at(cb, s, Cn),
                                                          field(cb, ctx, P1)});
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
                               call(cb, "aec_bn_train",
                                    {c0, c1, field(cb, ctx, I0), cI64(Cn), cI64(S),
                                     field(cb, ctx, P0), gp, at(cb, gp, betaD),
                                     cF32(kBatchNormEps), cF32(kBatchNormMomentum),
                                     field(cb, ctx, P3), st, at(cb, st, Cn), rm,
                                     at(cb, rm, varD)});
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
    Function *fn = closure(cname(op, "bn_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *c0, Value *c1) {
                             Value *st = field(cb, ctx, P2), *dg = field(cb, ctx, P4);
                             call(cb, "aec_bn_backward",
                                  {c0, c1, field(cb, ctx, I0), cI64(Cn), cI64(S),
                                   field(cb, ctx, P0), field(cb, ctx, P1), st, at(cb, st, Cn),
                                   field(cb, ctx, P3), field(cb, ctx, P5), dg,
                                   dparams ? at(cb, dg, betaD) : null(), cI32(1)});
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
  default:
    break;
  }
  return notHere(op);
}

} // namespace aec::codegen
