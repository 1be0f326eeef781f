/* Hand-written reference models implementing the aec_model ABI in plain C
 * (naive loops), used to test the runtime without the code generator. */
#ifndef AEC_REF_MODEL_H
#define AEC_REF_MODEL_H

#include "aec/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 16-8-4-8-16, relu, linear code, sigmoid output, range [0,1], BCE, Adam,
 * gaussian input noise 0.05, l2 1e-5, max_batch 64. */
extern const aec_model ref_ae_model;
/* 12-6-3-6-12, tanh, linear code and output, no range, MSE, SGD with
 * momentum 0.9, no noise, max_batch 16. */
extern const aec_model ref_ae_mse_model;

/* 784-64-16-64-784 ([1,28,28] input), relu, sigmoid, BCE, Adam lr 2e-3,
 * batch 64, max_batch 64: for the Fashion-MNIST subset test. */
extern const aec_model ref_ae_fmnist_model;

#ifdef __cplusplus
}
#endif

#endif
