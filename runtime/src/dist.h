/* Data-parallel training across processes. The rest of the runtime calls
 * only these functions; dist_none.c implements them for one process (linked
 * into libaec_runtime) and dist_mpi.c over MPI (libaec_runtime_mpi, chosen by
 * `aec build --distributed`), so a plain build has no MPI dependency.
 *
 * Every rank runs the same program on the same data with the same seed and
 * takes the same decisions; the only communication is the sum of gradients
 * and losses each step and the agreement on errors (aec_dist_agree). */
#ifndef AEC_DIST_H
#define AEC_DIST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Joins the job (idempotent). 0, or AEC_RT_EINTERNAL with the error set. */
int aec_dist_init(void);
int aec_dist_rank(void);
int aec_dist_size(void);

/* In-place sums over all ranks (all-reduce). */
int aec_dist_sum_f32(float *buf, int64_t n);
int aec_dist_sum_f64(double *buf, int64_t n);

/* The largest `status` of all ranks: a rank whose data, checkpoint or output
 * failed makes every rank stop with the same exit status. */
int aec_dist_agree(int status);

/* 1 if `value` is the same on every rank (weights checksum in debug mode). */
int aec_dist_same_u64(uint64_t value);

/* Seconds spent inside all-reduces so far (for `train` reports and bench). */
double aec_dist_comm_seconds(void);

/* Ends the whole job at once with `status`: for an error only this rank
 * knows about, where waiting for the others could hang. Returns only in a
 * single process. */
void aec_dist_abort(int status);

/* Leaves the job cleanly (all ranks agreed on the outcome). */
void aec_dist_finalize(void);

#ifdef __cplusplus
}
#endif

#endif
