// The code generator's state and the helpers its emitters share: kernel
// calls with argument conversion, closures over the ctx struct, tensor
// pointers, row tiling and the objective's running total. ModuleGen.cpp
// drives it (one LLVM function per IR function list); the op families are
// emitted by EmitDense.cpp, EmitConv.cpp, EmitNorm.cpp and EmitElementwise.cpp,
// the model tables by ModelTables.cpp, the C API by CApi.cpp.
#pragma once

#include "compiler/codegen/ModuleGen.h"
#include "compiler/codegen/DebugInfo.h"
#include "compiler/codegen/KernelCalls.h"
#include "compiler/codegen/ProfileHooks.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>

namespace aec::codegen {

using namespace llvm;
using ir::Buffer;
using ir::Graph;
using ir::Op;
using ir::OpKind;
using ir::Phase;

// ctx struct shared by every closure: six pointers, two i64, two floats.
enum CtxField { P0 = 0, P1, P2, P3, P4, P5, I0 = 6, I1 = 7, F0 = 8, F1 = 9 };

class Gen {
public:
  Gen(const CheckedModel &model, const Graph &g, const ModuleOptions &opts, Module &m)
      : model_(model), g_(g), opts_(opts), M(m), C(m.getContext()) {
    f32 = Type::getFloatTy(C);
    f64 = Type::getDoubleTy(C);
    i32 = Type::getInt32Ty(C);
    i64 = Type::getInt64Ty(C);
    ptr = PointerType::getUnqual(C);
    voidTy = Type::getVoidTy(C);
    ctxTy = StructType::create(C, {ptr, ptr, ptr, ptr, ptr, ptr, i64, i64, f32, f32},
                               opts_.prefix + ".ctx");
    closureTy = FunctionType::get(voidTy, {ptr, i64, i64}, false);
  }

  bool run(std::string &error);

private:
  struct Env {
    IRBuilder<> *b = nullptr;
    Value *params = nullptr, *grads = nullptr, *ws = nullptr, *x = nullptr, *n = nullptr;
    Value *scale = nullptr, *seed = nullptr, *ctx = nullptr, *total = nullptr;
    Value *packed = nullptr; // forward/decode_packed: the packed weight copy
    std::map<int, int> subst; // tensor -> tensor it reads instead (inference: no noise)
    bool inference = false;   // forward / decode: layer outputs the step skips are written
  };

  const CheckedModel &model_;
  const Graph &g_;
  const ModuleOptions &opts_;
  Module &M;
  LLVMContext &C;
  Type *f32, *f64, *i32, *i64, *ptr, *voidTy;
  StructType *ctxTy;
  FunctionType *closureTy;
  std::string error_;
  std::map<std::string, Function *> closures_;
  std::unique_ptr<DebugInfo> di_;         // -g
  std::unique_ptr<ProfileHooks> profile_; // training functions
  int curLayer_ = -1;                     // the layer of the op being emitted
  // --weight-format bf16|int8: each inference dense weight [K][N] (not
  // transposed) as aec_<format>_pack makes it, `offset` words into the copy.
  struct PackedWeight {
    int64_t offset, K, N;
  };
  std::map<int, PackedWeight> packed_; // weight tensor -> its copy
  int64_t packedWords_ = 0;
  Function *weightPack_ = nullptr, *fwdPacked_ = nullptr, *decPacked_ = nullptr;

  SourceLine lineOf(int layer) const {
    return layer >= 0 && layer < static_cast<int>(opts_.layerLines.size()) ? opts_.layerLines[layer]
                                                                           : SourceLine{};
  }

  bool fail(const std::string &m) {
    if (error_.empty()) error_ = m;
    return false;
  }

  Function *kernel(const char *name) {
    Function *f = M.getFunction(name); // defined (inline) or declared (prebuilt kernels)
    if (!f) {
      fail(std::string("kernel library does not define `") + name + "`");
      return nullptr;
    }
    return f;
  }

  // Calls a kernel, converting each argument to the parameter's type.
  Value *call(IRBuilder<> &b, const char *name, std::vector<Value *> args) {
    Function *f = kernel(name);
    if (!f) return nullptr;
    FunctionType *ft = f->getFunctionType();
    if (ft->getNumParams() != args.size()) {
      fail(fmt::format("kernel `{}` takes {} arguments, codegen passes {}", name,
                       ft->getNumParams(), args.size()));
      return nullptr;
    }
    for (unsigned i = 0; i < args.size(); ++i) {
      Type *to = ft->getParamType(i);
      Value *v = args[i];
      if (v->getType() == to) continue;
      if (to->isIntegerTy() && v->getType()->isIntegerTy())
        args[i] = b.CreateSExtOrTrunc(v, to);
      else if (to->isFloatingPointTy() && v->getType()->isFloatingPointTy())
        args[i] = b.CreateFPCast(v, to);
      else {
        fail(fmt::format("kernel `{}`: argument {} has an unexpected type", name, i));
        return nullptr;
      }
    }
    return b.CreateCall(f, args);
  }

  // A kernel call with named arguments (KernelCalls.h).
  template <class Call> Value *call(IRBuilder<> &b, const Call &c) {
    return call(b, c.name(), c.args(argTypes()));
  }
  ArgTypes argTypes() const {
    return ArgTypes{cast<IntegerType>(i32), cast<IntegerType>(i64), f32, cast<PointerType>(ptr)};
  }

  Value *cI64(int64_t v) { return ConstantInt::get(i64, v); }
  Value *cI32(int64_t v) { return ConstantInt::get(i32, v); }
  Value *cF32(double v) { return ConstantFP::get(f32, v); }
  Value *null() { return ConstantPointerNull::get(cast<PointerType>(ptr)); }

  Value *field(IRBuilder<> &b, Value *ctx, int f) {
    return b.CreateLoad(ctxTy->getElementType(f), b.CreateStructGEP(ctxTy, ctx, f));
  }
  void setField(Env &e, int f, Value *v) {
    e.b->CreateStore(v, e.b->CreateStructGEP(ctxTy, e.ctx, f));
  }
  // P0, P1, ... = the tensors' pointers, in order (-1: left unset).
  void setPtrs(Env &e, std::initializer_list<int> tensors) {
    int f = P0;
    for (int t : tensors) {
      if (t >= 0) setField(e, f, ptrOf(e, t));
      ++f;
    }
  }

  // One closure per (op, role), created on first use and shared by every
  // function that runs the op.
  Function *closure(const std::string &name,
                    const std::function<void(IRBuilder<> &, Value *, Value *, Value *)> &body) {
    auto it = closures_.find(name);
    if (it != closures_.end()) return it->second;
    Function *f = Function::Create(closureTy, GlobalValue::InternalLinkage, name, M);
    f->addFnAttr(Attribute::NoUnwind);
    f->getArg(0)->addAttr(Attribute::NoAlias);
    IRBuilder<> b(BasicBlock::Create(C, "entry", f));
    if (di_) di_->setLocation(b, lineOf(curLayer_));
    body(b, f->getArg(0), f->getArg(1), f->getArg(2));
    b.CreateRetVoid();
    closures_[name] = f;
    return f;
  }

  void parallelFor(Env &e, Function *fn, Value *count, int64_t minChunk) {
    FunctionCallee pf = M.getOrInsertFunction(
        "aec_rt_parallel_for", FunctionType::get(voidTy, {ptr, ptr, i64, i64}, false));
    e.b->CreateCall(pf, {fn, e.ctx, count, cI64(std::max<int64_t>(1, minChunk))});
  }

  int64_t size(int t) const { return g_.tensors[t].size(); }

  // Row ranges in whole register tiles: parallel_for runs over tiles
  // [b, e) and the closure turns them into rows [b·T, e·T), the last tile
  // absorbing the remainder (floor(rows/T) tiles, at least one). So a chunk
  // of a split range always has at least T rows: GEMM ranges of 1 row, or up
  // to 4 with transB, sum in another order (aec_kernels.h), and a lone partial
  // tile would make the result depend on the thread count.
  Value *tiles(IRBuilder<> &b, Value *rows) {
    const int64_t T = opts_.rowTile;
    Value *t = b.CreateUDiv(rows, cI64(T));
    return b.CreateSelect(b.CreateICmpULT(t, cI64(1)), cI64(1), t);
  }
  std::pair<Value *, Value *> tileRows(IRBuilder<> &b, Value *t0, Value *t1, Value *rows) {
    const int64_t T = opts_.rowTile;
    Value *r0 = b.CreateMul(t0, cI64(T));
    Value *r1 = b.CreateMul(t1, cI64(T));
    r1 = b.CreateSelect(b.CreateICmpSGT(b.CreateAdd(r1, cI64(T)), rows), rows, r1);
    return {r0, r1};
  }
  int64_t tileChunk(int64_t rows) const {
    return std::max<int64_t>(1, (rows + opts_.rowTile - 1) / opts_.rowTile);
  }

  Value *ptrOf(Env &e, int t) {
    // Substitutions apply through views too (a flatten of a dropout's output
    // reads the dropout's input at inference).
    int s = t;
    for (;;) {
      auto it = e.subst.find(s);
      if (it != e.subst.end()) s = it->second;
      if (g_.tensors[s].aliasOf < 0) break;
      s = g_.tensors[s].aliasOf;
    }
    const ir::Tensor &T = g_.tensors[s];
    Value *base = nullptr;
    switch (T.buffer) {
    case Buffer::Input: return e.x;
    case Buffer::Param: base = e.params; break;
    case Buffer::Grad: base = e.grads; break;
    case Buffer::Workspace: base = e.ws; break;
    case Buffer::Scalar: fail("scalar tensor used as a buffer"); return null();
    }
    if (!base) {
      fail("tensor %" + T.name + " is not available in this function");
      return null();
    }
    return e.b->CreateConstInBoundsGEP1_64(f32, base, T.offset, T.name);
  }

  std::string cname(const Op &op, const char *what) {
    std::string layer = op.layer >= 0 ? model_.layers[op.layer].name : "model";
    return opts_.prefix + "." + what + "." + layer;
  }

  // Rows per chunk so that a chunk is worth a thread handoff (~64k MACs).
  static int64_t rowChunk(int64_t workPerRow, int64_t minRows) {
    int64_t r = (65536 + workPerRow - 1) / std::max<int64_t>(workPerRow, 1);
    return std::max(r, minRows);
  }

  void addTotal(Env &e, Value *v /* double */) {
    e.b->CreateStore(e.b->CreateFAdd(e.b->CreateLoad(f64, e.total), v), e.total);
  }

  // body(i) for i in [from, to), as a loop at the builder's position.
  void forRange(IRBuilder<> &b, Value *from, Value *to, const char *name,
                const std::function<void(Value *)> &body) {
    Function *f = b.GetInsertBlock()->getParent();
    BasicBlock *pre = b.GetInsertBlock();
    BasicBlock *loop = BasicBlock::Create(C, name, f);
    BasicBlock *done = BasicBlock::Create(C, std::string(name) + ".done", f);
    b.CreateCondBr(b.CreateICmpSLT(from, to), loop, done);
    b.SetInsertPoint(loop);
    PHINode *i = b.CreatePHI(i64, 2);
    i->addIncoming(from, pre);
    body(i);
    Value *next = b.CreateAdd(i, cI64(1));
    i->addIncoming(next, b.GetInsertBlock());
    b.CreateCondBr(b.CreateICmpSLT(next, to), loop, done);
    b.SetInsertPoint(done);
  }

  // dst[i] += h[i] + h[stride + i] for i < n, serially: a weight gradient's
  // two sample halves (EmitConv.cpp), in this order at any thread count.
  void addHalves(Env &e, Value *dst, Value *h, int64_t stride, int64_t n) {
    IRBuilder<> &b = *e.b;
    forRange(b, cI64(0), cI64(n), "halves", [&](Value *i) {
      Value *h0 = b.CreateLoad(f32, b.CreateInBoundsGEP(f32, h, i));
      Value *h1 = b.CreateLoad(f32, b.CreateInBoundsGEP(f32, h, b.CreateAdd(i, cI64(stride))));
      Value *d = b.CreateInBoundsGEP(f32, dst, i);
      b.CreateStore(b.CreateFAdd(b.CreateLoad(f32, d), b.CreateFAdd(h0, h1)), d);
    });
  }

  // Σ_{i<n} rows[i] in double, serially (deterministic for any thread count).
  void sumRows(Env &e, Value *rows, double factor = 1.0) {
    IRBuilder<> &b = *e.b;
    Function *f = b.GetInsertBlock()->getParent();
    BasicBlock *pre = b.GetInsertBlock();
    BasicBlock *loop = BasicBlock::Create(C, "rows", f);
    BasicBlock *done = BasicBlock::Create(C, "rows.done", f);
    b.CreateCondBr(b.CreateICmpSGT(e.n, cI64(0)), loop, done);
    b.SetInsertPoint(loop);
    PHINode *i = b.CreatePHI(i64, 2);
    PHINode *acc = b.CreatePHI(f64, 2);
    i->addIncoming(cI64(0), pre);
    acc->addIncoming(ConstantFP::get(f64, 0.0), pre);
    Value *v = b.CreateFPExt(b.CreateLoad(f32, b.CreateInBoundsGEP(f32, rows, i)), f64);
    Value *acc2 = b.CreateFAdd(acc, v);
    Value *i2 = b.CreateAdd(i, cI64(1));
    i->addIncoming(i2, loop);
    acc->addIncoming(acc2, loop);
    b.CreateCondBr(b.CreateICmpSLT(i2, e.n), loop, done);
    b.SetInsertPoint(done);
    PHINode *sum = b.CreatePHI(f64, 2);
    sum->addIncoming(ConstantFP::get(f64, 0.0), pre);
    sum->addIncoming(acc2, loop);
    addTotal(e, factor == 1.0 ? static_cast<Value *>(sum)
                              : b.CreateFMul(sum, ConstantFP::get(f64, factor)));
  }

  Value *sparsityCall(Env &e, const Op &op, Value *code, Value *dC, int64_t width, int scratch) {
    if (op.sparsity == SparsityKind::L1)
      return call(*e.b, "aec_sparsity_l1",
                  {e.n, cI64(width), code, dC, cF32(op.amount), e.scale});
    Value *s = scratch >= 0 ? ptrOf(e, scratch) : nullptr;
    if (!s) {
      fail("kl sparsity without scratch");
      return nullptr;
    }
    return call(*e.b, "aec_sparsity_kl",
                {e.n, cI64(width), code, dC, cF32(op.target), cF32(op.amount), e.scale, s});
  }

  // One emitter per op family (EmitDense.cpp, EmitConv.cpp, EmitNorm.cpp,
  // EmitElementwise.cpp); emitOp dispatches.
  bool emitOp(Env &e, const Op &op);
  // One of Graph::functions' lists; each op at its source line (-g), timed:
  // with the profile hooks around it (the training functions).
  bool emitOps(Env &e, const std::vector<int> &ops, bool timed);
  bool emitStep(Env &e, const Op &op, bool timed);
  bool emitDense(Env &e, const Op &op);
  Function *gemvColumns(const Op &op, int64_t K, int64_t N, bool hasBias, int act, bool packed);
  void callDenseForward(IRBuilder<> &b, const GemmCall &g, bool packed);
  NoiseCall inputNoise(const Op &op) const;
  GemmCall denseForward(int64_t K, Value *x, Value *w, int64_t ldw, bool transB, Value *out,
                        int64_t ldo, Value *bias, int act);
  bool emitConv(Env &e, const Op &op);
  bool emitConvMaxpool(Env &e, const Op &op, std::array<int64_t, 6> geo, int64_t macs);
  bool emitNorm(Env &e, const Op &op);
  bool emitElementwise(Env &e, const Op &op);
  bool emitUpdate(Env &e, const Op &op);
  bool emitLoss(Env &e, const Op &op, bool withGrad);
  bool notHere(const Op &op) {
    return fail(std::string("internal error: no emitter for `") + ir::opKindName(op.kind) + "`");
  }
  Function *defineFunction(const std::string &name, FunctionType *ft);
  // An Env whose members take f's arguments in order, and the closure context.
  Env bindArgs(Function *f, IRBuilder<> &b, std::initializer_list<Value *Env::*> args);
  Function *genForward(bool decodeOnly, bool packed = false);
  void planPacked();
  Function *genWeightPack();
  Function *genAccumulate();
  Function *genUpdate();
  Constant *cstr(const std::string &s, const std::string &name);
  void genModelConstant(Function *fwd, Function *dec, Function *acc, Function *upd);
  void genMain(GlobalVariable *model);
  void genCApi(GlobalVariable *model);
  GlobalVariable *modelVar_ = nullptr;
  GlobalVariable *klWeight_ = nullptr; // β of a VAE's KL term (mutable: kl warm-up)
};

// The printable architecture table of `info` (aec_model.summary).
std::string modelSummary(const CheckedModel &model, const Graph &g);

} // namespace aec::codegen
