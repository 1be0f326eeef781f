/* A layer's tensors by name suffix (layer_tensor.c), shared by the ONNX
 * writer and reader: "enc2.weight" is layer enc2's ".weight", "enc3.gamma"
 * its ".gamma". Runtime-internal. */
#ifndef AEC_RT_LAYER_TENSOR_H
#define AEC_RT_LAYER_TENSOR_H

#include <stdint.h>

#include "aec/model_abi.h"

/* The index of layer l's tensor whose name ends in `suffix` (".weight",
 * ".bias", ".gamma", ".running_var"), or -1. */
int32_t aec_rt_layer_tensor(const aec_model *m, int32_t l, const char *suffix);

#endif
