// Dense layers: the fused GEMM (bias, activation, input noise in its
// epilogue/prologue), its input gradient (derivative and the code's sparsity
// folded in), weight and bias gradients. Rows split in whole register tiles.
#include "compiler/codegen/Gen.h"
#include "runtime/include/aec/model_abi.h"

namespace aec::codegen {

// Batch-1 dense layers with at least this many weights split over threads
// (bf16 too: splitting the middle layers of a 784-512-128-32 model as well
// balances the weights between the two cores' L2, measured ~1 us faster).
static constexpr int64_t kSplitGemvMacs = 65536;

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The forward GEMM on the packed weights (B points into the copy, ldb in
// words): the same call without accumulation or a derivative, to the
// format's kernel (aec_gemm_bf16 and aec_gemm_int8 share the signature).
void Gen::callDenseForward(IRBuilder<> &b, const GemmCall &g, bool packed) {
  if (!packed) {
    call(b, g);
    return;
  }
  GemmBf16Call h;
  h.m0 = g.m0;
  h.m1 = g.m1;
  h.N = g.N;
  h.K = g.K;
  h.A = g.A;
  h.lda = g.lda;
  h.Bp = g.B;
  h.ldb = g.ldb;
  h.C = g.C;
  h.ldc = g.ldc;
  h.bias = g.bias;
  h.act = g.act;
  const bool int8 = opts_.weightFormat == WeightFormat::Int8;
  const char *kernel = !int8 ? GemmBf16Call::name()
                       : opts_.vnni ? GemmInt8VnniCall::name()
                                    : GemmInt8Call::name();
  call(b, kernel, h.args(argTypes()));
}

// out[0, j0..j1) of one row over panels [p0, p1) of aec_gemv_panel columns,
// the last panel absorbing the remainder (so every column is summed as the
// whole-row GEMV sums it); pointers as the row closure's (the packed copy
// is words, so a column offset is the same GEP either way).
Function *Gen::gemvColumns(const Op &op, int64_t K, int64_t N, bool hasBias, int act, bool packed) {
  return closure(cname(op, packed ? "dense_columns_packed" : "dense_columns"),
                 [&](IRBuilder<> &cb, Value *ctx, Value *p0, Value *p1) {
    const int64_t P = opts_.gemvPanel, panels = N / P;
    Value *j0 = cb.CreateMul(p0, cI64(P));
    Value *j1 = cb.CreateSelect(cb.CreateICmpEQ(p1, cI64(panels)), cI64(N), cb.CreateMul(p1, cI64(P)));
    auto at = [&](int f) { return cb.CreateInBoundsGEP(f32, field(cb, ctx, f), j0); };
    // (One statement each: the loads stay in field order.)
    Value *cols = cb.CreateSub(j1, j0);
    Value *x = field(cb, ctx, P0);
    Value *w = at(P1);
    Value *out = at(P2);
    Value *bias = hasBias ? at(P3) : nullptr;
    GemmCall g = denseForward(K, x, w, N, false, out, N, bias, act);
    g.m0 = cI64(0);
    g.m1 = cI64(1);
    g.N = cols;
    callDenseForward(cb, g, packed);
  });
}

// out = act(x · w(ᵀ) + bias) (row strides K, ldw and ldo), the GEMM of both
// dense closures; they set the rows and columns.
GemmCall Gen::denseForward(int64_t K, Value *x, Value *w, int64_t ldw, bool transB, Value *out,
                           int64_t ldo, Value *bias, int act) {
  GemmCall g;
  g.K = K;
  g.A = x;
  g.lda = K;
  g.B = w;
  g.ldb = ldw;
  g.transB = transB;
  g.C = out;
  g.ldc = ldo;
  g.bias = bias;
  g.act = act;
  return g;
}

bool Gen::emitDense(Env &e, const Op &op) {
  IRBuilder<> &b = *e.b;
  switch (op.kind) {
  case OpKind::Dense: {
    const int64_t K = size(op.ins[0]), N = size(op.out);
    const bool transB = op.transB;
    const int64_t ldb = transB ? K : N;
    const int act = info(op.act).cValue;
    const bool hasBias = op.ins.size() > 2;
    // Fused input noise (training only: the inference passes read the clean
    // input instead): corrupt this chunk's rows, then multiply them.
    const bool noisy = op.noiseFrom >= 0 && e.seed;
    // --weight-format bf16|int8 in forward/decode_packed (planPacked picked the weights).
    auto copy = e.packed ? packed_.find(op.ins[1]) : packed_.end();
    const bool packed = copy != packed_.end() && !noisy;
    const char *role = noisy ? "noisy_dense" : packed ? "dense_packed" : "dense";
    Function *fn = closure(cname(op, role), [&](IRBuilder<> &cb, Value *ctx, Value *t0,
                                                Value *t1) {
      auto [m0, m1] = tileRows(cb, t0, t1, field(cb, ctx, I0));
      if (noisy) {
        NoiseCall nc = inputNoise(op); // this chunk's rows of the input
        nc.b = cb.CreateMul(m0, cI64(K));
        nc.e = cb.CreateMul(m1, cI64(K));
        nc.x = field(cb, ctx, P4);
        nc.out = field(cb, ctx, P0);
        nc.seed = field(cb, ctx, I1);
        call(cb, nc);
      }
      Value *x = field(cb, ctx, P0);
      Value *w = field(cb, ctx, P1);
      Value *out = field(cb, ctx, P2);
      Value *bias = hasBias ? field(cb, ctx, P3) : nullptr;
      GemmCall g = denseForward(K, x, w, ldb, transB, out, N, bias, act);
      g.m0 = m0;
      g.m1 = m1;
      g.N = cI64(N);
      callDenseForward(cb, g, packed);
    });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, packed ? b.CreateConstInBoundsGEP1_64(i32, e.packed, copy->second.offset)
                         : ptrOf(e, op.ins[1]));
    setField(e, P2, ptrOf(e, op.out));
    if (hasBias) setField(e, P3, ptrOf(e, op.ins[2]));
    if (noisy) {
      setField(e, P4, ptrOf(e, op.noiseFrom));
      setField(e, I1, e.seed);
    }
    setField(e, I0, e.n);
    auto byRows = [&] { parallelFor(e, fn, tiles(b, e.n), tileChunk(rowChunk(N * K, 4))); };
    if (noisy || transB || N < 2 * opts_.gemvPanel || N * K < kSplitGemvMacs) {
      byRows();
      return true;
    }
    // One row (batch-1 inference): the rows cannot split, so the threads
    // take column panels and each core streams its part of the weights.
    Function *f = b.GetInsertBlock()->getParent();
    BasicBlock *one = BasicBlock::Create(C, "gemv", f), *rows = BasicBlock::Create(C, "gemm", f);
    BasicBlock *done = BasicBlock::Create(C, "dense.done", f);
    b.CreateCondBr(b.CreateICmpEQ(e.n, cI64(1)), one, rows);
    b.SetInsertPoint(rows);
    byRows();
    b.CreateBr(done);
    b.SetInsertPoint(one);
    parallelFor(e, gemvColumns(op, K, N, hasBias, act, packed), cI64(N / opts_.gemvPanel),
                ceilDiv(kSplitGemvMacs / 2, K * opts_.gemvPanel));
    b.CreateBr(done);
    b.SetInsertPoint(done);
    return true;
  }
  case OpKind::InputGrad: {
    // out = dZ · Wᵀ (W [in][out], stored [N][K]) or, tied, dZ · W (stored [K][N]).
    const int64_t K = size(op.ins[0]), N = size(op.out);
    const bool kTransB = !op.transB;
    const int64_t ldb = kTransB ? K : N;
    const bool deriv = op.hasDeriv && op.derivAct != Activation::Linear;
    const int dact = deriv ? info(op.derivAct).cValue : 0;
    const bool sparse = op.foldsSparsity;
    Value *out = ptrOf(e, op.out);
    if (sparse) {
      // The penalty's gradient goes in first; the GEMM accumulates onto it
      // and then applies the code activation's derivative to the sum.
      b.CreateMemSet(out, b.getInt8(0), b.CreateMul(e.n, cI64(N * 4)), MaybeAlign(4));
      Value *pen = sparsityCall(e, op, ptrOf(e, op.ins.back()), out, N, op.scratch);
      if (!pen) return false;
      addTotal(e, b.CreateFMul(b.CreateFPCast(pen, f64), b.CreateSIToFP(e.n, f64)));
    }
    // (Closures are shared per layer and role: an accumulating one differs.)
    Function *fn = closure(cname(op, op.accumulate ? "input_grad_acc" : "input_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *t0,
                                                         Value *t1) {
      auto [m0, m1] = tileRows(cb, t0, t1, field(cb, ctx, I0));
      GemmCall g;
      g.m0 = m0;
      g.m1 = m1;
      g.N = cI64(N);
      g.K = K;
      g.A = field(cb, ctx, P0);
      g.lda = K;
      g.B = field(cb, ctx, P1);
      g.ldb = ldb;
      g.transB = kTransB;
      g.C = field(cb, ctx, P2);
      g.ldc = N;
      g.accumulate = sparse || op.accumulate;
      g.dact_y = deriv ? field(cb, ctx, P3) : nullptr;
      g.lddy = deriv ? N : 0;
      g.dact = dact;
      call(cb, g);
    });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.ins[1]));
    setField(e, P2, out);
    if (deriv) setField(e, P3, ptrOf(e, op.ins[2]));
    setField(e, I0, e.n);
    parallelFor(e, fn, tiles(b, e.n), tileChunk(rowChunk(N * K, 4)));
    return true;
  }
  case OpKind::WeightGrad: {
    // C[k][j] += Σ_i A[i][k] B[i][j], split over k.
    const int64_t K = size(op.ins[0]), N = size(op.ins[1]);
    Function *fn = closure(cname(op, "weight_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *t0, Value *t1) {
                             auto [k0, k1] = tileRows(cb, t0, t1, cI64(K));
                             GemmTnCall g;
                             g.k0 = k0;
                             g.k1 = k1;
                             g.N = N;
                             g.M = field(cb, ctx, I0);
                             g.A = field(cb, ctx, P0);
                             g.lda = K;
                             g.B = field(cb, ctx, P1);
                             g.ldb = N;
                             g.C = field(cb, ctx, P2);
                             g.ldc = N;
                             g.accumulate = true;
                             call(cb, g);
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.ins[1]));
    setField(e, P2, ptrOf(e, op.out));
    setField(e, I0, e.n);
    parallelFor(e, fn, cI64(std::max<int64_t>(1, K / opts_.rowTile)),
                tileChunk(rowChunk(N * g_.maxBatch, 4)));
    return true;
  }
  case OpKind::BiasGrad: {
    const int64_t N = size(op.out);
    Function *fn = closure(cname(op, "bias_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *j0, Value *j1) {
                             ColsumCall c;
                             c.j0 = j0;
                             c.j1 = j1;
                             c.M = field(cb, ctx, I0);
                             c.dZ = field(cb, ctx, P0);
                             c.ldz = N;
                             c.db = field(cb, ctx, P1);
                             c.accumulate = true;
                             call(cb, c);
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.out));
    setField(e, I0, e.n);
    // ~64k adds per chunk (the pool's hand-off is a few us): at batch 256 the
    // 512- and 784-wide bias gradients split in two, narrower ones run inline.
    parallelFor(e, fn, cI64(N), std::max<int64_t>(64, (1 << 16) / g_.maxBatch));
    return true;
  }
  default:
    break;
  }
  return notHere(op);
}

} // namespace aec::codegen
