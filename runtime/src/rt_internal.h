/* Internal declarations shared by the runtime's source files. */
#ifndef AEC_RT_INTERNAL_H
#define AEC_RT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aec/output_path.h"
#include "aec/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors (error.c) ---- */
/* Formats the message into the thread's last-error buffer, returns code. */
int aec_rt_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void aec_rt_clear_error(void);

/* ---- rng (rng.c): xoshiro256** seeded by splitmix64 ---- */
typedef struct aec_rng { uint64_t s[4]; } aec_rng;
void aec_rng_seed(aec_rng *r, uint64_t seed);
uint64_t aec_rng_next(aec_rng *r);
/* uniform in [0, 1) with 24 random bits */
float aec_rng_uniform(aec_rng *r);
/* uniform integer in [0, bound), unbiased */
uint64_t aec_rng_below(aec_rng *r, uint64_t bound);
uint64_t aec_rt_mix64(uint64_t x);
/* A VAE's KL weight β in epoch `epoch` (0-based): kl_beta after the warm-up. */
float aec_rt_kl_beta(const aec_model *m, int64_t epoch);

/* ---- session (session.c) ---- */
/* The training workflow's state (issue 8), checkpointed so that schedules,
 * plateau and early stopping resume exactly. */
typedef struct aec_train_state {
  float base_lr;         /* the learning rate before warm-up and schedule; 0: unset */
  float plateau_scale;   /* product of the plateau factors applied so far */
  int64_t plateau_wait;  /* epochs without improvement since the last reduction */
  double best_val;       /* lowest validation loss so far (+inf: none) */
  int64_t best_epoch;    /* its epoch (1-based), 0 if none */
  int64_t stop_wait;     /* epochs since best_epoch */
} aec_train_state;

struct aec_session {
  const aec_model *model;
  float *params;
  float *grads;     /* NULL for inference-only models */
  float *opt_state; /* opt_slots * param_count floats, NULL if none */
  float *ws;        /* workspace_size floats */
  int64_t step;     /* optimizer steps taken */
  int64_t epoch;    /* completed epochs (CLI bookkeeping, checkpointed) */
  uint64_t seed;
  float lr;
  aec_rng rng;      /* shuffling and per-chunk noise seeds */
  /* issue 8 */
  aec_train_state train;
  float *last_params; /* from a checkpoint whose tensors hold the best epoch: the last epoch's */
  float *best_params; /* early stopping: the best epoch's weights (set by the CLI), or NULL */
  int32_t norm_kind;  /* enum aec_normalize of the stored statistics; 0: none */
  float *norm_shift, *norm_scale; /* x' = (x - shift) * scale, input_size each */
  float *norm_buf;    /* max_batch * input_size */
  int32_t has_threshold;
  float threshold;
  /* --weight-format bf16|int8 (issue 13.4): the packed copy of the dense
   * weights, NULL in other builds; stale once params may have changed
   * (aec_rt_params_changed). */
  uint32_t *packed;
  int32_t packed_on, packed_stale;
};

/* Params were written (load, init, import, an optimizer step, the pointer
 * handed out): the packed copy is remade before the next inference call. */
static inline void aec_rt_params_changed(aec_session *s) { s->packed_stale = 1; }
/* Whether inference runs on the packed copy; remakes it first if stale. */
int aec_rt_packed_sync(aec_session *s);
/* The keyword of an enum aec_weight_format ("f32", "bf16", "int8"). */
const char *aec_rt_weight_format_name(int32_t format);

/* ---- normalization (normalize.c) ---- */
/* The input normalized into s->norm_buf (k <= max_batch rows), or x itself
 * when the session has no statistics. */
const float *aec_norm_input(aec_session *s, const float *x, int64_t k);
/* Outputs back to the input's units, in place (k rows of input_size). */
void aec_norm_output(const aec_session *s, float *out, int64_t k);
/* Nonzero (reported) if the model normalizes but the session has no statistics. */
int aec_norm_require(const aec_session *s);
void aec_norm_clear(aec_session *s);
/* Copies statistics (kind, shift, scale of input_size floats). */
int aec_norm_set(aec_session *s, int32_t kind, const float *shift, const float *scale);
void aec_workflow_state_init(aec_train_state *t);

/* ---- init (init.c) ---- */
int aec_rt_init_params(aec_session *s, uint64_t seed);

/* ---- checkpoints (checkpoint.c) ---- */
/* A parsed checkpoint, all in one owned allocation. */
typedef struct aec_ckpt_tensor {
  char *name;
  int32_t rank;
  int64_t dims[AEC_MAX_RANK];
  int64_t size;
  const unsigned char *data; /* size little-endian floats (maybe unaligned: memcpy) */
  const unsigned char *opt;  /* opt_slots * size floats (slot-major), or NULL */
} aec_ckpt_tensor;

typedef struct aec_ckpt {
  uint32_t version;   /* format version of the file */
  uint64_t arch_hash;
  char *model_name;
  int64_t step, epoch;
  uint64_t seed;
  uint64_t rng[4];
  float lr;
  int32_t optimizer;
  int32_t opt_slots;  /* slots stored per tensor (0: no optimizer state) */
  int32_t num_tensors;
  aec_ckpt_tensor *tensors;
  /* Version 2 sections (issue 8); pointers into blob, NULL if absent. */
  int32_t norm_kind;          /* 0: no statistics */
  int64_t norm_size;
  const unsigned char *norm_shift, *norm_scale; /* norm_size floats each */
  int32_t has_threshold;
  float threshold;
  int32_t has_train_state;
  aec_train_state train;
  int64_t last_size;          /* floats in `last` (the parameter count), 0 if absent */
  const unsigned char *last;  /* the last epoch's parameters, flat */
  void *blob;         /* file contents; tensors point into it */
} aec_ckpt;

int aec_ckpt_read(const char *path, aec_ckpt *out);
void aec_ckpt_free(aec_ckpt *c);
const aec_ckpt_tensor *aec_ckpt_find(const aec_ckpt *c, const char *name);

/* ---- the bounded reader (file_read.c): gzip or plain ---- */
/* A format probe sees the first `len` decompressed bytes (eof: that is all
 * of them) and returns 1 with *total = the whole size the header implies;
 * 0 with *more > len = the header needs more bytes (*more <= len: no
 * header, read everything up to the memory cap); -1 after aec_rt_fail (not
 * this format). */
typedef int (*aec_rt_probe)(void *ctx, const char *path, const unsigned char *head, size_t len, int eof,
                            uint64_t *total, size_t *more);
/* Reads the file, never more than the probe's total (+1 byte, so trailing
 * data shows) or, without a header or probe, the machine's memory. The
 * buffer has a NUL after the data. */
int aec_rt_read_bounded(const char *path, aec_rt_probe probe, void *ctx, unsigned char **data, size_t *size);
int aec_rt_read_file(const char *path, unsigned char **data, size_t *size); /* no probe */
uint64_t aec_rt_memory_cap(void); /* physical memory in bytes */
/* The data-set probe (data_probe.c): IDX or npy by magic, else an error
 * naming the format `ctx` (the file's extension) suggests. */
int aec_data_probe(void *ctx, const char *path, const unsigned char *head, size_t len, int eof, uint64_t *total,
                   size_t *more);

/* ---- data sets (data.c and data_*.c) ---- */
typedef struct aec_dataset {
  float *data;        /* n * sample_size floats */
  int64_t n;
  int64_t sample_size;
  int32_t rank;       /* per-sample shape, as stored in the file */
  int64_t dims[AEC_MAX_RANK];
} aec_dataset;

/* Loads `path` (IDX, npy, CSV, raw float32; see data.c for the sniffing
 * rules) and checks that each sample has `sample_size` elements; `what`
 * names the expected thing in errors ("the model input"). uint8 -> [0,1];
 * NaN/inf are errors. */
int aec_data_load(const char *path, int64_t sample_size, const char *what, aec_dataset *out);
void aec_data_free(aec_dataset *d);
/* Rejects data with values outside [lo, hi] (plus 0.1% of the width),
 * saying how many and where; `what` names the range's owner. */
int aec_data_check_range(const char *path, const aec_dataset *d, float lo, float hi, const char *what);

/* Format parsers: fill d->data/n/rank/dims (n = first dim) from a file's
 * bytes. They return AEC_RT_EUSER with a message naming `path`. */
int aec_data_parse_idx(const char *path, const unsigned char *buf, size_t size, aec_dataset *d);
int aec_data_parse_npy(const char *path, const unsigned char *buf, size_t size, aec_dataset *d);
int aec_data_parse_csv(const char *path, const unsigned char *buf, size_t size,
                       int64_t sample_size, aec_dataset *d);
int aec_data_parse_raw(const char *path, const unsigned char *buf, size_t size,
                       int64_t sample_size, aec_dataset *d);
int aec_data_is_idx(const unsigned char *buf, size_t size);
/* "<path>: <fmt> data is truncated (A bytes of N)" with N = n * per * es
 * computed without wrapping. Returns AEC_RT_EUSER. */
int aec_data_truncated(const char *path, const char *fmt, uint64_t avail, int64_t n, int64_t per, int es);
int aec_data_is_npy(const unsigned char *buf, size_t size);

/* ---- writers ---- */
/* Output files through the guard (aec/output_path.h, output_file.c): a
 * stream on a temp file beside `path`, or NULL with the error set. */
FILE *aec_rt_out_open(aec_out *o, const char *path);
/* Commits the temp file if ok (renamed over the target), else removes it;
 * returns 0 or AEC_RT_EUSER with the error set. */
int aec_rt_out_close(aec_out *o, int ok);
/* float32 C-order .npy, shape [n, dims...] */
int aec_npy_write(const char *path, const float *data, int64_t n, int32_t rank, const int64_t *dims);
/* The .npy v1 header for that array into out (>= 256 bytes); returns its length. */
size_t aec_npy_write_header(unsigned char *out, int64_t n, int32_t rank, const int64_t *dims);
/* Grid of `count` (<= 64) input/reconstruction pairs, 8 per row. */
int aec_png_grid_write(const char *path, const float *inputs, const float *recons, int64_t count,
                       int64_t h, int64_t w, float lo, float hi);

/* ---- thread pool (thread_pool.c) ---- */
#define AEC_MAX_THREADS 256 /* caller included; aec_rt_set_threads clamps to it */

/* ---- ONNX (onnx_write.c, onnx_read.c) ---- */
/* The inference graph with the session's weights (export to a .onnx path). */
int aec_rt_export_onnx(aec_session *s, const char *path);
/* `encoder from "x.onnx"`: the graph's weighted and norm nodes as a checkpoint of the
 * model's encoder tensors (aec layout and names), for the transfer loader. */
int aec_onnx_read_encoder(const char *path, const aec_model *m, aec_ckpt *out);

/* ---- misc ---- */
double aec_rt_now(void); /* monotonic seconds */

#ifdef __cplusplus
}
#endif

#endif
