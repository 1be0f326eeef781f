// IR -> LLVM IR. Each IR op becomes one kernel call (compiler/kernels/
// aec_kernels.h) inside a small closure `void(ctx, begin, end)` that the
// runtime's aec_rt_parallel_for splits over threads. Only pointers, the batch
// row count and runtime scalars travel through the ctx struct; every shape,
// stride and activation is a literal in the closure, so after the kernels are
// inlined, O3 specializes their loops for this model.
#include "compiler/codegen/ModuleGen.h"
#include "compiler/codegen/ModelAbi.h"
#include "compiler/kernels/aec_conv.h" // inline geometry helpers only
#include "runtime/include/aec/model_abi.h"

#include <cstring>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

namespace aec::codegen {

using namespace llvm;
using ir::Buffer;
using ir::Graph;
using ir::Op;
using ir::OpKind;
using ir::Phase;

std::string symbolPrefix(const std::string &modelName) {
  std::string s;
  for (char c : modelName)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "m_" + s;
  return s;
}

std::string modelSummary(const CheckedModel &model, const Graph &g) {
  std::string s = fmt::format("model {}: input {}", model.name, model.input.str());
  if (model.hasRange) s += fmt::format(" range [{}, {}]", model.rangeLo, model.rangeHi);
  s += fmt::format(", code {}, loss {}{}\n", model.codeShape().str(),
                   lossName(model.loss),
                   g.inferenceOnly ? ", inference-only" : "");
  s += fmt::format("  {:<8} {:<8} {:<10} {:<14} {:<14} {:>10}\n", "layer", "kind", "act", "in",
                   "out", "params");
  for (const Layer &l : model.layers) {
    std::string extra;
    if (l.tiedTo >= 0) extra = " tied to " + model.layers[l.tiedTo].name;
    if (l.frozen) extra += " frozen";
    s += fmt::format("  {:<8} {:<8} {:<10} {:<14} {:<14} {:>10}{}\n", l.name,
                     layerKindName(l.kind), activationName(l.activation), l.in.str(), l.out.str(),
                     l.paramCount(), extra);
  }
  s += fmt::format("  total: params={} frozen={}\n", model.trainableParams(),
                   model.frozenParams());
  return s;
}

namespace {

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
    std::map<int, int> subst; // tensor -> tensor it reads instead (inference: no noise)
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

  bool fail(const std::string &m) {
    if (error_.empty()) error_ = m;
    return false;
  }

  Function *kernel(const char *name) {
    Function *f = M.getFunction(name);
    if (!f || f->isDeclaration()) {
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

  bool emitOp(Env &e, const Op &op);
  bool emitLoss(Env &e, const Op &op, bool withGrad);
  Function *defineFunction(const std::string &name, FunctionType *ft);
  Function *genForward(bool decodeOnly);
  Function *genAccumulate();
  Function *genUpdate();
  Constant *cstr(const std::string &s, const std::string &name);
  void genModelConstant(Function *fwd, Function *dec, Function *acc, Function *upd);
  void genMain(GlobalVariable *model);
  void genCApi(GlobalVariable *model);
  GlobalVariable *modelVar_ = nullptr;
  GlobalVariable *klWeight_ = nullptr; // β of a VAE's KL term (mutable: kl warm-up)
};

bool Gen::emitLoss(Env &e, const Op &op, bool withGrad) {
  const int64_t D = size(op.ins[0]);
  Value *y = ptrOf(e, op.ins[0]);
  Value *x = ptrOf(e, op.ins[1]);
  Value *dz = withGrad ? ptrOf(e, op.out) : null();
  if (op.scratch < 0) return fail("loss without a row buffer");
  Value *rows = ptrOf(e, op.scratch);
  const int kind = info(op.loss).kernel;
  const int act = info(op.act).cValue;
  Function *fn = closure(cname(op, withGrad ? "loss_grad" : "loss"),
                         [&](IRBuilder<> &b, Value *ctx, Value *r0, Value *r1) {
                           call(b, "aec_loss",
                                {r0, r1, cI64(D), field(b, ctx, P0), null(), field(b, ctx, P1),
                                 withGrad ? field(b, ctx, P2) : null(), cI32(kind), cI32(act),
                                 field(b, ctx, F0), field(b, ctx, P3)});
                         });
  setField(e, P0, y);
  setField(e, P1, x);
  setField(e, P2, dz);
  setField(e, P3, rows);
  // A VAE's reconstruction term is summed over the D elements (ELBO).
  const double perSample = model_.variational ? static_cast<double>(D) : 1.0;
  setField(e, F0, model_.variational ? e.b->CreateFMul(e.scale, cF32(perSample)) : e.scale);
  parallelFor(e, fn, e.n, rowChunk(4 * D, 1));
  sumRows(e, rows, perSample);
  return true;
}

bool Gen::emitOp(Env &e, const Op &op) {
  IRBuilder<> &b = *e.b;
  switch (op.kind) {
  case OpKind::Reshape:
    return true;
  case OpKind::Dense: {
    const int64_t K = size(op.ins[0]), N = size(op.out);
    const bool transB = op.transB;
    const int64_t ldb = transB ? K : N;
    const int act = info(op.act).cValue;
    const bool hasBias = op.ins.size() > 2;
    // Fused input noise (training only: the inference passes read the clean
    // input instead): corrupt this chunk's rows, then multiply them.
    const bool noisy = op.noiseFrom >= 0 && e.seed;
    const int64_t D = K;
    const int nkind = info(op.noise).kernel;
    const double lo = model_.hasRange ? model_.rangeLo : 0.0;
    const double hi = model_.hasRange ? model_.rangeHi : 1.0;
    Function *fn = closure(cname(op, noisy ? "noisy_dense" : "dense"), [&](IRBuilder<> &cb,
                                                                            Value *ctx, Value *t0,
                                                                            Value *t1) {
      auto [m0, m1] = tileRows(cb, t0, t1, field(cb, ctx, I0));
      if (noisy)
        call(cb, "aec_noise",
             {cb.CreateMul(m0, cI64(D)), cb.CreateMul(m1, cI64(D)), field(cb, ctx, P4),
              field(cb, ctx, P0), cI32(nkind), cF32(op.amount), cF32(lo), cF32(hi),
              field(cb, ctx, I1)});
      call(cb, "aec_gemm",
           {m0, m1, cI64(N), cI64(K), field(cb, ctx, P0), cI64(K), field(cb, ctx, P1), cI64(ldb),
            cI32(transB), field(cb, ctx, P2), cI64(N), cI32(0),
            hasBias ? field(cb, ctx, P3) : null(), cI32(act), null(), cI64(0), cI32(0)});
    });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.ins[1]));
    setField(e, P2, ptrOf(e, op.out));
    if (hasBias) setField(e, P3, ptrOf(e, op.ins[2]));
    if (noisy) {
      setField(e, P4, ptrOf(e, op.noiseFrom));
      setField(e, I1, e.seed);
    }
    setField(e, I0, e.n);
    parallelFor(e, fn, tiles(b, e.n), tileChunk(rowChunk(N * K, 4)));
    return true;
  }
  case OpKind::InputGrad: {
    // out = dZ · Wᵀ (W [in][out], stored [N][K]) or, tied, dZ · W (stored [K][N]).
    const int64_t K = size(op.ins[0]), N = size(op.out);
    const bool kTransB = !op.transB;
    const int64_t ldb = kTransB ? K : N;
    const bool deriv = op.hasDeriv && op.derivAct != Activation::Linear;
    const int dact = deriv ? info(op.derivAct).cValue : 0;
    const bool sparse = op.foldsSparsity;
    Value *out = ptrOf(e, op.out);
    if (sparse) {
      // The penalty's gradient goes in first; the GEMM accumulates onto it
      // and then applies the code activation's derivative to the sum.
      b.CreateMemSet(out, b.getInt8(0), b.CreateMul(e.n, cI64(N * 4)), MaybeAlign(4));
      Value *pen = sparsityCall(e, op, ptrOf(e, op.ins.back()), out, N, op.scratch);
      if (!pen) return false;
      addTotal(e, b.CreateFMul(b.CreateFPCast(pen, f64), b.CreateSIToFP(e.n, f64)));
    }
    // (Closures are shared per layer and role: an accumulating one differs.)
    Function *fn = closure(cname(op, op.accumulate ? "input_grad_acc" : "input_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *t0,
                                                         Value *t1) {
      auto [m0, m1] = tileRows(cb, t0, t1, field(cb, ctx, I0));
      call(cb, "aec_gemm",
           {m0, m1, cI64(N), cI64(K), field(cb, ctx, P0), cI64(K), field(cb, ctx, P1), cI64(ldb),
            cI32(kTransB), field(cb, ctx, P2), cI64(N), cI32(sparse || op.accumulate ? 1 : 0),
            null(), cI32(0),
            deriv ? field(cb, ctx, P3) : null(), cI64(deriv ? N : 0), cI32(dact)});
    });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.ins[1]));
    setField(e, P2, out);
    if (deriv) setField(e, P3, ptrOf(e, op.ins[2]));
    setField(e, I0, e.n);
    parallelFor(e, fn, tiles(b, e.n), tileChunk(rowChunk(N * K, 4)));
    return true;
  }
  case OpKind::WeightGrad: {
    // C[k][j] += Σ_i A[i][k] B[i][j], split over k.
    const int64_t K = size(op.ins[0]), N = size(op.ins[1]);
    Function *fn = closure(cname(op, "weight_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *t0, Value *t1) {
                             auto [k0, k1] = tileRows(cb, t0, t1, cI64(K));
                             call(cb, "aec_gemm_tn",
                                  {k0, k1, cI64(N), field(cb, ctx, I0), field(cb, ctx, P0),
                                   cI64(K), field(cb, ctx, P1), cI64(N), field(cb, ctx, P2),
                                   cI64(N), cF32(1.0), cI32(1)});
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.ins[1]));
    setField(e, P2, ptrOf(e, op.out));
    setField(e, I0, e.n);
    parallelFor(e, fn, cI64(std::max<int64_t>(1, K / opts_.rowTile)),
                tileChunk(rowChunk(N * g_.maxBatch, 4)));
    return true;
  }
  case OpKind::BiasGrad: {
    const int64_t N = size(op.out);
    Function *fn = closure(cname(op, "bias_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *j0, Value *j1) {
                             call(cb, "aec_colsum",
                                  {j0, j1, field(cb, ctx, I0), field(cb, ctx, P0), cI64(N),
                                   field(cb, ctx, P1), cF32(1.0), cI32(1)});
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.out));
    setField(e, I0, e.n);
    // ~64k adds per chunk (the pool's hand-off is a few us): at batch 256 the
    // 512- and 784-wide bias gradients split in two, narrower ones run inline.
    parallelFor(e, fn, cI64(N), std::max<int64_t>(64, (1 << 16) / g_.maxBatch));
    return true;
  }
  case OpKind::Conv:
  case OpKind::ConvInputGrad:
  case OpKind::ConvWeightGrad: {
    // Geometry from the conv's input x (dx for the input gradient) and its
    // kernel; 1-D ([C, L]) runs as H = 1 with a 1 x k kernel.
    const bool fwd = op.kind == OpKind::Conv, wgrad = op.kind == OpKind::ConvWeightGrad;
    const int xT = fwd || wgrad ? op.ins[0] : op.out;
    const int wT = wgrad ? op.out : op.ins[1];
    const ir::Spatial s = ir::spatialOf(g_.tensors[xT].dims);
    // A fused upsample: x (the input gradient: its out) is the upsample's
    // input; the conv itself runs at UH x UW times its size.
    const int64_t UW = op.factor > 1 ? op.factor : 1;
    const int64_t UH = s.oneD ? 1 : UW;
    const int64_t Ci = s.c, H = s.h * UH, W = s.w * UW, Co = g_.tensors[wT].dims[0];
    const int64_t KW = op.kernel, KH = s.oneD ? 1 : op.kernel;
    const int64_t SW = op.stride, SH = s.oneD ? 1 : op.stride;
    auto geom = [&](std::vector<Value *> v) {
      for (int64_t c : {Ci, H, W, Co, KH, KW, SH, SW}) v.push_back(cI64(c));
      return v;
    };
    if (op.scratch < 0) return fail("conv without scratch");
    const int64_t macs = Ci * H * W * Co * KH * KW;
    if (fwd) {
      const bool hasBias = op.ins.size() > 2;
      const int act = info(op.act).cValue;
      Function *fn = closure(cname(op, "conv"), [&](IRBuilder<> &cb, Value *ctx, Value *n0,
                                                    Value *n1) {
        std::vector<Value *> a = geom({n0, n1});
        for (Value *v : {field(cb, ctx, P0), field(cb, ctx, P1),
                         hasBias ? field(cb, ctx, P2) : null(), field(cb, ctx, P3)})
          a.push_back(v);
        a.push_back(cI32(act));
        a.push_back(cI64(UH));
        a.push_back(cI64(UW));
        a.push_back(field(cb, ctx, P4));
        call(cb, "aec_conv_forward", a);
      });
      setField(e, P0, ptrOf(e, op.ins[0]));
      setField(e, P1, ptrOf(e, op.ins[1]));
      if (hasBias) setField(e, P2, ptrOf(e, op.ins[2]));
      setField(e, P3, ptrOf(e, op.out));
      setField(e, P4, ptrOf(e, op.scratch));
      parallelFor(e, fn, e.n, rowChunk(macs, 1));
      return true;
    }
    if (!wgrad) {
      const bool deriv = op.hasDeriv && op.derivAct != Activation::Linear;
      const int dact = deriv ? info(op.derivAct).cValue : 0;
      Function *fn = closure(cname(op, "conv_input_grad"), [&](IRBuilder<> &cb, Value *ctx,
                                                               Value *n0, Value *n1) {
        std::vector<Value *> a = geom({n0, n1});
        for (Value *v : {field(cb, ctx, P0), field(cb, ctx, P1), field(cb, ctx, P2),
                         deriv ? field(cb, ctx, P3) : null()})
          a.push_back(v);
        a.push_back(cI32(dact));
        a.push_back(cI64(UH));
        a.push_back(cI64(UW));
        a.push_back(field(cb, ctx, P4));
        call(cb, "aec_conv_backward_data", a);
      });
      setField(e, P0, ptrOf(e, op.ins[0]));
      setField(e, P1, ptrOf(e, op.ins[1]));
      setField(e, P2, ptrOf(e, op.out));
      if (deriv) setField(e, P3, ptrOf(e, op.ins[2]));
      setField(e, P4, ptrOf(e, op.scratch));
      parallelFor(e, fn, e.n, rowChunk(macs, 1));
      return true;
    }
    // Work units: output channels, each split over input-channel groups
    // when there are few of them (aec_conv_wg_groups).
    const bool hasBias = op.out2Role == ir::Out2::BiasGrad;
    const int64_t groups = aec_conv_wg_groups(Ci, Co);
    Function *fn = closure(cname(op, "conv_weight_grad"), [&](IRBuilder<> &cb, Value *ctx,
                                                              Value *u0, Value *u1) {
      std::vector<Value *> a = {u0, u1, cI64(groups), field(cb, ctx, I0)};
      std::vector<Value *> gm = geom({});
      a.insert(a.end(), gm.begin(), gm.end());
      for (Value *v : {field(cb, ctx, P0), field(cb, ctx, P1), field(cb, ctx, P2),
                       hasBias ? field(cb, ctx, P3) : null()})
        a.push_back(v);
      a.push_back(cI32(1));
      a.push_back(cI64(UH));
      a.push_back(cI64(UW));
      a.push_back(field(cb, ctx, P4));
      call(cb, "aec_conv_backward_filter", a);
    });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.ins[1]));
    setField(e, P2, ptrOf(e, op.out));
    if (hasBias) setField(e, P3, ptrOf(e, op.out2));
    setField(e, P4, ptrOf(e, op.scratch));
    setField(e, I0, e.n);
    parallelFor(e, fn, cI64(Co * groups), 1);
    return true;
  }
  case OpKind::Pool:
  case OpKind::PoolGrad: {
    // Geometry from the layer's input (H, W before pooling / upsampling).
    const bool fwd = op.kind == OpKind::Pool;
    const ir::Spatial s = ir::spatialOf(g_.tensors[op.ins[fwd ? 0 : 1]].dims);
    const int64_t SW = op.factor, SH = s.oneD ? 1 : op.factor;
    const bool deriv = !fwd && op.hasDeriv && op.derivAct != Activation::Linear;
    const int dact = deriv ? info(op.derivAct).cValue : 0;
    Function *fn = closure(cname(op, fwd ? "pool" : "pool_grad"), [&](IRBuilder<> &cb,
                                                                      Value *ctx, Value *n0,
                                                                      Value *n1) {
      std::vector<Value *> a = {n0,      n1,      cI64(s.c),      cI64(s.h),
                                cI64(s.w), cI64(SH), cI64(SW), cI32(static_cast<int>(op.pool))};
      if (fwd) {
        a.push_back(field(cb, ctx, P0));
        a.push_back(field(cb, ctx, P1));
        call(cb, "aec_pool_forward", a);
      } else {
        for (Value *v : {field(cb, ctx, P0), field(cb, ctx, P1), field(cb, ctx, P2),
                         field(cb, ctx, P3), deriv ? field(cb, ctx, P4) : null()})
          a.push_back(v);
        a.push_back(cI32(dact));
        call(cb, "aec_pool_backward", a);
      }
    });
    if (fwd) {
      setField(e, P0, ptrOf(e, op.ins[0]));
      setField(e, P1, ptrOf(e, op.out));
    } else {
      setField(e, P0, ptrOf(e, op.ins[0]));
      setField(e, P1, ptrOf(e, op.ins[1]));
      setField(e, P2, ptrOf(e, op.ins[2]));
      setField(e, P3, ptrOf(e, op.out));
      if (deriv) setField(e, P4, ptrOf(e, op.ins[3]));
    }
    parallelFor(e, fn, e.n, rowChunk(4 * size(op.ins[0]), 1));
    return true;
  }
  case OpKind::Noise: {
    const int64_t D = size(op.out);
    const int kind = info(op.noise).kernel;
    const double lo = model_.hasRange ? model_.rangeLo : 0.0;
    const double hi = model_.hasRange ? model_.rangeHi : 1.0;
    Function *fn = closure(cname(op, "noise"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *i0, Value *i1) {
                             Value *seed = field(cb, ctx, I1);
                             call(cb, "aec_noise",
                                  {i0, i1, field(cb, ctx, P0), field(cb, ctx, P1), cI32(kind),
                                   cF32(op.amount), cF32(lo), cF32(hi), seed});
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.out));
    setField(e, I1, e.seed);
    parallelFor(e, fn, b.CreateMul(e.n, cI64(D)), 32768);
    return true;
  }
  case OpKind::VaeSample:
  case OpKind::VaeGrad: {
    // Serial: n·K exps, small next to the heads' GEMMs. β is the model's
    // kl_weight global (the runtime ramps it during `kl ... warmup E`).
    const int64_t K = size(op.out);
    Value *beta = b.CreateFPExt(b.CreateLoad(f32, klWeight_), f64);
    if (op.kind == OpKind::VaeSample) {
      Value *eps = ptrOf(e, op.out2);
      Value *count = b.CreateMul(e.n, cI64(K));
      b.CreateMemSet(eps, b.getInt8(0), b.CreateMul(count, cI64(4)), MaybeAlign(4));
      Function *fn = closure(cname(op, "eps"),
                             [&](IRBuilder<> &cb, Value *ctx, Value *i0, Value *i1) {
                               Value *p = field(cb, ctx, P0);
                               call(cb, "aec_noise", {i0, i1, p, p, cI32(1), cF32(1.0), cF32(0.0),
                                                      cF32(0.0), field(cb, ctx, I1)});
                             });
      const uint64_t salt = 0xD1B54A32D192ED03ull * static_cast<uint64_t>(op.layer + 1);
      setField(e, P0, eps);
      setField(e, I1, b.CreateXor(e.seed, cI64(static_cast<int64_t>(salt))));
      parallelFor(e, fn, count, 32768);
      Value *kl = call(b, "aec_vae_sample", {cI64(0), e.n, cI64(K), ptrOf(e, op.ins[0]),
                                             ptrOf(e, op.ins[1]), eps, ptrOf(e, op.out)});
      if (!kl) return false;
      addTotal(e, b.CreateFMul(beta, kl));
      return true;
    }
    Value *w = b.CreateFPTrunc(b.CreateFMul(beta, b.CreateFPExt(e.scale, f64)), f32);
    call(b, "aec_vae_backward", {cI64(0), e.n, cI64(K), ptrOf(e, op.ins[1]), ptrOf(e, op.ins[2]),
                                 ptrOf(e, op.ins[3]), ptrOf(e, op.ins[0]), ptrOf(e, op.out),
                                 ptrOf(e, op.out2), w});
    return true;
  }
  case OpKind::BatchNorm:
  case OpKind::BatchNormGrad: {
    // Per channel over [n][C][S]; gamma/beta and the running mean/var are
    // separate params at constant distances (planned offsets).
    const bool fwd = op.kind == OpKind::BatchNorm;
    const int x = fwd ? op.ins[0] : op.ins[1], gamma = fwd ? op.ins[1] : op.ins[2];
    const int64_t Cn = g_.tensors[x].dims[0], S = size(x) / Cn;
    const int stats = fwd ? op.out2 : op.ins[3];
    const int beta = fwd ? op.ins[2] : gamma + 1; // BuildIR adds beta right after gamma
    const int64_t betaD = g_.tensors[beta].offset - g_.tensors[gamma].offset;
    auto at = [&](IRBuilder<> &cb, Value *p, int64_t d) { return cb.CreateConstInBoundsGEP1_64(f32, p, d); };
    if (fwd && !e.seed) { // inference: scale/shift from the running stats, then one affine pass
      const int64_t varD = g_.tensors[op.ins[4]].offset - g_.tensors[op.ins[3]].offset;
      Value *g0 = ptrOf(e, gamma), *st = ptrOf(e, stats), *rm = ptrOf(e, op.ins[3]);
      call(b, "aec_bn_fold", {cI64(Cn), g0, at(b, g0, betaD), rm, at(b, rm, varD),
                              cF32(kBatchNormEps), st, at(b, st, Cn)});
      Function *fn = closure(cname(op, "bn_affine"),
                             [&](IRBuilder<> &cb, Value *ctx, Value *r0, Value *r1) {
                               Value *s = field(cb, ctx, P2);
                               call(cb, "aec_bn_affine", {r0, r1, cI64(Cn), cI64(S),
                                                          field(cb, ctx, P0), s, at(cb, s, Cn),
                                                          field(cb, ctx, P1)});
                             });
      setField(e, P0, ptrOf(e, x));
      setField(e, P1, ptrOf(e, op.out));
      setField(e, P2, st);
      parallelFor(e, fn, e.n, rowChunk(4 * size(x), 1));
      return true;
    }
    if (fwd) {
      const int64_t varD = g_.tensors[op.ins[4]].offset - g_.tensors[op.ins[3]].offset;
      Function *fn = closure(cname(op, "bn_train"),
                             [&](IRBuilder<> &cb, Value *ctx, Value *c0, Value *c1) {
                               Value *gp = field(cb, ctx, P1), *st = field(cb, ctx, P4),
                                     *rm = field(cb, ctx, P5);
                               call(cb, "aec_bn_train",
                                    {c0, c1, field(cb, ctx, I0), cI64(Cn), cI64(S),
                                     field(cb, ctx, P0), gp, at(cb, gp, betaD),
                                     cF32(kBatchNormEps), cF32(kBatchNormMomentum),
                                     field(cb, ctx, P3), st, at(cb, st, Cn), rm,
                                     at(cb, rm, varD)});
                             });
      setField(e, P0, ptrOf(e, x));
      setField(e, P1, ptrOf(e, gamma));
      setField(e, P3, ptrOf(e, op.out));
      setField(e, P4, ptrOf(e, stats));
      setField(e, P5, ptrOf(e, op.ins[3]));
      setField(e, I0, e.n);
      parallelFor(e, fn, cI64(Cn), 1);
      return true;
    }
    const bool dparams = op.out2 >= 0, dinput = op.out >= 0;
    Function *fn = closure(cname(op, "bn_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *c0, Value *c1) {
                             Value *st = field(cb, ctx, P2), *dg = field(cb, ctx, P4);
                             call(cb, "aec_bn_backward",
                                  {c0, c1, field(cb, ctx, I0), cI64(Cn), cI64(S),
                                   field(cb, ctx, P0), field(cb, ctx, P1), st, at(cb, st, Cn),
                                   field(cb, ctx, P3), field(cb, ctx, P5), dg,
                                   dparams ? at(cb, dg, betaD) : null(), cI32(1)});
                           });
    setField(e, P0, ptrOf(e, x));
    setField(e, P1, ptrOf(e, gamma));
    setField(e, P2, ptrOf(e, stats));
    setField(e, P3, ptrOf(e, op.ins[0]));
    setField(e, P4, dparams ? ptrOf(e, op.out2) : null());
    setField(e, P5, dinput ? ptrOf(e, op.out) : null());
    setField(e, I0, e.n);
    parallelFor(e, fn, cI64(Cn), 1);
    return true;
  }
  case OpKind::Dropout:
  case OpKind::DropoutGrad: {
    // One mask per (step seed, layer): forward and backward XOR the same salt.
    const int64_t D = size(op.out);
    const uint64_t salt = 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(op.layer + 1);
    Function *fn = closure(cname(op, "dropout"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *i0, Value *i1) {
                             call(cb, "aec_dropout",
                                  {i0, i1, field(cb, ctx, P0), field(cb, ctx, P1),
                                   cF32(op.amount), field(cb, ctx, I1)});
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    setField(e, P1, ptrOf(e, op.out));
    setField(e, I1, b.CreateXor(e.seed, cI64(static_cast<int64_t>(salt))));
    parallelFor(e, fn, b.CreateMul(e.n, cI64(D)), 32768);
    return true;
  }
  case OpKind::Act:
  case OpKind::ActGrad: {
    const int64_t D = size(op.out);
    const int act = info(op.act).cValue;
    const bool fwd = op.kind == OpKind::Act;
    Function *fn = closure(cname(op, fwd ? "act" : "act_grad"),
                           [&](IRBuilder<> &cb, Value *ctx, Value *i0, Value *i1) {
                             if (fwd)
                               call(cb, "aec_act_forward",
                                    {i0, i1, field(cb, ctx, P0), field(cb, ctx, P2), cI32(act)});
                             else
                               call(cb, "aec_act_backward",
                                    {i0, i1, field(cb, ctx, P1), field(cb, ctx, P0),
                                     field(cb, ctx, P2), cI32(act)});
                           });
    setField(e, P0, ptrOf(e, op.ins[0]));
    if (!fwd) setField(e, P1, ptrOf(e, op.ins[1]));
    setField(e, P2, ptrOf(e, op.out));
    parallelFor(e, fn, b.CreateMul(e.n, cI64(D)), 32768);
    return true;
  }
  case OpKind::LossActGrad:
    return emitLoss(e, op, true);
  case OpKind::Loss: {
    // Unfused (nothing trainable): the loss value only; needs a row buffer.
    if (op.scratch < 0) return fail("loss without a row buffer");
    return emitLoss(e, op, false);
  }
  case OpKind::Sparsity:
  case OpKind::SparsityGrad: {
    const int64_t W = size(op.ins[0]);
    Value *dC = op.kind == OpKind::SparsityGrad ? ptrOf(e, op.out) : null();
    Value *pen = sparsityCall(e, op, ptrOf(e, op.ins[0]), dC, W, op.scratch);
    if (!pen) return false;
    if (op.kind == OpKind::Sparsity || op.out2Role == ir::Out2::Penalty)
      addTotal(e, b.CreateFMul(b.CreateFPCast(pen, f64), b.CreateSIToFP(e.n, f64)));
    return true;
  }
  case OpKind::Adam:
  case OpKind::SGD: {
    const int64_t begin = op.begin, P = g_.paramCount;
    const bool adam = op.kind == OpKind::Adam;
    const bool momentum = !adam && op.momentum != 0;
    Function *fn = closure(opts_.prefix + (adam ? ".adam" : ".sgd"), [&](IRBuilder<> &cb,
                                                                        Value *ctx, Value *i0,
                                                                        Value *i1) {
      Value *b0 = cb.CreateAdd(i0, cI64(begin)), *b1 = cb.CreateAdd(i1, cI64(begin));
      Value *p = field(cb, ctx, P0), *gr = field(cb, ctx, P1), *st = field(cb, ctx, P2);
      if (adam)
        call(cb, "aec_adam",
             {b0, b1, p, gr, st, cb.CreateConstInBoundsGEP1_64(f32, st, P), field(cb, ctx, F0),
              cF32(op.beta1), cF32(op.beta2), cF32(op.eps), cF32(op.l2), field(cb, ctx, I1)});
      else
        call(cb, "aec_sgd",
             {b0, b1, p, gr, momentum ? st : null(), field(cb, ctx, F0), cF32(op.momentum),
              cF32(op.l2)});
    });
    setField(e, P0, e.params);
    setField(e, P1, e.grads);
    setField(e, P2, e.x); // opt_state
    setField(e, F0, e.scale); // lr
    setField(e, I1, e.seed);  // step
    parallelFor(e, fn, cI64(op.count), 32768);
    return true;
  }
  case OpKind::MatMul:
  case OpKind::BiasAdd:
  case OpKind::LossGrad:
    return fail(std::string("internal error: unfused `") + ir::opKindName(op.kind) +
                "` reached code generation");
  }
  return true;
}

Function *Gen::defineFunction(const std::string &name, FunctionType *ft) {
  Function *f = Function::Create(ft, GlobalValue::InternalLinkage, opts_.prefix + "." + name, M);
  f->addFnAttr(Attribute::NoUnwind);
  return f;
}

// forward(params, ws, x, n) / decode(params, ws, code, n).
Function *Gen::genForward(bool decodeOnly) {
  FunctionType *ft = FunctionType::get(voidTy, {ptr, ptr, ptr, i64}, false);
  Function *f = defineFunction(decodeOnly ? "decode" : "forward", ft);
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  Env e;
  e.b = &b;
  e.params = f->getArg(0);
  e.ws = f->getArg(1);
  e.x = f->getArg(2);
  e.n = f->getArg(3);
  e.ctx = b.CreateAlloca(ctxTy, nullptr, "ctx");
  for (const Op &op : g_.ops) { // inference reads the clean input
    if (op.kind == OpKind::Noise || op.kind == OpKind::Dropout || op.kind == OpKind::VaeSample)
      e.subst[op.out] = op.ins[0];
    if (op.out2Role == ir::Out2::NoisyCopy) e.subst[op.out2] = op.noiseFrom;
  }
  if (decodeOnly) {
    int code = g_.storageOf(g_.layerOutput[model_.codeIndex]);
    Value *dst = ptrOf(e, code);
    b.CreateMemMove(dst, MaybeAlign(4), e.x, MaybeAlign(4),
                   b.CreateMul(e.n, cI64(size(code) * 4)));
    e.x = nullptr;
  }
  for (const Op &op : g_.ops) {
    if (op.phase != Phase::Forward) break;
    if (op.kind == OpKind::Noise || op.kind == OpKind::Dropout || op.kind == OpKind::Loss ||
        op.kind == OpKind::Sparsity || op.kind == OpKind::VaeSample)
      continue;
    if (decodeOnly && op.layer <= model_.codeIndex) continue;
    if (!emitOp(e, op)) return nullptr;
  }
  b.CreateRetVoid();
  return f;
}

// accumulate(params, grads, ws, x, n, scale, noise_seed) -> Σ objective.
Function *Gen::genAccumulate() {
  FunctionType *ft = FunctionType::get(f32, {ptr, ptr, ptr, ptr, i64, f32, i64}, false);
  Function *f = defineFunction("accumulate", ft);
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  Env e;
  e.b = &b;
  e.params = f->getArg(0);
  e.grads = f->getArg(1);
  e.ws = f->getArg(2);
  e.x = f->getArg(3);
  e.n = f->getArg(4);
  e.scale = f->getArg(5);
  e.seed = f->getArg(6);
  e.ctx = b.CreateAlloca(ctxTy, nullptr, "ctx");
  e.total = b.CreateAlloca(f64, nullptr, "total");
  b.CreateStore(ConstantFP::get(f64, 0.0), e.total);
  for (const Op &op : g_.ops) {
    if (op.phase == Phase::Update) break;
    if (!emitOp(e, op)) return nullptr;
  }
  b.CreateRet(b.CreateFPTrunc(b.CreateLoad(f64, e.total), f32));
  return f;
}

// update(params, grads, opt_state, lr, step).
Function *Gen::genUpdate() {
  FunctionType *ft = FunctionType::get(voidTy, {ptr, ptr, ptr, f32, i64}, false);
  Function *f = defineFunction("update", ft);
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  Env e;
  e.b = &b;
  e.params = f->getArg(0);
  e.grads = f->getArg(1);
  e.x = f->getArg(2); // opt_state travels in the x slot
  e.scale = f->getArg(3);
  e.seed = f->getArg(4);
  e.ctx = b.CreateAlloca(ctxTy, nullptr, "ctx");
  for (const Op &op : g_.ops)
    if (op.phase == Phase::Update && !emitOp(e, op)) return nullptr;
  b.CreateRetVoid();
  return f;
}

Constant *Gen::cstr(const std::string &s, const std::string &name) {
  Constant *data = ConstantDataArray::getString(C, s, true);
  auto *gv = new GlobalVariable(M, data->getType(), true, GlobalValue::PrivateLinkage, data,
                                opts_.prefix + ".str." + name);
  gv->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  gv->setAlignment(Align(1));
  return gv;
}

void Gen::genModelConstant(Function *fwd, Function *dec, Function *acc, Function *upd) {
  ArrayType *dims4 = ArrayType::get(i64, 4);
  auto dimsConst = [&](const std::vector<int64_t> &d) {
    std::vector<Constant *> v(4, ConstantInt::get(i64, 0));
    for (size_t i = 0; i < d.size() && i < 4; ++i) v[i] = ConstantInt::get(i64, d[i]);
    return ConstantArray::get(dims4, v);
  };
  auto I32 = [&](int64_t v) { return ConstantInt::get(i32, v); };
  auto I64 = [&](int64_t v) { return ConstantInt::get(i64, v); };
  auto F32 = [&](double v) { return ConstantFP::get(f32, v); };

  const ModelAbiTypes abi = modelAbiTypes(C);
  StructType *tensorTy = abi.tensorInfo;
  std::vector<Constant *> tensors;
  for (int p : g_.paramTensors) {
    const ir::Tensor &t = g_.tensors[p];
    const Layer &l = model_.layers[t.layer];
    const bool isWeight = t.dims.size() >= 2; // dense [in][out], conv [out_c][in_c][k..]
    const bool conv = l.kind == LayerKind::Conv2D || l.kind == LayerKind::Conv1D;
    int init = AEC_INIT_ZERO; // biases, batch-norm shift and running mean
    auto endsWith = [&](const char *suffix) {
      const size_t k = std::strlen(suffix);
      return t.name.size() >= k && t.name.compare(t.name.size() - k, k, suffix) == 0;
    };
    if (l.kind == LayerKind::BatchNorm) {
      if (endsWith(".gamma") || endsWith(".running_var")) init = AEC_INIT_ONE;
    } else if (isWeight)
      init = info(l.activation).init;
    int64_t fanIn = isWeight ? t.dims[0] : l.in.elements();
    int64_t fanOut = isWeight ? t.dims[1] : t.dims[0];
    if (conv && isWeight) { // receptive field: in_c·k(·k) inputs, out_c·k(·k) outputs
      int64_t taps = 1;
      for (size_t d = 2; d < t.dims.size(); ++d) taps *= t.dims[d];
      fanIn = t.dims[1] * taps;
      fanOut = t.dims[0] * taps;
    }
    tensors.push_back(ConstantStruct::get(
        tensorTy, {cstr(t.name, t.name), I32(t.layer), I32(static_cast<int>(t.dims.size())),
                   dimsConst(t.dims), I64(t.offset), I64(t.size()), I32(t.trainable ? 1 : 0),
                   I32(l.pretrained ? 1 : 0), I32(init), I64(fanIn), I64(fanOut)}));
  }
  ArrayType *tensorArr = ArrayType::get(tensorTy, tensors.size());
  auto *tensorGV = new GlobalVariable(M, tensorArr, true, GlobalValue::PrivateLinkage,
                                      ConstantArray::get(tensorArr, tensors),
                                      opts_.prefix + ".tensors");

  // aec_layer_info
  StructType *layerTy = abi.layerInfo;
  std::vector<Constant *> layers;
  for (size_t i = 0; i < model_.layers.size(); ++i) {
    const Layer &l = model_.layers[i];
    int s = g_.storageOf(g_.layerOutput[i]);
    layers.push_back(ConstantStruct::get(
        layerTy, {cstr(l.name, l.name), I32(info(l.kind).cValue), I32(info(l.activation).cValue),
                   I32(static_cast<int>(l.section)),
                  I32(l.out.rank()), dimsConst(l.out.dims), I64(l.out.elements()),
                  I64(g_.tensors[s].offset)}));
  }
  ArrayType *layerArr = ArrayType::get(layerTy, layers.size());
  auto *layerGV = new GlobalVariable(M, layerArr, true, GlobalValue::PrivateLinkage,
                                     ConstantArray::get(layerArr, layers),
                                     opts_.prefix + ".layers");

  StructType *modelTy = abi.model;
  const TrainConfig &tc = model_.train;
  Constant *nullp = ConstantPointerNull::get(cast<PointerType>(ptr));
  Constant *init = ConstantStruct::get(
      modelTy,
      {I32(2) /* AEC_ABI_VERSION */, cstr(model_.name, "name"), I64(static_cast<int64_t>(model_.architectureHash())),
       cstr(modelSummary(model_, g_), "summary"), I32(model_.input.rank()),
       dimsConst(model_.input.dims), I64(model_.input.elements()), I32(model_.hasRange ? 1 : 0),
       F32(model_.rangeLo), F32(model_.rangeHi), I32(model_.codeIndex),
       I64(model_.codeShape().elements()), I64(g_.maxBatch), I64(g_.paramCount),
       I64(g_.optSlots), I64(g_.workspaceSize), I32(static_cast<int>(layers.size())), layerGV,
       I32(static_cast<int>(tensors.size())), tensorGV,
       model_.pretrainedPath.empty() ? nullp : cstr(model_.pretrainedPath, "pretrained"),
       I32(info(model_.loss).cValue), I32(info(tc.optimizer).cValue), F32(tc.lr), F32(tc.momentum),
       F32(tc.beta1), F32(tc.beta2), F32(tc.eps), I64(tc.batch), I64(tc.epochs),
       I64(static_cast<int64_t>(tc.seed)), I32(g_.inferenceOnly ? 1 : 0), fwd, dec,
       acc ? static_cast<Constant *>(acc) : nullp, upd ? static_cast<Constant *>(upd) : nullp,
       model_.variational ? static_cast<Constant *>(klWeight_) : nullp, F32(model_.klBeta),
       I64(model_.klWarmup), I64(g_.vaeLogvar >= 0 ? g_.tensors[g_.vaeLogvar].offset : -1),
       I32(static_cast<int>(tc.schedule)), F32(tc.scheduleFactor), I64(tc.scheduleEvery),
       I64(tc.warmup), F32(tc.validation), I64(tc.earlyStop),
       I32(static_cast<int>(model_.normalize))});
  modelVar_ = new GlobalVariable(M, modelTy, true, GlobalValue::ExternalLinkage, init,
                                 opts_.prefix + "_model");
  modelVar_->setAlignment(Align(8));
}

void Gen::genMain(GlobalVariable *model) {
  FunctionCallee rtMain =
      M.getOrInsertFunction("aec_rt_main", FunctionType::get(i32, {i32, ptr, ptr}, false));
  Function *f = Function::Create(FunctionType::get(i32, {i32, ptr}, false),
                                 GlobalValue::ExternalLinkage, "main", M);
  IRBuilder<> b(BasicBlock::Create(C, "entry", f));
  b.CreateRet(b.CreateCall(rtMain, {f->getArg(0), f->getArg(1), model}));
}

// <prefix>_create() = aec_rt_create(&<prefix>_model); the others forward
// their arguments to the generic runtime API unchanged.
void Gen::genCApi(GlobalVariable *model) {
  struct Wrap {
    const char *name, *target;
    Type *ret;
    std::vector<Type *> params;
    bool training;
  };
  std::vector<Wrap> wraps = {
      {"destroy", "aec_rt_destroy", voidTy, {ptr}, false},
      {"load", "aec_rt_load", i32, {ptr, ptr}, false},
      {"save", "aec_rt_save", i32, {ptr, ptr}, false},
      {"encode", "aec_rt_encode", i32, {ptr, ptr, i64, ptr}, false},
      {"decode", "aec_rt_decode", i32, {ptr, ptr, i64, ptr}, false},
      {"sample", "aec_rt_sample", i32, {ptr, i64, i64, ptr}, false},
      {"reconstruct", "aec_rt_reconstruct", i32, {ptr, ptr, i64, ptr}, false},
      {"layer_output", "aec_rt_layer_output", i32, {ptr, i32, ptr, i64, ptr}, false},
      {"last_error", "aec_rt_last_error", ptr, {}, false},
      {"set_threads", "aec_rt_set_threads", i32, {i32}, false},
      {"score", "aec_rt_score", i32, {ptr, ptr, i64, ptr}, false},
      {"threshold", "aec_rt_threshold", i32, {ptr, ptr}, false},
      {"train_step", "aec_rt_train_step", f32, {ptr, ptr, i64}, true},
      {"set_lr", "aec_rt_set_lr", i32, {ptr, f32}, true},
      {"export", "aec_rt_export", i32, {ptr, ptr}, true},
      {"import", "aec_rt_import", i32, {ptr, ptr}, true},
  };
  {
    FunctionCallee create =
        M.getOrInsertFunction("aec_rt_create", FunctionType::get(ptr, {ptr}, false));
    Function *f = Function::Create(FunctionType::get(ptr, {}, false),
                                   GlobalValue::ExternalLinkage, opts_.prefix + "_create", M);
    IRBuilder<> b(BasicBlock::Create(C, "entry", f));
    b.CreateRet(b.CreateCall(create, {model}));
  }
  for (const Wrap &w : wraps) {
    if (w.training && g_.inferenceOnly) continue;
    FunctionType *ft = FunctionType::get(w.ret, w.params, false);
    FunctionCallee target = M.getOrInsertFunction(w.target, ft);
    Function *f = Function::Create(ft, GlobalValue::ExternalLinkage,
                                   opts_.prefix + "_" + w.name, M);
    IRBuilder<> b(BasicBlock::Create(C, "entry", f));
    std::vector<Value *> args;
    for (Argument &a : f->args()) args.push_back(&a);
    CallInst *ci = b.CreateCall(target, args);
    ci->setTailCall(true);
    if (w.ret->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(ci);
  }
}

bool Gen::run(std::string &error) {
  // The kernels' pointer arguments never alias in the calls generated here
  // (outputs are distinct workspace/grad regions); saying so lets O3 keep
  // values in registers across the inlined loops.
  for (const char *name : {"aec_gemm", "aec_gemm_tn", "aec_colsum", "aec_noise", "aec_loss",
                           "aec_adam", "aec_sgd", "aec_conv_forward", "aec_conv_backward_data",
                           "aec_conv_backward_filter", "aec_pool_forward", "aec_pool_backward"})
    if (Function *f = M.getFunction(name))
      for (Argument &a : f->args())
        if (a.getType()->isPointerTy()) a.addAttr(Attribute::NoAlias);

  klWeight_ = new GlobalVariable(
      M, f32, false, GlobalValue::InternalLinkage,
      ConstantFP::get(f32, model_.klWarmup > 0 ? 0.0 : model_.klBeta), opts_.prefix + ".kl_weight");
  Function *fwd = genForward(false);
  Function *dec = fwd ? genForward(true) : nullptr;
  Function *acc = nullptr, *upd = nullptr;
  if (dec && !g_.inferenceOnly) {
    acc = genAccumulate();
    upd = acc ? genUpdate() : nullptr;
  }
  if (!error_.empty() || !fwd || !dec || (!g_.inferenceOnly && (!acc || !upd))) {
    error = error_.empty() ? "code generation failed" : error_;
    return false;
  }
  genModelConstant(fwd, dec, acc, upd);
  if (opts_.withMain) genMain(modelVar_);
  if (opts_.withCApi) genCApi(modelVar_);
  return true;
}

} // namespace

bool generateModule(const CheckedModel &model, const Graph &g, const ModuleOptions &options,
                    Module &module, std::string &error) {
  Gen gen(model, g, options, module);
  return gen.run(error);
}

} // namespace aec::codegen
