// Two-part optimization and code generation (see SplitCodegen.h).
#include "compiler/codegen/SplitCodegen.h"

#include "compiler/codegen/Emit.h"
#include "compiler/codegen/Output.h"

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
#include <atomic>
#include <cstdlib>
#include <future>
#include <map>
#include <optional>
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

SmallVector<char, 0> bitcodeOf(const Module &m) {
  SmallVector<char, 0> bitcode;
  raw_svector_ostream os(bitcode);
  WriteBitcodeToFile(m, os);
  return bitcode;
}

// Moves the closures in `moved` (and what they use) into a new module in
// the same context and returns it as bitcode: the kernels and constant
// globals they use are copied, anything else they use stays in `m`, made
// hidden-external so that the two objects link.
SmallVector<char, 0> splitOff(Module &m, const std::set<Function *> &moved,
                              const std::set<std::string> &kernels) {
  std::set<const GlobalValue *> copy(moved.begin(), moved.end());
  std::vector<GlobalValue *> work(moved.begin(), moved.end());
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
  for (Function *f : moved) {
    f->setLinkage(GlobalValue::ExternalLinkage);
    f->setVisibility(GlobalValue::HiddenVisibility);
  }
  ValueToValueMapTy map;
  std::unique_ptr<Module> part =
      CloneModule(m, map, [&](const GlobalValue *g) { return copy.count(g) != 0; });
  for (Function *f : moved) f->deleteBody();
  eraseUnusedKernels(m, kernels);
  eraseUnusedKernels(*part, kernels);
  return bitcodeOf(*part);
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

namespace {

// One part to compile: the module itself (the tables and entry points, in
// the caller's context), or bitcode to reread in a context of its own.
struct Part {
  llvm::Module *module = nullptr;
  SmallVector<char, 0> bitcode;
  std::string object; // where its object goes
  bool cached = false;
  bool ok = false;
  std::string error;
};

// The part's object from the cache, else optimized and compiled (and stored).
void compilePart(Part &part, TargetMachine &tm, const SplitRequest &request) {
  const ObjectCache *cache = request.cache;
  std::string key;
  if (cache && cache->enabled()) {
    if (part.module) part.bitcode = bitcodeOf(*part.module);
    key = cache->key(StringRef(part.bitcode.data(), part.bitcode.size()), tm, request.optLevel);
    if (std::optional<std::string> object = cache->lookup(key)) {
      part.cached = true;
      part.ok = writeOutput(part.object, *object, {}, false, part.error);
      return;
    }
  }
  LLVMContext context;
  std::unique_ptr<Module> owned;
  Module *m = part.module;
  if (!m) {
    Expected<std::unique_ptr<Module>> read = parseBitcodeFile(
        MemoryBufferRef(StringRef(part.bitcode.data(), part.bitcode.size()), "part"), context);
    if (!read) {
      part.error = "cannot reread a part of the module: " + toString(read.takeError());
      return;
    }
    owned = std::move(*read);
    m = owned.get();
  }
  optimizeModule(*m, tm, request.optLevel);
  SmallString<0> object;
  if (!emitObject(*m, tm, object, part.error)) return;
  if (!key.empty()) cache->store(key, object);
  part.ok = writeOutput(part.object, object, {}, false, part.error);
}

// A bin of closures: their estimated cost and the closures.
using Bin = std::pair<size_t, std::set<Function *>>;

// The closures, largest first (module order among equals), each to the
// lightest bin (instructions, kernels included); the bins largest first.
// More bins than threads where there is much to compile (conv closures:
// 40-100 ms each): each thread takes the next part as it finishes one, which
// evens out what the estimate misses (fashion_conv's two halves took 450 and
// 340 ms; 8 parts: build wall A/B 0.94). The closures that only call the
// archive's kernels (costs of 1-10 each) stay in two.
std::vector<Bin> dealClosures(Module &module, const std::set<std::string> &kernels) {
  constexpr size_t kCostPerBin = 3000, kMaxBins = 8;
  std::map<const Function *, size_t> memo;
  std::vector<std::pair<size_t, Function *>> closures;
  size_t total = 0;
  for (Function &f : module)
    if (isClosure(f)) {
      closures.push_back({costOf(f, kernels, memo), &f});
      total += closures.back().first;
    }
  std::stable_sort(closures.begin(), closures.end(),
                   [](const auto &a, const auto &b) { return a.first > b.first; });
  std::vector<Bin> bins(std::clamp<size_t>(total / kCostPerBin, 2, kMaxBins));
  for (const auto &[cost, f] : closures) {
    Bin &bin = *std::min_element(bins.begin(), bins.end(),
                                 [](const Bin &a, const Bin &b) { return a.first < b.first; });
    bin.first += cost;
    bin.second.insert(f);
  }
  std::stable_sort(bins.begin(), bins.end(),
                   [](const Bin &a, const Bin &b) { return a.first > b.first; });
  return bins;
}

} // namespace

bool optimizeAndEmitSplit(llvm::Module &module, TargetInfo &target, const SplitRequest &request,
                          SplitOutput &out, std::string &error) {
  const std::set<std::string> &kernels = *request.kernels;
  const std::vector<Bin> bins = dealClosures(module, kernels);
  // AEC_CODEGEN_PARTS=1: one module, for comparisons with the split build.
  const char *env = std::getenv("AEC_CODEGEN_PARTS");
  const bool onePart = env && std::string(env) == "1";
  // Parts: the bins, largest first, each moved out of `module`, then what is
  // left (the tables and entry points: a model's hyperparameters change only
  // this part). The first part compiles on a thread of its own, where there
  // are two cores, while the others are moved out; then both threads take
  // the next part until none is left. The same objects either way.
  std::vector<Part> parts;
  parts.reserve(bins.size() + 1); // (the worker holds a pointer to the first)
  auto add = [&](Part part) {
    const size_t i = parts.size();
    part.object = request.objectStem + (i ? "." + std::to_string(i) : "") + ".o";
    parts.push_back(std::move(part));
  };
  std::unique_ptr<TargetMachine> tm = sameTarget(*target.machine);
  const bool twoCores = std::thread::hardware_concurrency() >= 2;
  std::promise<void> splitDone;
  std::shared_future<void> allSplit = splitDone.get_future().share();
  std::atomic<size_t> next{0};
  auto takeParts = [&](TargetMachine &machine) {
    allSplit.wait();
    for (size_t i; (i = next++) < parts.size();) compilePart(parts[i], machine, request);
  };
  std::thread worker;
  for (const auto &[cost, bin] : bins) {
    if (onePart || bin.empty()) continue;
    add({nullptr, splitOff(module, bin, kernels)});
    if (parts.size() == 1 && twoCores) {
      next = 1;
      worker = std::thread([&, first = &parts[0]] {
        compilePart(*first, *tm, request);
        takeParts(*tm);
      });
    }
  }
  add({&module, {}});
  splitDone.set_value();
  takeParts(*target.machine);
  if (worker.joinable()) worker.join();
  out.objects.clear();
  for (const Part &p : parts) out.objects.push_back(p.object);
  out.fromCache = 0;
  for (const Part &p : parts) {
    if (!p.ok) {
      error = p.error;
      return false;
    }
    out.fromCache += p.cached;
  }
  if (request.cache) request.cache->prune();
  return true;
}

} // namespace aec::codegen
