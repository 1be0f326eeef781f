// Two-part optimization and code generation (see SplitCodegen.h).
#include "compiler/codegen/SplitCodegen.h"

#include "compiler/codegen/Emit.h"

#include <llvm/ADT/STLExtras.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/InstIterator.h>
#include <llvm/IR/InstrTypes.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <thread>

namespace aec::codegen {

namespace {

using namespace llvm;

// A function only ever passed to aec_rt_parallel_for (its first argument).
bool isClosure(const Function &f) {
  if (f.isDeclaration() || f.use_empty()) return false;
  for (const Use &u : f.uses()) {
    const auto *call = dyn_cast<CallBase>(u.getUser());
    if (!call || call->isCallee(&u) || u.getOperandNo() != 0) return false;
    const Function *callee = call->getCalledFunction();
    if (!callee || callee->getName() != "aec_rt_parallel_for") return false;
  }
  return true;
}

// The global values `v` refers to, through constant expressions and aggregates.
void globalsOf(const Value *v, std::vector<GlobalValue *> &out, std::set<const Value *> &seen) {
  if (!seen.insert(v).second) return;
  if (auto *g = dyn_cast<GlobalValue>(v)) {
    out.push_back(const_cast<GlobalValue *>(g));
    return;
  }
  if (const auto *c = dyn_cast<Constant>(v))
    for (const Use &op : c->operands()) globalsOf(op.get(), out, seen);
}

std::vector<GlobalValue *> referencedGlobals(const GlobalValue &g) {
  std::vector<GlobalValue *> out;
  std::set<const Value *> seen;
  if (const auto *f = dyn_cast<Function>(&g)) {
    for (const Instruction &i : instructions(*f))
      for (const Use &op : i.operands())
        if (isa<Constant>(op.get())) globalsOf(op.get(), out, seen);
  } else if (const auto *v = dyn_cast<GlobalVariable>(&g); v && v->hasInitializer()) {
    globalsOf(v->getInitializer(), out, seen);
  }
  return out;
}

// Instructions of `f` and of the kernels it calls: the closure's size once
// the kernels are inlined, to balance the parts.
size_t costOf(const Function &f, const std::set<std::string> &kernels,
              std::map<const Function *, size_t> &memo) {
  if (auto it = memo.find(&f); it != memo.end()) return it->second;
  memo[&f] = 0; // (no recursion in the kernels; this only guards against it)
  size_t n = f.getInstructionCount();
  for (const Instruction &i : instructions(f))
    if (const auto *call = dyn_cast<CallBase>(&i))
      if (const Function *callee = call->getCalledFunction();
          callee && !callee->isDeclaration() && kernels.count(callee->getName().str()))
        n += costOf(*callee, kernels, memo);
  return memo[&f] = n;
}

std::unique_ptr<TargetMachine> sameTarget(const TargetMachine &tm) {
  return std::unique_ptr<TargetMachine>(tm.getTarget().createTargetMachine(
      tm.getTargetTriple().str(), tm.getTargetCPU(), tm.getTargetFeatureString(), tm.Options,
      tm.getRelocationModel(), tm.getCodeModel(), tm.getOptLevel()));
}

// Moves the closures in `second` (and what they use) into a new module in
// the same context and returns it as bitcode: the kernels and constant
// globals they use are copied, anything else they use stays in `m`, made
// hidden-external so that the two objects link.
SmallVector<char, 0> splitOff(Module &m, const std::set<Function *> &second,
                              const std::set<std::string> &kernels) {
  std::set<const GlobalValue *> copy(second.begin(), second.end());
  std::vector<GlobalValue *> work(second.begin(), second.end());
  while (!work.empty()) {
    GlobalValue *g = work.back();
    work.pop_back();
    for (GlobalValue *r : referencedGlobals(*g)) {
      if (copy.count(r)) continue;
      auto *var = dyn_cast<GlobalVariable>(r);
      const bool kernel = isa<Function>(r) && kernels.count(r->getName().str());
      if (kernel || (var && var->isConstant() && var->hasLocalLinkage())) {
        copy.insert(r);
        work.push_back(r);
      } else if (r->hasLocalLinkage()) {
        if (!r->hasName()) r->setName(m.getName() + ".shared");
        r->setLinkage(GlobalValue::ExternalLinkage);
        r->setVisibility(GlobalValue::HiddenVisibility);
      }
    }
  }
  for (Function *f : second) {
    f->setLinkage(GlobalValue::ExternalLinkage);
    f->setVisibility(GlobalValue::HiddenVisibility);
  }
  ValueToValueMapTy map;
  std::unique_ptr<Module> part =
      CloneModule(m, map, [&](const GlobalValue *g) { return copy.count(g) != 0; });
  for (Function *f : second) f->deleteBody();
  eraseUnusedKernels(m, kernels);
  eraseUnusedKernels(*part, kernels);
  SmallVector<char, 0> bitcode;
  raw_svector_ostream os(bitcode);
  WriteBitcodeToFile(*part, os);
  return bitcode;
}

} // namespace

void eraseUnusedKernels(llvm::Module &module, const std::set<std::string> &kernels) {
  for (bool erased = true; erased;) {
    erased = false;
    for (llvm::Function &f : llvm::make_early_inc_range(module))
      if (!f.isDeclaration() && kernels.count(f.getName().str()) && f.use_empty()) {
        f.eraseFromParent();
        erased = true;
      }
  }
}

bool optimizeAndEmitSplit(llvm::Module &module, TargetInfo &target, const SplitRequest &request,
                          std::vector<std::string> &objects, std::string &error) {
  const std::set<std::string> &kernels = *request.kernels;
  // The closures, largest first (module order among equals), each to the
  // lighter part.
  std::map<const Function *, size_t> memo;
  std::vector<std::pair<size_t, Function *>> closures;
  for (Function &f : module)
    if (isClosure(f)) closures.push_back({costOf(f, kernels, memo), &f});
  std::stable_sort(closures.begin(), closures.end(),
                   [](const auto &a, const auto &b) { return a.first > b.first; });
  size_t load[2] = {0, 0};
  std::set<Function *> second;
  for (const auto &[cost, f] : closures) {
    const int p = load[1] < load[0] ? 1 : 0;
    load[p] += cost;
    if (p == 1) second.insert(f);
  }
  objects = {request.objectStem + ".o"};
  // AEC_CODEGEN_PARTS=1: one module, for comparisons with the split build.
  const char *parts = std::getenv("AEC_CODEGEN_PARTS");
  if (parts && std::string(parts) == "1") second.clear();
  if (second.empty()) {
    optimizeModule(module, *target.machine, request.optLevel);
    return emitMachineCode(module, *target.machine, false, objects[0], {}, error);
  }
  objects.push_back(request.objectStem + ".1.o");
  const SmallVector<char, 0> bitcode = splitOff(module, second, kernels);

  std::unique_ptr<TargetMachine> tm = sameTarget(*target.machine);
  std::string error1;
  bool ok1 = false;
  auto compileSecond = [&] {
    LLVMContext context;
    Expected<std::unique_ptr<Module>> part = parseBitcodeFile(
        MemoryBufferRef(StringRef(bitcode.data(), bitcode.size()), "part1"), context);
    if (!part) {
      error1 = "cannot reread the second part: " + toString(part.takeError());
      return;
    }
    optimizeModule(**part, *tm, request.optLevel);
    ok1 = emitMachineCode(**part, *tm, false, objects[1], {}, error1);
  };
  // Two threads where there are two cores; the same two objects either way.
  const bool threads = std::thread::hardware_concurrency() >= 2;
  std::thread worker;
  if (threads) worker = std::thread(compileSecond);
  optimizeModule(module, *target.machine, request.optLevel);
  const bool ok0 = emitMachineCode(module, *target.machine, false, objects[0], {}, error);
  if (threads) worker.join();
  else compileSecond();
  if (!ok0) return false;
  if (!ok1) error = error1;
  return ok1;
}

} // namespace aec::codegen
