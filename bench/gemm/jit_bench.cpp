// The GEMM benchmark through the code generator's path: the embedded kernel
// bitcode (aec::loadKernelModule) is linked under small wrapper functions that
// call the kernels with constant shapes, the kernels are made internal +
// alwaysinline, every function gets the host's target-cpu/features, O3 runs,
// and ORC JIT-compiles the result. Compare with gemm_bench.c (native clang).
//   aec_gemm_jit_bench [vector-width]    (default: from the host features)
#include "compiler/kernels/KernelLibrary.h"
#include "test/unit/kernel_jit.h"

#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

constexpr int kBatch = 256;
const int kLayers[][2] = {{784, 512}, {512, 128}, {128, 32}, {32, 128}, {128, 512}, {512, 784}};
const int kActs[] = {1, 1, 0, 1, 1, 3};

double cpuNow() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

template <typename Fn> double timeit(Fn fn) {
  double best = 1e9;
  for (int rep = 0; rep < 15; ++rep) {
    long iters = 0;
    double t0 = cpuNow(), t;
    do {
      fn();
      ++iters;
    } while ((t = cpuNow() - t0) < 0.01);
    best = std::min(best, t / iters);
  }
  return best;
}

std::vector<float> randomBuffer(size_t n) {
  std::vector<float> v(n);
  for (float &x : v)
    x = (float)rand() / (float)RAND_MAX - 0.5f;
  return v;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  const std::string cpu = llvm::sys::getHostCPUName().str(), features = aec::kernel_jit::hostFeatures();
  const int width = argc > 1 ? std::atoi(argv[1]) : aec::kernelVectorWidthForFeatures(features);

  auto context = std::make_unique<llvm::LLVMContext>();
  std::string error;
  std::unique_ptr<llvm::Module> module = aec::kernel_jit::loadInlinableKernels(*context, width, error);
  if (!module) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  llvm::Function *gemm = module->getFunction("aec_gemm"), *gemmTn = module->getFunction("aec_gemm_tn");
  llvm::IRBuilder<> b(*context);
  llvm::Type *i64 = b.getInt64Ty(), *i32 = b.getInt32Ty(), *ptr = b.getPtrTy(), *f32 = b.getFloatTy();
  auto *wrapperType = llvm::FunctionType::get(b.getVoidTy(), {i64, i64, i64, ptr, ptr, ptr, ptr}, false);
  auto c64 = [&](int64_t v) { return llvm::ConstantInt::get(i64, v); };
  auto c32 = [&](int v) { return llvm::ConstantInt::get(i32, v); };
  llvm::Constant *null = llvm::ConstantPointerNull::get(llvm::PointerType::get(*context, 0));
  for (int l = 0; l < 6; ++l) {
    const int in = kLayers[l][0], out = kLayers[l][1];
    for (const char *form : {"fwd", "dx", "dw"}) {
      auto *fn = llvm::Function::Create(wrapperType, llvm::GlobalValue::ExternalLinkage,
                                        std::string(form) + std::to_string(l), *module);
      b.SetInsertPoint(llvm::BasicBlock::Create(*context, "entry", fn));
      llvm::Value *lo = fn->getArg(0), *hi = fn->getArg(1), *rows = fn->getArg(2);
      llvm::Value *p0 = fn->getArg(3), *p1 = fn->getArg(4), *p2 = fn->getArg(5), *p3 = fn->getArg(6);
      std::string f = form;
      if (f == "fwd") // Y = act(X W + b): p0 X, p1 W, p2 b, p3 Y
        b.CreateCall(gemm, {lo, hi, c64(out), c64(in), p0, c64(in), p1, c64(out), c32(0), p3,
                            c64(out), c32(0), p2, c32(kActs[l]), null, c64(0), c32(0)});
      else if (f == "dx") // dX = (dZ W^T) relu'(Yp): p0 dZ, p1 W, p2 Yp, p3 dX
        b.CreateCall(gemm, {lo, hi, c64(in), c64(out), p0, c64(out), p1, c64(out), c32(1), p3,
                            c64(in), c32(0), null, c32(0), p2, c64(in), c32(1)});
      else // dW = X^T dZ / batch: p0 X, p1 dZ, p3 dW
        b.CreateCall(gemmTn, {lo, hi, c64(out), rows, p0, c64(in), p1, c64(out), p3, c64(out),
                              llvm::ConstantFP::get(f32, 1.0 / kBatch), c32(0)});
      b.CreateRetVoid();
    }
  }
  aec::kernel_jit::setTarget(*module, cpu, features);
  if (llvm::verifyModule(*module, &llvm::errs()))
    return 1;

  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = jtmb->createTargetMachine();
  module->setDataLayout((*tm)->createDataLayout());
  aec::kernel_jit::runO3(*module, tm->get());
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit) {
    std::fprintf(stderr, "error: %s\n", llvm::toString(jit.takeError()).c_str());
    return 1;
  }
  if (auto err = (*jit)->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
    std::fprintf(stderr, "error: %s\n", llvm::toString(std::move(err)).c_str());
    return 1;
  }
  using Wrapper = void (*)(int64_t, int64_t, int64_t, const float *, const float *, const float *, float *);
  std::printf("aec kernels through bitcode + O3 + JIT, vector width %d, %s; GFLOP/s (1 thread)\n",
              width, cpu.c_str());
  std::printf("%-10s %8s %8s %8s\n", "layer", "fwd", "dX", "dW");
  double total = 0, flops = 0;
  for (int l = 0; l < 6; ++l) {
    const int in = kLayers[l][0], out = kLayers[l][1];
    auto X = randomBuffer((size_t)kBatch * in), W = randomBuffer((size_t)in * out),
         bias = randomBuffer(out), Y = randomBuffer((size_t)kBatch * out),
         dZ = randomBuffer((size_t)kBatch * out), dX = randomBuffer((size_t)kBatch * in),
         Yp = randomBuffer((size_t)kBatch * in), dW = randomBuffer((size_t)in * out);
    auto look = [&](const char *form) {
      return (*jit)->lookup(std::string(form) + std::to_string(l))->toPtr<Wrapper>();
    };
    Wrapper fwd = look("fwd"), dx = look("dx"), dw = look("dw");
    double sf = timeit([&] { fwd(0, kBatch, kBatch, X.data(), W.data(), bias.data(), Y.data()); });
    double sx = timeit([&] { dx(0, kBatch, kBatch, dZ.data(), W.data(), Yp.data(), dX.data()); });
    double sw = timeit([&] { dw(0, in, kBatch, X.data(), dZ.data(), nullptr, dW.data()); });
    double flop = 2.0 * kBatch * in * out;
    total += sf + sw + (l > 0 ? sx : 0);
    flops += flop * (l > 0 ? 3 : 2);
    std::printf("%-10s %8.1f %8.1f %8.1f\n", (std::to_string(in) + "-" + std::to_string(out)).c_str(),
                flop / sf * 1e-9, flop / sx * 1e-9, flop / sw * 1e-9);
  }
  std::printf("training-step GEMMs, 1 thread: %.3f ms/batch, %.1f GFLOP/s\n", total * 1e3,
              flops / total * 1e-9);
  return 0;
}
