// PyTorch parity of every activation: the kernels' act_forward / act_backward
// (native builds, every vector width) against the values in
// test/numerics/activation_ref.h, and every registry activation has a row.
#include "compiler/registry/Registry.h"
#include "test/numerics/activation_ref.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#ifdef AEC_HAVE_KERNEL_LIBRARY
#include "compiler/kernels/aec_kernel_table.h"
#endif

namespace {

using namespace aec;

const aec_ref_row *rowFor(Activation a) {
  for (const aec_ref_row &r : aec_ref_torch)
    if (r.act == info(a).cValue) return &r;
  return nullptr;
}

std::vector<Activation> allActivations() {
  std::vector<Activation> v;
  for (const std::string &k : activationKeywords()) v.push_back(*activationByKeyword(k));
  return v;
}

TEST(ActivationParity, EveryActivationHasTorchValues) {
  for (Activation a : allActivations()) {
    const aec_ref_row *r = rowFor(a);
    ASSERT_NE(r, nullptr) << activationName(a) << ": add a row to test/numerics/activation_ref.h";
    EXPECT_STREQ(r->name, activationName(a));
    for (int i = 0; i < AEC_REF_POINTS; ++i)
      EXPECT_NEAR(aec_ref_act(r->act, aec_ref_x[i]), r->y[i], 1e-12)
          << activationName(a) << " at " << aec_ref_x[i] << " (the gradcheck reference)";
  }
}

#ifdef AEC_HAVE_KERNEL_LIBRARY
TEST(ActivationParity, KernelsMatchTorch) {
  for (const aec_kernel_table *k : {&aec_kernel_table_vw4, &aec_kernel_table_vw8, &aec_kernel_table_vw16}) {
    for (Activation a : allActivations()) {
      const aec_ref_row *r = rowFor(a);
      ASSERT_NE(r, nullptr);
      float x[AEC_REF_POINTS], y[AEC_REF_POINTS], ones[AEC_REF_POINTS], dx[AEC_REF_POINTS];
      for (int i = 0; i < AEC_REF_POINTS; ++i) x[i] = static_cast<float>(aec_ref_x[i]), ones[i] = 1;
      k->act_forward(0, AEC_REF_POINTS, x, y, r->act);
      // The derivative reads the output or the pre-activation (registry column deriv).
      const float *saved = info(a).deriv == DerivFrom::Input ? x : y;
      k->act_backward(0, AEC_REF_POINTS, saved, ones, dx, r->act);
      for (int i = 0; i < AEC_REF_POINTS; ++i) {
        const double tol = 2e-6 * (1 + std::fabs(r->y[i]));
        EXPECT_NEAR(y[i], r->y[i], tol) << activationName(a) << " vw" << k->vector_width
                                        << " at " << aec_ref_x[i];
        EXPECT_NEAR(dx[i], r->dy[i], 2e-6 * (1 + std::fabs(r->dy[i])))
            << activationName(a) << "' vw" << k->vector_width << " at " << aec_ref_x[i];
      }
    }
  }
}
#endif

} // namespace
