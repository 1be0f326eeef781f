// Named arguments of the dense, noise, batch-norm and VAE kernel calls: one
// struct per kernel signature (compiler/kernels/aec_kernels.h, aec_norm.h),
// whose name() is the kernel and args() lists the fields in the kernel's parameter order. Emitters fill
// the fields by name and pass the struct to Gen::call (the conv kernels share
// one argument tail instead, EmitConv.cpp). Shapes and flags are compile-time
// constants, row ranges and buffers are values; an unset pointer is NULL.
#pragma once

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>

#include <cstdint>
#include <vector>

namespace aec::codegen {

// The kernels' scalar types, for args().
struct ArgTypes {
  llvm::IntegerType *i32, *i64;
  llvm::Type *f32;
  llvm::PointerType *ptr;
  llvm::Value *I64(int64_t v) const { return llvm::ConstantInt::get(i64, v); }
  llvm::Value *I32(int64_t v) const { return llvm::ConstantInt::get(i32, v); }
  llvm::Value *F32(double v) const { return llvm::ConstantFP::get(f32, v); }
  llvm::Value *Ptr(llvm::Value *p) const { return p ? p : llvm::ConstantPointerNull::get(ptr); }
};

using V = llvm::Value *;

// C[m0, m1) = act(accumulate·C + A·opB + bias), times act'(dactY) if set.
// bf16: B is bf16 pairs (aec_gemm_bf16: not transposed, ldb in words, no
// accumulate or derivative).
struct GemmCall {
  bool bf16 = false;
  const char *name() const { return bf16 ? "aec_gemm_bf16" : "aec_gemm"; }
  V m0 = nullptr, m1 = nullptr, cols = nullptr; // rows of C; N
  int64_t K = 0;
  V A = nullptr;
  int64_t lda = 0;
  V B = nullptr;
  int64_t ldb = 0;
  bool transB = false;
  V C = nullptr;
  int64_t ldc = 0;
  bool accumulate = false;
  V bias = nullptr;
  int act = 0;
  V dactY = nullptr;
  int64_t lddy = 0;
  int dact = 0;
  std::vector<V> args(const ArgTypes &t) const {
    if (bf16)
      return {m0, m1, cols, t.I64(K), A, t.I64(lda), B, t.I64(ldb), C, t.I64(ldc), t.Ptr(bias),
              t.I32(act)};
    return {m0,        m1,          cols,      t.I64(K),          A,          t.I64(lda),
            B,         t.I64(ldb),  t.I32(transB), C,             t.I64(ldc), t.I32(accumulate),
            t.Ptr(bias), t.I32(act), t.Ptr(dactY), t.I64(lddy),   t.I32(dact)};
  }
};

// Weight gradient C[k0, k1) (+)= scale · Aᵀ·B over M batch rows.
struct GemmTnCall {
  const char *name() const { return "aec_gemm_tn"; }
  V k0 = nullptr, k1 = nullptr;
  int64_t N = 0;
  V M = nullptr;
  V A = nullptr;
  int64_t lda = 0;
  V B = nullptr;
  int64_t ldb = 0;
  V C = nullptr;
  int64_t ldc = 0;
  double scale = 1.0;
  bool accumulate = false;
  std::vector<V> args(const ArgTypes &t) const {
    return {k0, k1, t.I64(N), M, A, t.I64(lda), B, t.I64(ldb), C, t.I64(ldc), t.F32(scale),
            t.I32(accumulate)};
  }
};

// Bias gradient db[j0, j1) (+)= scale · Σ_{i<M} dZ[i][j].
struct ColsumCall {
  const char *name() const { return "aec_colsum"; }
  V j0 = nullptr, j1 = nullptr, M = nullptr, dZ = nullptr;
  int64_t ldz = 0;
  V db = nullptr;
  double scale = 1.0;
  bool accumulate = false;
  std::vector<V> args(const ArgTypes &t) const {
    return {j0, j1, M, dZ, t.I64(ldz), db, t.F32(scale), t.I32(accumulate)};
  }
};

// out[b, e) = noise(x[b, e)) of the given kind, seeded per element.
struct NoiseCall {
  const char *name() const { return "aec_noise"; }
  V b = nullptr, e = nullptr, x = nullptr, out = nullptr;
  int kind = 0;
  double amount = 0, lo = 0, hi = 0;
  V seed = nullptr;
  std::vector<V> args(const ArgTypes &t) const {
    return {b, e, x, out, t.I32(kind), t.F32(amount), t.F32(lo), t.F32(hi), seed};
  }
};

// Batch norm with batch statistics over channels [c0, c1) of [M][C][S].
struct BnTrainCall {
  const char *name() const { return "aec_bn_train"; }
  V c0 = nullptr, c1 = nullptr, M = nullptr;
  int64_t C = 0, S = 0;
  V x = nullptr, gamma = nullptr, beta = nullptr;
  double eps = 0, momentum = 0;
  V y = nullptr, mean = nullptr, invstd = nullptr, runMean = nullptr, runVar = nullptr;
  std::vector<V> args(const ArgTypes &t) const {
    return {c0,          c1,   M,    t.I64(C), t.I64(S),      x,      gamma,
            beta,        t.F32(eps), t.F32(momentum), y, mean, invstd, runMean, runVar};
  }
};

struct BnBackwardCall {
  const char *name() const { return "aec_bn_backward"; }
  V c0 = nullptr, c1 = nullptr, M = nullptr;
  int64_t C = 0, S = 0;
  V x = nullptr, gamma = nullptr, mean = nullptr, invstd = nullptr, dy = nullptr;
  V dx = nullptr, dgamma = nullptr, dbeta = nullptr;
  bool accumulate = false;
  std::vector<V> args(const ArgTypes &t) const {
    return {c0, c1, M, t.I64(C), t.I64(S), x, gamma, mean, invstd, dy, t.Ptr(dx),
            t.Ptr(dgamma), t.Ptr(dbeta), t.I32(accumulate)};
  }
};

// Inference: scale/shift from the running statistics, then the affine pass.
struct BnFoldCall {
  const char *name() const { return "aec_bn_fold"; }
  int64_t C = 0;
  V gamma = nullptr, beta = nullptr, runMean = nullptr, runVar = nullptr;
  double eps = 0;
  V scale = nullptr, shift = nullptr;
  std::vector<V> args(const ArgTypes &t) const {
    return {t.I64(C), gamma, beta, runMean, runVar, t.F32(eps), scale, shift};
  }
};

struct BnAffineCall {
  const char *name() const { return "aec_bn_affine"; }
  V r0 = nullptr, r1 = nullptr;
  int64_t C = 0, S = 0;
  V x = nullptr, scale = nullptr, shift = nullptr, y = nullptr;
  std::vector<V> args(const ArgTypes &t) const {
    return {r0, r1, t.I64(C), t.I64(S), x, scale, shift, y};
  }
};

// Variational code, rows [r0, r1) of [n][K]: z = mu + exp(logvar/2)·eps;
// returns Σ KL.
struct VaeSampleCall {
  const char *name() const { return "aec_vae_sample"; }
  V r0 = nullptr, r1 = nullptr;
  int64_t K = 0;
  V mu = nullptr, logvar = nullptr, eps = nullptr, z = nullptr;
  std::vector<V> args(const ArgTypes &t) const { return {r0, r1, t.I64(K), mu, logvar, eps, z}; }
};

struct VaeBackwardCall {
  const char *name() const { return "aec_vae_backward"; }
  V r0 = nullptr, r1 = nullptr;
  int64_t K = 0;
  V mu = nullptr, logvar = nullptr, eps = nullptr, dz = nullptr, dmu = nullptr,
    dlogvar = nullptr, w = nullptr;
  std::vector<V> args(const ArgTypes &t) const {
    return {r0, r1, t.I64(K), mu, logvar, eps, t.Ptr(dz), dmu, dlogvar, w};
  }
};

} // namespace aec::codegen
