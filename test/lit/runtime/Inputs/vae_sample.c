/* The C API of a variational model: <M>_sample decodes seeded draws from
 * N(0, I): the same seed gives the same samples, another seed others. */
#include "vae_lib.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  vae_lib_session *s = vae_lib_create();
  static float a[4 * vae_lib_INPUT_SIZE], b[4 * vae_lib_INPUT_SIZE], c[4 * vae_lib_INPUT_SIZE];
  if (!s || vae_lib_sample(s, 4, 7, a) || vae_lib_sample(s, 4, 7, b) || vae_lib_sample(s, 4, 8, c)) {
    fprintf(stderr, "sample: %s\n", vae_lib_last_error());
    return 1;
  }
  printf("same seed: %s\n", memcmp(a, b, sizeof a) ? "different" : "equal");
  printf("other seed: %s\n", memcmp(a, c, sizeof a) ? "different" : "equal");
  vae_lib_destroy(s);
  return 0;
}
