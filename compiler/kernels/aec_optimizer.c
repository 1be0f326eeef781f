/* The fused optimizers, Adam and SGD (with momentum), over a range of
 * parameter elements; each zeroes the gradient it consumed. Training only: a
 * file of its own so that an --inference-only library, which copies just the
 * prebuilt-archive members its model references, carries none of them. See
 * aec_kernels.h for semantics. Like the elementwise kernels, whole vectors
 * plus one partial vector at the end of a range: results are identical
 * whatever the range split. */
#include "aec_kernels.h"
#include "aec_vmath.h"

AEC_INLINE double powi_d(double b, int64_t n) { /* b^n, n >= 0, by squaring */
  double r = 1.0;
  while (n > 0) {
    if (n & 1)
      r *= b;
    b *= b;
    n >>= 1;
  }
  return r;
}

/* The partial vector at the end of a range is stored lane by lane in one loop
 * for all arrays, so that LLVM's loop-idiom pass cannot turn the zeroing of
 * the gradient into a call to memset. */
AEC_INLINE void adam_vec(float *p, float *g, float *m, float *v, int64_t i, int64_t n, float lr_t,
                         float b1, float b2, float eps, float l2, float inv_bc2) {
  int full = n == AEC_VW;
  vf pv = full ? vload(p + i) : vload_part(p + i, n);
  vf gv = full ? vload(g + i) : vload_part(g + i, n);
  vf mv = full ? vload(m + i) : vload_part(m + i, n);
  vf vv = full ? vload(v + i) : vload_part(v + i, n);
  gv = gv + l2 * pv;
  mv = b1 * mv + (1.0f - b1) * gv;
  vv = b2 * vv + (1.0f - b2) * gv * gv;
  pv = pv - lr_t * mv / (__builtin_elementwise_sqrt(vv * inv_bc2) + eps);
  if (full) {
    vstore(p + i, pv);
    vstore(m + i, mv);
    vstore(v + i, vv);
    vstore(g + i, 0.0f);
  } else {
    for (int64_t t = 0; t < n; ++t) {
      p[i + t] = pv[t];
      m[i + t] = mv[t];
      v[i + t] = vv[t];
      g[i + t] = 0.0f;
    }
  }
}

AEC_KAPI void aec_adam(int64_t b, int64_t e, float *p, float *g, float *m, float *v, float lr,
              float beta1, float beta2, float eps, float l2, int64_t step) {
  double bc1 = 1.0 - powi_d((double)beta1, step), bc2 = 1.0 - powi_d((double)beta2, step);
  float lr_t = (float)((double)lr / bc1);
  float inv_bc2 = (float)(1.0 / bc2);
  int64_t i = b;
  for (; i + AEC_VW <= e; i += AEC_VW)
    adam_vec(p, g, m, v, i, AEC_VW, lr_t, beta1, beta2, eps, l2, inv_bc2);
  if (i < e)
    adam_vec(p, g, m, v, i, e - i, lr_t, beta1, beta2, eps, l2, inv_bc2);
}

AEC_INLINE void sgd_vec(float *p, float *g, float *vel, int64_t i, int64_t n, float lr,
                        float momentum, float l2) {
  int full = n == AEC_VW;
  vf pv = full ? vload(p + i) : vload_part(p + i, n);
  vf gv = full ? vload(g + i) : vload_part(g + i, n);
  gv = gv + l2 * pv;
  if (momentum != 0.0f) {
    vf vv = full ? vload(vel + i) : vload_part(vel + i, n);
    vv = momentum * vv + gv;
    gv = vv;
    if (full)
      vstore(vel + i, vv);
    else
      vstore_part(vel + i, vv, n);
  }
  pv = pv - lr * gv;
  if (full) {
    vstore(p + i, pv);
    vstore(g + i, 0.0f);
  } else {
    for (int64_t t = 0; t < n; ++t) { /* one loop: no memset (see adam_vec) */
      p[i + t] = pv[t];
      g[i + t] = 0.0f;
    }
  }
}

AEC_KAPI void aec_sgd(int64_t b, int64_t e, float *p, float *g, float *vel, float lr, float momentum,
             float l2) {
  int64_t i = b;
  for (; i + AEC_VW <= e; i += AEC_VW)
    sgd_vec(p, g, vel, i, AEC_VW, lr, momentum, l2);
  if (i < e)
    sgd_vec(p, g, vel, i, e - i, lr, momentum, l2);
}
