/* The aec runtime's public C API. Generated code (the exe's `main` and the
 * `--emit=lib` wrappers M_create, M_encode, ...) calls these generic
 * functions with its `const aec_model`; everything model-specific goes
 * through the kernels in model_abi.h.
 *
 * Two static libraries implement it:
 *   libaec_rt_core.a  sessions, weight init, checkpoints, encode/decode/
 *                     reconstruct/layer_output, thread pool, data readers.
 *                     No training symbol: enough for --inference-only libs.
 *   libaec_runtime.a  core + training (train_step, set_lr) + the generated
 *                     executable's command line (aec_rt_main).
 *
 * Conventions: functions returning int return 0 on success and nonzero on
 * error (AEC_RT_EUSER for bad input: wrong sizes, missing or bad files;
 * AEC_RT_EINTERNAL for out of memory and the like). The message is in
 * aec_rt_last_error() (per thread, valid until the next failing call on the
 * same thread). Nothing aborts. Batches larger than aec_model.max_batch are
 * split into chunks internally, so n may be any value >= 1.
 * A session is not safe to use from several threads at once; separate
 * sessions are independent. */
#ifndef AEC_RUNTIME_H
#define AEC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "aec/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AEC_RT_OK 0
#define AEC_RT_EUSER 1     /* user error: bad argument, file, data or checkpoint */
#define AEC_RT_EINTERNAL 2 /* internal error: out of memory, I/O failure, ... */

typedef struct aec_session aec_session;

/* ---- core (libaec_rt_core) ------------------------------------------- */

/* Allocates params, grads and optimizer state (unless the model is
 * inference-only) and the workspace; initializes every tensor from
 * model->seed by its init kind (kaiming/xavier uniform, zero) and loads the
 * from_pretrained tensors from model->pretrained_path by name (dims checked).
 * Returns NULL on error (message in aec_rt_last_error()). */
aec_session *aec_rt_create(const aec_model *model);
void aec_rt_destroy(aec_session *s);

/* Re-initializes the weights (as aec_rt_create, pretrained tensors
 * included) from `seed`, zeroes optimizer state and step/epoch, and seeds
 * the session RNG (shuffling, input noise) from `seed`. */
int aec_rt_reset(aec_session *s, uint64_t seed);

/* Checkpoints (.aew): weights, optimizer state, step, epoch, RNG state.
 * Load refuses another architecture, truncated or corrupted files and
 * non-checkpoints, leaving the session unchanged. Save is atomic (temp file,
 * fsync, rename). */
int aec_rt_load(aec_session *s, const char *path);
int aec_rt_save(aec_session *s, const char *path);

/* Inference. x is [n][input_size], codes are [n][code_size], outputs are
 * row-major and caller-allocated. */
int aec_rt_encode(aec_session *s, const float *x, int64_t n, float *codes);
int aec_rt_decode(aec_session *s, const float *codes, int64_t n, float *out);
/* Variational models: decodes `count` draws from N(0, I) (seeded) into
 * out[count][input_size]; a user error for other models. */
int aec_rt_sample(aec_session *s, int64_t count, uint64_t seed, float *out);
int aec_rt_reconstruct(aec_session *s, const float *x, int64_t n, float *out);
/* Models built with `--weight-format bf16` or `int8` (issue 13.4): that
 * format (their default) runs the inference calls above on a packed copy of
 * the dense weights, made from the f32 weights when they are loaded or
 * changed; "f32" on the f32 weights. Another format is a user error. */
int aec_rt_set_weight_format(aec_session *s, const char *format);
/* The output of layer `layer` (0..num_layers-1), [n][layers[layer].out_size]. */
int aec_rt_layer_output(aec_session *s, int32_t layer, const float *x, int64_t n, float *out);
/* Elements per sample of layer `layer`'s output, or -1 if out of range. */
int64_t aec_rt_layer_size(const aec_session *s, int32_t layer);

/* Thread pool used by aec_rt_parallel_for (declared in model_abi.h):
 * n <= 0 means all cores; 1 runs everything inline on the caller; more
 * than 256 is clamped to 256 (the CLI's --threads refuses it instead).
 * Workers are joined when the runtime is unloaded (exit, dlclose). */
int aec_rt_set_threads(int n);
int aec_rt_get_threads(void);

const char *aec_rt_last_error(void);

/* Weights for NumPy and PyTorch (runtime/README.md): export writes an
 * .npz with one float32 array per tensor, named and laid out as the
 * equivalent torch.nn.Sequential's state_dict (dense weights [out, in]);
 * import reads one back (every tensor, shapes checked; the session changes
 * only if all fit). aec_rt_torch_name gives tensor t's name there.
 * Exporting to a path ending in ".onnx" writes the inference graph (ONNX,
 * opset 13: input "input", outputs "reconstruction" and "code") instead. */
int aec_rt_export(aec_session *s, const char *path);
int aec_rt_import(aec_session *s, const char *path);
int aec_rt_torch_name(const aec_model *model, int32_t t, char *buf, size_t n);

/* Introspection (for tools and tests). */
const aec_model *aec_rt_session_model(const aec_session *s);
float *aec_rt_params(aec_session *s);      /* [model->param_count] */
int64_t aec_rt_step(const aec_session *s);  /* optimizer steps taken */
int64_t aec_rt_epoch(const aec_session *s); /* completed epochs (set by the CLI) */
void aec_rt_set_epoch(aec_session *s, int64_t epoch);
float aec_rt_get_lr(const aec_session *s);

/* Workflow (issue 8). Models with `normalize` take their statistics from
 * the training data: aec_rt_fit_normalization computes them (an error for a
 * column without spread; a no-op for models without `normalize`); they are
 * saved in and loaded from checkpoints, and every entry point normalizes
 * inputs and denormalizes outputs with them.
 * aec_rt_score: each sample's mean squared reconstruction error (input
 * units). aec_rt_threshold: the anomaly threshold stored by `calibrate` (an
 * error if there is none); aec_rt_set_threshold stores one (saved with the
 * next aec_rt_save). */
int aec_rt_fit_normalization(aec_session *s, const float *x, int64_t n);
int aec_rt_score(aec_session *s, const float *x, int64_t n, float *scores);
int aec_rt_threshold(aec_session *s, float *threshold);
int aec_rt_set_threshold(aec_session *s, float threshold);

/* ---- training (libaec_runtime only) ----------------------------------- */

/* One optimizer step over a batch of n samples: chunks of at most max_batch
 * accumulate gradients with scale 1/n (each chunk gets its own input-noise
 * seed from the session RNG), then one update. Returns the mean per-sample
 * objective over the batch. If that is NaN/inf (training diverged) the
 * update is skipped, so the weights stay as they were.
 * On error returns NaN and sets aec_rt_last_error() (which is "" after a
 * successful call); use aec_rt_train_step2 to tell the two apart. */
float aec_rt_train_step(aec_session *s, const float *x, int64_t n);
/* Same, with a status: 0 ok (*loss set, possibly non-finite), else error. */
int aec_rt_train_step2(aec_session *s, const float *x, int64_t n, float *loss);
int aec_rt_set_lr(aec_session *s, float lr);

/* Data-parallel training (a library or executable built with
 * `aec build --distributed`, started by mpirun): every rank calls
 * aec_rt_train_step with the same global batch; each computes its share of
 * it (n/P rows, the first n%P ranks one more), the gradients are summed over
 * the ranks (MPI_Allreduce) and every rank applies the same update, so the
 * weights stay identical. MPI is initialized on first use unless the program
 * already did (and then finalized at exit by whoever initialized it). In a
 * build without --distributed: rank 0 of 1. */
int aec_rt_rank(void);
int aec_rt_ranks(void);

/* The generated executable's command line (DESIGN section 3): train, eval,
 * encode, decode, reconstruct, score, info. Returns the exit status:
 * 0 ok, 1 user error, 2 internal error, 3 training diverged. */
int aec_rt_main(int argc, char **argv, const aec_model *model);

#ifdef __cplusplus
}
#endif

#endif
