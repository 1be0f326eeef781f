/* Reference values of every activation (registry: runtime/include/aec/
 * activations.def), shared by the gradient check (test/numerics/gradcheck.c,
 * double-precision forward) and the PyTorch-parity unit test
 * (test/unit/activation_parity_test.cpp, kernels at every vector width).
 *
 * aec_ref_torch: f(x) and f'(x) at aec_ref_x, computed once with PyTorch
 * 1.13 in float64 (torch.nn.functional.<f>(x) and torch.autograd.grad of its
 * sum; leaky_relu slope 0.01, elu alpha 1) and pasted here.
 * Adding an activation: a case in aec_ref_act and a row below. */
#ifndef AEC_TEST_ACTIVATION_REF_H
#define AEC_TEST_ACTIVATION_REF_H

#include "aec/model_abi.h"

#include <math.h>

static double aec_ref_act(int a, double z) {
  switch (a) {
  case AEC_RELU: return z > 0 ? z : 0;
  case AEC_LEAKY_RELU: return z > 0 ? z : 0.01 * z;
  case AEC_SIGMOID: return 1.0 / (1.0 + exp(-z));
  case AEC_TANH: return tanh(z);
  case AEC_ELU: return z > 0 ? z : exp(z) - 1.0;
  case AEC_SILU: return z / (1.0 + exp(-z));
  default: return z;
  }
}

#define AEC_REF_POINTS 7
static const double aec_ref_x[AEC_REF_POINTS] = {-3.0, -1.5, -0.5, 0.25, 1.0, 2.5, 4.0};

typedef struct aec_ref_row {
  const char *name; /* the registry keyword */
  int act;          /* enum aec_activation */
  double y[AEC_REF_POINTS], dy[AEC_REF_POINTS];
} aec_ref_row;

static const aec_ref_row aec_ref_torch[] = {
    {"linear", AEC_LINEAR, {-3, -1.5, -0.5, 0.25, 1, 2.5, 4}, {1, 1, 1, 1, 1, 1, 1}},
    {"relu", AEC_RELU, {0, 0, 0, 0.25, 1, 2.5, 4}, {0, 0, 0, 1, 1, 1, 1}},
    {"leaky_relu", AEC_LEAKY_RELU,
     {-0.029999999999999999, -0.014999999999999999, -0.0050000000000000001, 0.25, 1, 2.5, 4},
     {0.01, 0.01, 0.01, 1, 1, 1, 1}},
    {"sigmoid", AEC_SIGMOID,
     {0.047425873177566781, 0.18242552380635635, 0.37754066879814541, 0.56217650088579807,
      0.7310585786300049, 0.92414181997875655, 0.98201379003790845},
     {0.045176659730912137, 0.14914645207033286, 0.23500371220159449, 0.24613408273759835,
      0.19661193324148185, 0.070103716545108066, 0.017662706213291107}},
    {"tanh", AEC_TANH,
     {-0.99505475368673046, -0.9051482536448664, -0.46211715726000974, 0.24491866240370913,
      0.76159415595576485, 0.98661429815143031, 0.99932929973906703},
     {0.0098660371654401662, 0.1807066389236486, 0.7864477329659274, 0.94001484880637798,
      0.41997434161402614, 0.02659222668316057, 0.0013409506830259165}},
    {"elu", AEC_ELU,
     {-0.95021293163213605, -0.77686983985157021, -0.39346934028736658, 0.25, 1, 2.5, 4},
     {0.049787068367863944, 0.22313016014842982, 0.60653065971263342, 1, 1, 1, 1}},
    {"silu", AEC_SILU,
     {-0.14227761953270035, -0.27363828570953452, -0.1887703343990727, 0.14054412522144952,
      0.7310585786300049, 2.3103545499468914, 3.9280551601516338},
     {-0.088104106015169617, -0.041294154299142946, 0.26003881269734819, 0.62371002157019773,
      0.92767051187148686, 1.0994011113415267, 1.0526646148910728}},
};

#endif
