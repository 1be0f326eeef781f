/* Runs one generated model (linked object, -DMODEL=<name>_model) on fixed
 * inputs and parameters and prints everything a peer needs to redo it:
 *   loss <enum aec_loss> input <size> <dims...>
 *   layer <kind> <activation> <out_size> <name> <out dims...>   per layer
 *   tensor <name> <offset> <size> <dims...>           per parameter tensor
 *   param / x <values>                                the initial parameters, the batch
 *   objective <sum over rows>                         accumulate, scale 1/n, seed 7
 *   grad <values>                                     the gradients (train mode)
 *   param_after <values>                              params after accumulate
 *                                                     (batch-norm running stats updated)
 *   out <values>                                      forward (inference) output
 *   eps <values>                  with argv[2] = the model's `aec build --emit=ir`
 *                                 text: a VAE's noise of that step (its pinned
 *                                 `%code.eps` tensor; the offset is read there)
 * A variational model also prints `kl_beta <β>`.
 * Used by torch_parity_model.py (PyTorch parity of train and eval mode). */
#include "aec/model_abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const aec_model MODEL;

void aec_rt_parallel_for(void (*fn)(void *, int64_t, int64_t), void *ctx, int64_t n,
                         int64_t min_chunk) {
  (void)min_chunk;
  if (n <= 0) return;
  int64_t a = n / 3, b = (2 * n) / 3; /* uneven chunks, as gradcheck */
  if (a > 0) fn(ctx, 0, a);
  if (b > a) fn(ctx, a, b);
  fn(ctx, b, n);
}

static uint64_t state = 2024;
static double urand(void) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(state >> 11) / 9007199254740992.0;
}

static void row(const char *tag, const float *v, int64_t n) {
  printf("%s", tag);
  for (int64_t i = 0; i < n; ++i) printf(" %.9g", v[i]);
  printf("\n");
}

int main(int argc, char **argv) {
  const aec_model *m = &MODEL;
  const int64_t n = argc > 1 ? atoi(argv[1]) : m->max_batch, P = m->param_count;
  float *p = calloc(P, 4), *g = calloc(P, 4), *ws = calloc(m->workspace_size, 4);
  float *x = malloc(4 * n * m->input_size);
  printf("loss %d input %lld", m->loss, (long long)m->input_size);
  for (int d = 0; d < m->input_rank; ++d) printf(" %lld", (long long)m->input_dims[d]);
  printf("\n");
  for (int i = 0; i < m->num_layers; ++i) {
    const aec_layer_info *l = &m->layers[i];
    printf("layer %d %d %lld %s", l->kind, l->activation, (long long)l->out_size, l->name);
    for (int d = 0; d < l->out_rank; ++d) printf(" %lld", (long long)l->out_dims[d]);
    printf("\n");
  }
  for (int i = 0; i < m->num_tensors; ++i) {
    const aec_tensor_info *t = &m->tensors[i];
    printf("tensor %s %lld %lld", t->name, (long long)t->offset, (long long)t->size);
    for (int d = 0; d < t->rank; ++d) printf(" %lld", (long long)t->dims[d]);
    printf("\n");
    for (int64_t k = 0; k < t->size; ++k)
      p[t->offset + k] = t->init == AEC_INIT_ONE ? (float)(0.7 + 0.6 * urand())
                                                 : (float)((2 * urand() - 1) * 0.5);
  }
  for (int64_t i = 0; i < n * m->input_size; ++i) x[i] = (float)urand();
  row("param", p, P);
  row("x", x, n * m->input_size);
  float obj = m->accumulate(p, g, ws, x, n, 1.0f / (float)n, 7);
  printf("objective %.9g\n", obj);
  if (m->kl_weight) printf("kl_beta %.9g\n", m->kl_beta);
  if (argc > 2) {
    FILE *ir = fopen(argv[2], "r");
    char line[512];
    long long off = -1;
    while (ir && off < 0 && fgets(line, sizeof line, ir)) {
      const char *at = strchr(line, '@');
      if (strstr(line, "tensor %code.eps ") && at) off = atoll(at + 1);
    }
    if (ir) fclose(ir);
    if (off < 0) {
      fprintf(stderr, "model_dump: no %%code.eps in %s\n", argv[2]);
      return 1;
    }
    row("eps", ws + off, n * m->code_size);
  }
  row("grad", g, P);
  row("param_after", p, P);
  m->forward(p, ws, x, n);
  const aec_layer_info *last = &m->layers[m->num_layers - 1];
  row("out", ws + last->act_offset, n * m->input_size);
  return 0;
}
