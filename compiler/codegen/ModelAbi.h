// The LLVM mirrors of the model ABI structs (runtime/include/aec/model_abi.h),
// field for field. test/unit/abi_test.cpp checks every offset against
// offsetof of the C struct, so a field added on one side only fails there.
#pragma once

#include <string>

namespace llvm {
class Constant;
class LLVMContext;
class Module;
class StructType;
} // namespace llvm

namespace aec::codegen {

struct ModelAbiTypes {
  llvm::StructType *tensorInfo; // aec_tensor_info
  llvm::StructType *layerInfo;  // aec_layer_info
  llvm::StructType *model;      // aec_model
};

// Creates the named struct types in `context` (once per module).
ModelAbiTypes modelAbiTypes(llvm::LLVMContext &context);

// A `const char *` field's value: `s` as a private NUL-terminated constant.
llvm::Constant *abiString(llvm::Module &M, const std::string &s, const std::string &symbol);

} // namespace aec::codegen
