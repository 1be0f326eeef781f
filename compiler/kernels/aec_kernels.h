/* aec compute kernels: the contract between the kernel library and the code
 * generator.
 *
 * The kernels are written once in C (clang vector extensions), compiled at aec
 * build time to LLVM bitcode (one variant per vector width: 4 = SSE/generic
 * x86-64, 8 = AVX2, 16 = AVX-512), embedded in `aec`, and linked into every
 * generated model module (see KernelLibrary.h). The code generator calls them
 * with constant shapes (only batch-row counts and row ranges are runtime
 * values), marks them internal + alwaysinline and runs O3, so constant
 * propagation specializes every loop.
 *
 * Conventions: matrices are row-major float; `ld*` is the row stride in
 * floats. Row/element ranges [b, e) let the generated code split work over the
 * runtime's thread pool (aec_rt_parallel_for); results never depend on how a
 * range is split, with one exception: aec_gemm ranges of 1 row, or of up to
 * AEC_DOT_ROWS (4) rows with transB, take GEMV / dot-product paths (batch-1
 * inference) that sum in another order, so a caller splitting GEMM rows gives
 * every piece at least one whole register tile (ModuleGen.cpp does).
 * test/unit/kernel_split_test.cpp checks this at every vector width. No kernel
 * allocates memory or calls libc/libm.
 *
 * Activation kinds = enum aec_activation (runtime/include/aec/activations.def):
 *   0 linear, 1 relu, 2 leaky_relu (slope 0.01), 3 sigmoid, 4 tanh, 5 elu (alpha 1),
 *   and any appended there (math: v_act / v_dact in aec_vmath.h).
 * Derivatives are expressed through the activation OUTPUT y:
 *   linear 1, relu y>0, leaky y>0?1:0.01, sigmoid y(1-y), tanh 1-y², elu y>0?1:y+1.
 *
 * Accuracy of the built-in transcendental approximations (float, measured by
 * test/unit/kernels_test.cpp against double libm over the whole useful range):
 *   sigmoid  relative error <= 3e-7 (measured 1.3e-7) for x >= -80; below, < 1e-30
 *   tanh     relative error <= 3e-7 (measured 1.1e-7)
 *   elu      relative error <= 5e-7 (measured 2.3e-7) for x < 0; exact for x > 0
 *   exp (inside sigmoid/elu/bce): Cephes polynomial, ~1 ulp on [-87, 88]; the
 *            argument is clamped to that range (outputs saturate outside)
 *   log (bce loss, noise): Cephes polynomial, ~1 ulp for positive normal inputs
 * NaN inputs propagate to NaN outputs through every activation (so a diverging
 * loss is detected), except relu/leaky_relu derivative masks.
 */
#ifndef AEC_KERNELS_H
#define AEC_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The entry points' signatures and their contracts: aec_kernels.def, one row
 * each (batch norm and the variational code too; the conv kernels are in
 * aec_conv.h). AEC_KERNELS_STATIC (native test/benchmark builds only) defines
 * the entry points with that storage class in one translation unit instead,
 * so no prototypes then. */
#define AEC_KTAIL(...) AEC_KTAIL_(__VA_ARGS__) /* drops the leading comma */
#define AEC_KTAIL_(empty, ...) __VA_ARGS__
#ifndef AEC_KERNELS_STATIC
#define AEC_KPARAM(kind, type, n, init) , type n
#define AEC_KERNEL(ret, fn, Call, params) ret fn(AEC_KTAIL(params));
#include "aec_kernels.def"
#endif

#ifdef __cplusplus
}
#endif

#endif
