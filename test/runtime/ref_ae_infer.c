/* `ref_ae_infer W.aew`: loads a checkpoint through libaec_rt_core only and
 * prints, for a fixed input, the code, the reconstruction, a layer output
 * and a decode of the code -- checks the core API end to end. */
#include <stdio.h>

#include "aec/runtime.h"
#include "ref_model.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: ref_ae_infer W.aew\n");
    return 1;
  }
  aec_rt_set_threads(1);
  aec_session *s = aec_rt_create(&ref_ae_model);
  if (!s || aec_rt_load(s, argv[1])) {
    fprintf(stderr, "ref_ae_infer: %s\n", aec_rt_last_error());
    aec_rt_destroy(s);
    return 1;
  }
  enum { N = 3 };
  float x[N * 16], code[N * 4], rec[N * 16], dec[N * 16], l0[N * 8];
  for (int i = 0; i < N * 16; ++i) x[i] = (float)((i * 7) % 16) / 15.0f;
  int rc = aec_rt_encode(s, x, N, code) || aec_rt_reconstruct(s, x, N, rec) ||
           aec_rt_decode(s, code, N, dec) || aec_rt_layer_output(s, 0, x, N, l0);
  if (rc) {
    fprintf(stderr, "ref_ae_infer: %s\n", aec_rt_last_error());
    return 1;
  }
  float maxdiff = 0;
  for (int i = 0; i < N * 16; ++i) {
    float d = rec[i] - dec[i];
    if (d < 0) d = -d;
    if (d > maxdiff) maxdiff = d;
  }
  printf("code0=%.4f,%.4f,%.4f,%.4f\n", code[0], code[1], code[2], code[3]);
  printf("decode_matches_reconstruct=%s\n", maxdiff == 0 ? "yes" : "no");
  printf("layer_size0=%lld\n", (long long)aec_rt_layer_size(s, 0));
  rc = aec_rt_layer_output(s, 9, x, N, l0);
  printf("bad_layer rc=%d: %s\n", rc, aec_rt_last_error());
  aec_rt_destroy(s);
  return 0;
}
