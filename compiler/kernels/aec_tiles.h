/* Tile sizes per vector width AEC_VW. GEMM's are shared by the kernels
 * (aec_gemm.c) and the code generator, which splits batch rows at multiples of the row
 * tile (aec_gemm_row_tile), the last chunk taking the remainder, so that no
 * chunk is a lone partial tile (few-row ranges sum in another order).
 *
 * Register blocking: MR*NV accumulators + NV B vectors + 1 broadcast must fit
 * the register file (16 ymm/xmm, 32 zmm). AEC_KC: K block; the packed B panel
 * (KC x NR floats, 25 KB) stays in L1 while A rows stream through. 400
 * measured ~5% faster than 256 on Zen 3 for K = 512/784 (one or two blocks
 * instead of two or four C round trips). */
#ifndef AEC_TILES_H
#define AEC_TILES_H

#ifdef AEC_VW
#ifndef AEC_MR
#if AEC_VW >= 16
#define AEC_MR 8
#define AEC_NV 2
#define AEC_KC 192
#else
#define AEC_MR 6
#define AEC_NV 2
#define AEC_KC 400
#endif
#endif
#define AEC_NR (AEC_NV * AEC_VW)

/* Conv register blocks (aec_conv_block.h): 4 output planes x AEC_CONV_J4
 * vectors, single planes x AEC_CONV_J1 (enough independent accumulators to
 * hide the FMA latency; AVX2 has 16 registers). Weight gradient: output
 * channels per group, AVX-512's 32 registers hold 4 x 3 accumulators + 4
 * gradient vectors + x; AVX2's 16 hold 2 x 3 (aec_conv_weight_grad.c). */
#if AEC_VW >= 16
#define AEC_CONV_J4 4
#define AEC_CONV_J1 8
#define AEC_CONV_WG_P 4
#else
#define AEC_CONV_J4 2
#define AEC_CONV_J1 4
#define AEC_CONV_WG_P 2
#endif
/* Weight-gradient blocks up to this size are re-read per tap group, larger
 * ones run the tap groups per sample (measured on Zen 5: 36 KB blocks, 14 x 14
 * planes, run faster re-read; 138 KB, 28 x 28, faster per sample). */
#define AEC_CONV_WG_REREAD_BYTES (64 * 1024)
#endif

/* Vectors per column panel of the batch-1 GEMV (aec_gemm.c): a range of
 * columns starting at a multiple of aec_gemv_panel() sums every output in
 * the same order as the whole row, so batch-1 layers split over threads by
 * panels (codegen) and stay bit-identical. */
#define AEC_GEMV_PANEL_VECTORS 8
static inline int aec_gemv_panel(int vw) { return AEC_GEMV_PANEL_VECTORS * vw; }

/* The largest K of an int8 weight matrix (aec_gemm_int8 keeps its rows'
 * quantized bytes on the stack: at most 4 x 16 KB). */
#define AEC_INT8_MAX_K 16384

/* AEC_MR of the variant with vector width `vw` (4, 8 or 16). */
static inline int aec_gemm_row_tile(int vw) { return vw >= 16 ? 8 : 6; }

#endif
