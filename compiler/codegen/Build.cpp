// `aec build`: CheckedModel -> IR pipeline -> LLVM module (+ kernel library)
// -> O3 -> the requested artifact. Reads top to bottom as the sequence of
// stages; AEC_LOG=1 logs each with its time.
#include "compiler/codegen/Build.h"

#include "compiler/codegen/Emit.h"
#include "compiler/codegen/ModuleGen.h"
#include "compiler/codegen/Target.h"
#include "compiler/kernels/KernelLibrary.h"
#include "compiler/kernels/aec_tiles.h"
#include "compiler/lower/Passes.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace aec {

namespace {

using Clock = std::chrono::steady_clock;

struct Logger {
  bool on = false;
  Clock::time_point start = Clock::now();
  void operator()(const std::string &what) {
    if (!on) return;
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    std::fprintf(stderr, "aec: build: %-28s %8.1f ms\n", what.c_str(), ms);
    start = Clock::now();
  }
};

int userError(const std::string &m) {
  std::fprintf(stderr, "aec: error: %s\n", m.c_str());
  return 1;
}

int toolError(const std::string &m) {
  std::fprintf(stderr, "aec: error: %s\n", m.c_str());
  return 2;
}

std::string dirOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

bool fileExists(const std::string &p) { return llvm::sys::fs::exists(p); }

// A temporary object file removed when the build ends.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) llvm::sys::fs::remove(path);
  }
};

} // namespace

std::string defaultOutput(EmitKind k, const std::string &name) {
  switch (k) {
  case EmitKind::Exe: return name;
  case EmitKind::Lib: return "lib" + name + ".a";
  case EmitKind::Shared: return "lib" + name + ".so";
  case EmitKind::Obj: return name + ".o";
  case EmitKind::Llvm: return name + ".ll";
  case EmitKind::Asm: return name + ".s";
  case EmitKind::IR: return "-";
  }
  return name;
}

int buildModel(const CheckedModel &model, const BuildOptions &options, DiagnosticEngine &diags) {
  (void)diags; // model errors were reported by sema; what fails here is reported on stderr
  Logger log;
  const char *env = std::getenv("AEC_LOG");
  log.on = env && *env && std::string(env) != "0";
  const std::string prefix = codegen::symbolPrefix(model.name);
  const std::string out =
      options.output.empty() ? defaultOutput(options.emit, prefix) : options.output;
  const bool textEmit = options.emit == EmitKind::IR || options.emit == EmitKind::Llvm ||
                        options.emit == EmitKind::Asm;
  if (out == "-" && !textEmit)
    return userError("`-o -` (stdout) is only for text outputs (--emit=ir|llvm|asm)");

  if (out != "-") {
    std::string dir = dirOf(out);
    if (!dir.empty() && !llvm::sys::fs::is_directory(dir))
      return userError(fmt::format("cannot write `{}`: no such directory `{}`", out, dir));
  }

  // 1. IR and the lowering passes (autodiff, fusion, memory, optimizer).
  ir::Graph graph;
  std::string error;
  if (!lower::runPipeline(model, options.inferenceOnly, graph, error, log.on)) {
    if (error.rfind("internal error", 0) == 0) return toolError(error);
    return userError(error);
  }
  log("ir pipeline");
  if (options.emit == EmitKind::IR)
    return codegen::writeText(ir::print(graph), out, error) ? 0 : userError(error);

  // 2. Target machine.
  codegen::TargetInfo target;
  if (!codegen::createTarget(options.targetCpu, options.optLevel, target, error))
    return userError(error);
  log("target " + target.cpu + " " + target.featureHint);

  // 3. LLVM module with the kernel library linked in.
  llvm::LLVMContext context;
  auto module = std::make_unique<llvm::Module>(prefix, context);
  module->setTargetTriple(target.triple);
  module->setDataLayout(target.machine->createDataLayout());
  std::set<std::string> kernelFns;
  {
    std::unique_ptr<llvm::Module> kernels =
        loadKernelModuleForTarget(context, *target.machine, error);
    if (!kernels) return toolError("cannot load the kernel library: " + error);
    kernels->setTargetTriple(target.triple);
    kernels->setDataLayout(module->getDataLayout());
    for (llvm::Function &f : *kernels)
      if (!f.isDeclaration()) kernelFns.insert(f.getName().str());
    if (llvm::Linker::linkModules(*module, std::move(kernels)))
      return toolError("cannot link the kernel library into the model module");
  }
  log("kernel library");

  // 4. Model constant and kernels (plus main or the C API wrappers).
  codegen::ModuleOptions mo;
  mo.prefix = prefix;
  mo.withMain = options.emit == EmitKind::Exe;
  mo.withCApi = options.emit == EmitKind::Lib || options.emit == EmitKind::Shared;
  mo.rowTile = aec_gemm_row_tile(kernelVectorWidthForTarget(*target.machine));
  if (!codegen::generateModule(model, graph, mo, *module, error)) return toolError(error);

  // Kernels become internal and always inlined into their closures; every
  // function gets the target's CPU and features so inlining is legal and
  // the vectorizer sees the real vector width.
  for (llvm::Function &f : *module) {
    if (f.isDeclaration()) continue;
    if (kernelFns.count(f.getName().str())) {
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
      f.removeFnAttr(llvm::Attribute::NoInline);
      f.removeFnAttr(llvm::Attribute::OptimizeNone);
      f.addFnAttr(llvm::Attribute::AlwaysInline);
    }
    f.addFnAttr("target-cpu", target.cpu);
    if (!target.features.empty()) f.addFnAttr("target-features", target.features);
  }
  {
    std::string verifyMsg;
    llvm::raw_string_ostream vs(verifyMsg);
    if (llvm::verifyModule(*module, &vs))
      return toolError("internal error: generated LLVM IR is invalid: " + vs.str());
  }
  log("llvm ir");

  // 5. Optimize.
  codegen::optimizeModule(*module, *target.machine, options.optLevel);
  log(fmt::format("optimize O{}", options.optLevel));

  // 6. The artifact.
  switch (options.emit) {
  case EmitKind::Llvm: {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os, nullptr);
    os.flush();
    return codegen::writeText(text, out, error) ? 0 : userError(error);
  }
  case EmitKind::Asm:
  case EmitKind::Obj:
    if (!codegen::emitMachineCode(*module, *target.machine, options.emit == EmitKind::Asm, out,
                                  error))
      return userError(error);
    log("emit");
    return 0;
  default:
    break;
  }

  // exe / lib / shared: an object, then the link or the archive.
  const std::string libDir = options.runtimeLibDir.empty() ? "." : options.runtimeLibDir;
  const bool coreOnly = options.inferenceOnly && options.emit != EmitKind::Exe;
  const std::string runtime =
      libDir + "/" + (coreOnly ? "libaec_rt_core.a" : "libaec_runtime.a");
  if (!fileExists(runtime))
    return toolError(fmt::format("the aec runtime library `{}` was not found", runtime));

  TempFile obj;
  {
    llvm::SmallString<128> tmp;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("aec-" + prefix, "o", tmp))
      return toolError("cannot create a temporary file: " + ec.message());
    obj.path = std::string(tmp);
  }
  if (!codegen::emitMachineCode(*module, *target.machine, false, obj.path, error))
    return toolError(error);
  log("object");
  const std::vector<std::string> sysLibs = {"-lz", "-lpng", "-lpthread", "-lm"};

  if (options.emit == EmitKind::Exe) {
    std::vector<std::string> args = {obj.path, "-o", out, runtime};
    args.insert(args.end(), sysLibs.begin(), sysLibs.end());
    if (!codegen::runLinker(args, error)) return toolError(error);
    log("link");
    return 0;
  }

  // lib and shared come with the C header beside them.
  codegen::HeaderInfo h;
  h.prefix = prefix;
  h.inputSize = model.input.elements();
  h.codeSize = model.codeShape().elements();
  h.outputSize = model.layers.back().out.elements();
  h.maxBatch = graph.maxBatch;
  h.paramCount = graph.paramCount;
  h.inferenceOnly = options.inferenceOnly;
  for (const Layer &l : model.layers) h.layers.push_back({l.name, l.out.elements()});
  const std::string header = dirOf(out) + prefix + ".h";

  if (options.emit == EmitKind::Lib) {
    if (!codegen::writeStaticLibrary(out, obj.path, runtime, error)) return userError(error);
  } else {
    std::vector<std::string> args = {"-shared", obj.path, "-o", out, runtime};
    args.insert(args.end(), sysLibs.begin(), sysLibs.end());
    if (!codegen::runLinker(args, error)) return toolError(error);
  }
  if (!codegen::writeText(codegen::cHeader(h), header, error)) return userError(error);
  log(options.emit == EmitKind::Lib ? "archive + header" : "shared + header");
  return 0;
}

} // namespace aec
