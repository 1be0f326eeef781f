// Named arguments of the kernel calls: one struct per kernel signature,
// generated from its row in compiler/kernels/aec_kernels.def (the same row
// gives the C prototype), so fields and args() follow the kernel's parameter
// order and names by construction. name() is the kernel; args() converts the
// fields in order. Emitters fill the fields by name and pass the struct to
// Gen::call (the conv kernels share one argument tail instead, EmitConv.cpp).
// Shapes and flags are compile-time constants, row ranges and buffers are
// values; an unset OPT pointer is NULL.
#pragma once

#include "compiler/kernels/aec_kernels.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>

#include <cstdint>
#include <vector>

namespace aec::codegen {

// The kernels' scalar types, for args().
struct ArgTypes {
  llvm::IntegerType *i32, *i64;
  llvm::Type *f32;
  llvm::PointerType *ptr;
  llvm::Value *I64(int64_t v) const { return llvm::ConstantInt::get(i64, v); }
  llvm::Value *I32(int64_t v) const { return llvm::ConstantInt::get(i32, v); }
  llvm::Value *F32(double v) const { return llvm::ConstantFP::get(f32, v); }
  llvm::Value *Ptr(llvm::Value *p) const { return p ? p : llvm::ConstantPointerNull::get(ptr); }
};

using V = llvm::Value *;

// The fields (<Call>Fields, a base so that the struct below can list them
// again for args()).
#define AEC_KFIELD_Value V
#define AEC_KFIELD_Opt V
#define AEC_KFIELD_I64 int64_t
#define AEC_KFIELD_Int int
#define AEC_KFIELD_F32 double
#define AEC_KPARAM(kind, type, n, init) AEC_KFIELD_##kind n = init;
#define AEC_KERNEL(ret, fn, Call, params)                                                  \
  struct Call##Fields {                                                                    \
    params                                                                                 \
  };
#include "compiler/kernels/aec_kernels.def"
#undef AEC_KFIELD_Value
#undef AEC_KFIELD_Opt
#undef AEC_KFIELD_I64
#undef AEC_KFIELD_Int
#undef AEC_KFIELD_F32

// The call: its kernel and the fields converted in parameter order.
#define AEC_KARG_Value(n) n
#define AEC_KARG_Opt(n) t.Ptr(n)
#define AEC_KARG_I64(n) t.I64(n)
#define AEC_KARG_Int(n) t.I32(n)
#define AEC_KARG_F32(n) t.F32(n)
#define AEC_KPARAM(kind, type, n, init) , AEC_KARG_##kind(n)
#define AEC_KERNEL(ret, fn, Call, params)                                                  \
  struct Call : Call##Fields {                                                             \
    static const char *name() { return #fn; }                                              \
    std::vector<V> args(const ArgTypes &t) const { return {AEC_KTAIL(params)}; }           \
  };
#include "compiler/kernels/aec_kernels.def"
#undef AEC_KARG_Value
#undef AEC_KARG_Opt
#undef AEC_KARG_I64
#undef AEC_KARG_Int
#undef AEC_KARG_F32

} // namespace aec::codegen
