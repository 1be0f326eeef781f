// The kernel unit tests run every test at each natively compiled vector width
// (aec_kernel_table_vw4/8/16): a fixture giving the width's table, and the
// instantiation over all of them, named vw4, vw8, vw16.
#pragma once

#include "compiler/kernels/aec_kernel_table.h"

#include <gtest/gtest.h>

#include <string>

namespace aec::test {

class KernelTableTest : public ::testing::TestWithParam<const aec_kernel_table *> {
protected:
  const aec_kernel_table &k() const { return *GetParam(); }
};

inline std::string kernelTableName(const ::testing::TestParamInfo<const aec_kernel_table *> &info) {
  return "vw" + std::to_string(info.param->vector_width);
}

} // namespace aec::test

// Every test of the fixture `Suite` (a KernelTableTest) at every width.
#define AEC_AT_EVERY_KERNEL_WIDTH(Suite)                                                         \
  INSTANTIATE_TEST_SUITE_P(AllWidths, Suite,                                                      \
                           ::testing::Values(&aec_kernel_table_vw4, &aec_kernel_table_vw8,        \
                                             &aec_kernel_table_vw16),                             \
                           ::aec::test::kernelTableName)
