/* Shared by the kernel benchmarks (gemm/, conv/): the kernel sources are included with every
 * entry point always_inline, at the width the loader would pick for this target (override
 * with -DAEC_VW), as the code generator specializes them. */
#define AEC_KERNELS_STATIC static inline __attribute__((always_inline))
#ifndef AEC_VW
#if defined(__AVX512F__)
#define AEC_VW 16
#elif defined(__AVX2__) && defined(__FMA__)
#define AEC_VW 8
#else
#define AEC_VW 4
#endif
#endif
