// Inputs for the reference models in the C++ unit tests: n samples of d
// floats, uniform in [0, 1), from the runtime's own RNG so that a seed always
// gives the same batch (runtime_test.cpp, threadpool_test.cpp).
#pragma once

#include "rt_internal.h"

#include <cstdint>
#include <vector>

inline std::vector<float> refBatch(int64_t n, int64_t d, uint64_t seed) {
  aec_rng r;
  aec_rng_seed(&r, seed);
  std::vector<float> x((size_t)(n * d));
  for (auto &v : x) v = aec_rng_uniform(&r);
  return x;
}
