// Element-wise ops: input noise, dropout, activations, the loss (+ its fused
// output-activation gradient), the sparsity penalty; and the optimizer update.
#include "compiler/codegen/Gen.h"

namespace aec::codegen {

bool Gen::emitLoss(Env &e, const Op &op, bool withGrad) {
  const int64_t D = size(op.ins[0]);
  Value *y = ptrOf(e, op.ins[0]);
  Value *x = ptrOf(e, op.ins[1]);
  Value *dz = withGrad ? ptrOf(e, op.out) : null();
  if (op.scratch < 0) return fail("loss without a row buffer");
  Value *rows = ptrOf(e, op.scratch);
  const int kind = info(op.loss).kernel;
  const int act = info(op.act).cValue;
  Function *fn = closure(cname(op, withGrad ? "loss_grad" : "loss"),
                         [&](IRBuilder<> &b, Value *ctx, Value *r0, Value *r1) {
                           call(b, "aec_loss",
                                {r0, r1, cI64(D), field(b, ctx, P0), null(), field(b, ctx, P1),
                                 withGrad ? field(b, ctx, P2) : null(), cI32(kind), cI32(act),
                                 field(b, ctx, F0), field(b, ctx, P3)});
                         });
  setField(e, P0, y);
  setField(e, P1, x);
  setField(e, P2, dz);
  setField(e, P3, rows);
  // A VAE's reconstruction term is summed over the D elements (ELBO).
  const double perSample = model_.variational ? static_cast<double>(D) : 1.0;
  setField(e, F0, model_.variational ? e.b->CreateFMul(e.scale, cF32(perSample)) : e.scale);
  parallelFor(e, fn, e.n, rowChunk(4 * D, 1));
  sumRows(e, rows, perSample);
  return true;
}

// The model's input noise as `op` (a noise op, or a dense one with it fused):
// its kind, amount and the salt-and-pepper values (the input range, else
// [0, 1]); the caller sets the elements, buffers and seed.
NoiseCall Gen::inputNoise(const Op &op) const {
  NoiseCall nc;
  nc.kind = info(op.noise).kernel;
  nc.amount = op.amount;
  nc.lo = model_.hasRange ? model_.rangeLo : 0.0;
  nc.hi = model_.hasRange ? model_.rangeHi : 1.0;
  return nc;
}

bool Gen::emitElementwise(Env &e, const Op &op) {
  IRBuilder<> &b = *e.b;
  switch (op.kind) {
  case OpKind::Noise: {
    const int64_t D = size(op.out);
    Function *fn = closure(cname(op, "noise"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *i0, Value *i1) {
                             NoiseCall nc = inputNoise(op);
                             nc.seed = field(cb, ctx, I1);
                             nc.b = i0;
                             nc.e = i1;
                             nc.x = field(cb, ctx, P0);
                             nc.out = field(cb, ctx, P1);
                             call(cb, nc);
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.out));
    setField(e, I1, e.seed);
    parallelFor(e, fn, b.CreateMul(e.n, cI64(D)), 32768);
    return true;
  }
  case OpKind::Dropout:
  case OpKind::DropoutGrad: {
    // One mask per (step seed, layer): forward and backward XOR the same salt.
    const int64_t D = size(op.out);
    const uint64_t salt = 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(op.layer + 1);
    Function *fn = closure(cname(op, "dropout"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *i0, Value *i1) {
                             call(cb, "aec_dropout",
                                  {i0, i1, field(cb, ctx, P0), field(cb, ctx, P1),
                                   cF32(op.amount), field(cb, ctx, I1)});
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.out));
    setField(e, I1, b.CreateXor(e.seed, cI64(static_cast<int64_t>(salt))));
    parallelFor(e, fn, b.CreateMul(e.n, cI64(D)), 32768);
    return true;
  }
  case OpKind::Act:
  case OpKind::ActGrad: {
    const int64_t D = size(op.out);
    const int act = info(op.act).cValue;
    const bool fwd = op.kind == OpKind::Act;
    Function *fn = closure(cname(op, fwd ? "act" : "act_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *i0, Value *i1) {
                             if (fwd)
                               call(cb, "aec_act_forward",
                                    {i0, i1, field(cb, ctx, P0), field(cb, ctx, P2), cI32(act)});
                             else
                               call(cb, "aec_act_backward",
                                    {i0, i1, field(cb, ctx, P1), field(cb, ctx, P0),
                                     field(cb, ctx, P2), cI32(act)});
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    if (!fwd) setField(e, P1, ptrOf(e, op.ins[1]));
    setField(e, P2, ptrOf(e, op.out));
    parallelFor(e, fn, b.CreateMul(e.n, cI64(D)), 32768);
    return true;
  }
  case OpKind::LossActGrad:
    return emitLoss(e, op, true);
  case OpKind::Loss: {
    // Unfused (nothing trainable): the loss value only; needs a row buffer.
    if (op.scratch < 0) return fail("loss without a row buffer");
    return emitLoss(e, op, false);
  }
  case OpKind::Sparsity:
  case OpKind::SparsityGrad: {
    const int64_t W = size(op.ins[0]);
    Value *dC = op.kind == OpKind::SparsityGrad ? ptrOf(e, op.out) : null();
    Value *pen = sparsityCall(e, op, ptrOf(e, op.ins[0]), dC, W, op.scratch);
    if (!pen) return false;
    if (op.kind == OpKind::Sparsity || op.out2Role == ir::Out2::Penalty)
      addTotal(e, b.CreateFMul(b.CreateFPCast(pen, f64), b.CreateSIToFP(e.n, f64)));
    return true;
  }
  default:
    break;
  }
  return notHere(op);
}

bool Gen::emitUpdate(Env &e, const Op &op) {
  switch (op.kind) {
  case OpKind::Adam:
  case OpKind::SGD: {
    const int64_t begin = op.begin, P = g_.paramCount;
    const bool adam = op.kind == OpKind::Adam;
    const bool momentum = !adam && op.momentum != 0;
    Function *fn = closure(opts_.prefix + (adam ? ".adam" : ".sgd"), [&](IRBuilder<> &cb,
                                                                        Value *ctx, Value *i0,
                                                                        Value *i1) {
      Value *b0 = cb.CreateAdd(i0, cI64(begin)), *b1 = cb.CreateAdd(i1, cI64(begin));
      Value *p = field(cb, ctx, P0), *gr = field(cb, ctx, P1), *st = field(cb, ctx, P2);
      if (adam)
        call(cb, "aec_adam",
             {b0, b1, p, gr, st, cb.CreateConstInBoundsGEP1_64(f32, st, P), field(cb, ctx, F0),
              cF32(op.beta1), cF32(op.beta2), cF32(op.eps), cF32(op.l2), field(cb, ctx, I1)});
      else
        call(cb, "aec_sgd",
             {b0, b1, p, gr, momentum ? st : null(), field(cb, ctx, F0), cF32(op.momentum),
              cF32(op.l2)});
    });
    setField(e, P0, e.params);
    setField(e, P1, e.grads);
    setField(e, P2, e.x); // opt_state
    setField(e, F0, e.scale); // lr
    setField(e, I1, e.seed);  // step
    parallelFor(e, fn, cI64(op.count), 32768);
    return true;
  }
  default:
    break;
  }
  return notHere(op);
}

} // namespace aec::codegen
