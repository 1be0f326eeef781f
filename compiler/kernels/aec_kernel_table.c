/* One native translation unit per vector width (see aec_kernel_table.h):
 * compiled with -DAEC_VW=<w> -DAEC_KERNEL_TABLE_NAME=aec_kernel_table_vw<w>. */
#define AEC_KERNELS_STATIC static
#include "aec_kernel_table.h"
#include "aec_elementwise.c"
#include "aec_optimizer.c"
#include "aec_gemm.c"
#include "aec_gemm_tn.c"
#include "aec_gemm_int8.c"
#include "aec_conv_forward.c"
#include "aec_conv_backward_data.c"
#include "aec_conv_weight_grad.c"
#include "aec_pool.c"
#include "aec_conv_phases.c"

const aec_kernel_table AEC_KERNEL_TABLE_NAME = {
    AEC_VW,        aec_gemm,      aec_gemm_tn,     aec_colsum,      aec_act_forward, aec_act_backward,
    aec_noise,     aec_loss,      aec_sparsity_l1, aec_sparsity_kl, aec_adam,        aec_sgd,
    aec_conv_forward, aec_conv_backward_data, aec_conv_backward_filter, aec_pool_forward,
    aec_pool_backward, aec_conv_maxpool_forward, aec_conv_maxpool_backward_filter,
    aec_upconv_forward, aec_upconv_backward_data, aec_upconv_backward_filter,
    aec_gemm_bf16, aec_bf16_pack, aec_gemm_int8, aec_gemm_int8_vnni, aec_int8_pack,
};
