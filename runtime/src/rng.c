/* Deterministic RNG: xoshiro256** seeded through splitmix64. Its 256-bit
 * state is checkpointed so a resumed run continues the same sequence. */
#include "rt_internal.h"

uint64_t aec_rt_mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void aec_rng_seed(aec_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; ++i) {
    x += 0x9e3779b97f4a7c15ull;
    r->s[i] = aec_rt_mix64(x);
  }
  if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1; /* never all zero */
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t aec_rng_next(aec_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

float aec_rng_uniform(aec_rng *r) {
  return (float)(aec_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

uint64_t aec_rng_below(aec_rng *r, uint64_t bound) {
  if (bound <= 1) return 0;
  /* rejection sampling: no modulo bias */
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x;
  do x = aec_rng_next(r); while (x >= limit);
  return x % bound;
}
