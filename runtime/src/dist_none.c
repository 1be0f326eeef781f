/* One process: aec_dist_* for builds without --distributed (see dist.h). */
#include "dist.h"

int aec_dist_init(void) { return 0; }
int aec_dist_rank(void) { return 0; }
int aec_dist_size(void) { return 1; }
int aec_dist_sum_f32(float *buf, int64_t n) { (void)buf, (void)n; return 0; }
int aec_dist_sum_f64(double *buf, int64_t n) { (void)buf, (void)n; return 0; }
int aec_dist_agree(int status) { return status; }
int aec_dist_same_u64(uint64_t value) { (void)value; return 1; }
double aec_dist_comm_seconds(void) { return 0; }
void aec_dist_abort(int status) { (void)status; }
void aec_dist_finalize(void) {}
