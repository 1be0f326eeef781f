// O3, machine code, link, archive.
#include "compiler/codegen/Emit.h"
#include "compiler/codegen/CApiTable.h"

#include "compiler/codegen/Output.h"
#include "compiler/registry/Registry.h"

#include <llvm/ADT/STLExtras.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/Object/Archive.h>
#include <llvm/Object/ArchiveWriter.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <cctype>
#include <set>

namespace aec::codegen {

// -O1 to -O3 run LLVM's O1 IR pipeline (the code generator's level differs).
// The kernels arrive optimized and vectorized by hand (O2 bitcode); what a
// closure's constant shapes still need is folding, full unrolling (at O3's
// threshold, Target.cpp), CSE and LICM, which O1 has. O3's further passes
// and the vectorizers cost a third of conv.ae's build and made no step faster
// (codegen/README.md, "The optimization pipeline").
void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm, int optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopUnrolling = true;
  pto.LoopVectorization = false;
  pto.SLPVectorization = false;
  llvm::PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      optLevel <= 0 ? pb.buildO0DefaultPipeline(llvm::OptimizationLevel::O0)
                    : pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O1);
  mpm.run(module, mam);
}

static bool emitToBuffer(llvm::Module &module, llvm::TargetMachine &tm, bool assembly,
                         llvm::SmallString<0> &buffer, std::string &error) {
  llvm::raw_svector_ostream mem(buffer);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, mem, nullptr,
                             assembly ? llvm::CodeGenFileType::AssemblyFile
                                      : llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(module);
  return true;
}

bool emitObject(llvm::Module &module, llvm::TargetMachine &tm, llvm::SmallString<0> &object,
                std::string &error) {
  return emitToBuffer(module, tm, false, object, error);
}

bool emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm, bool assembly,
                     const std::string &path, const std::vector<std::string> &others,
                     std::string &error) {
  // Into memory, then one guarded write: never a partial file, and the
  // assembly printer's stream is gone before anything is written.
  llvm::SmallString<0> buffer;
  if (!emitToBuffer(module, tm, assembly, buffer, error)) return false;
  return writeText(std::string(buffer.str()), path, others, error);
}

bool writeText(const std::string &text, const std::string &path,
               const std::vector<std::string> &others, std::string &error) {
  if (path == "-") {
    llvm::outs() << text;
    llvm::outs().flush();
    return true;
  }
  return writeOutput(path, text, others, false, error);
}

bool runLinker(const std::vector<std::string> &args, std::string &error) {
  std::string program;
  for (const char *name : {"cc", "clang-19", "gcc", "clang"}) {
    auto found = llvm::sys::findProgramByName(name);
    if (found) {
      program = *found;
      break;
    }
  }
  if (program.empty()) {
    error = "no C compiler found to link with (tried cc, clang-19, gcc, clang)";
    return false;
  }
  std::vector<llvm::StringRef> argv{program};
  std::string command = program;
  for (const std::string &a : args) {
    argv.push_back(a);
    command += " " + a;
  }
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, {}, 0, 0, &message);
  if (rc != 0) {
    error = fmt::format("linking failed (exit {}){}: {}", rc,
                        message.empty() ? "" : ", " + message, command);
    return false;
  }
  return true;
}

namespace {

// The global symbols an object defines and those it leaves undefined.
struct ObjectSymbols {
  std::set<std::string> defined, undefined;
};

bool readObjectSymbols(llvm::MemoryBufferRef buffer, ObjectSymbols &out, std::string &error) {
  auto obj = llvm::object::ObjectFile::createObjectFile(buffer);
  if (!obj) {
    error = fmt::format("`{}` is not an object file: {}", buffer.getBufferIdentifier().str(),
                        llvm::toString(obj.takeError()));
    return false;
  }
  for (const llvm::object::SymbolRef &sym : (*obj)->symbols()) {
    auto flags = sym.getFlags();
    auto name = sym.getName();
    if (!flags || !name) {
      llvm::consumeError(flags.takeError());
      llvm::consumeError(name.takeError());
      continue;
    }
    if (name->empty()) continue;
    if (*flags & llvm::object::SymbolRef::SF_Undefined) out.undefined.insert(name->str());
    else if (*flags & llvm::object::SymbolRef::SF_Global) out.defined.insert(name->str());
  }
  return true;
}

// Which of `members` (an archive's, in order) a link of objects leaving
// `undefined` undefined pulls in: those defining a symbol still undefined,
// repeatedly (a pulled member's own references count), in archive order.
std::vector<bool> neededMembers(const std::vector<ObjectSymbols> &members,
                                std::set<std::string> undefined) {
  std::vector<bool> needed(members.size(), false);
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < members.size(); ++i) {
      if (needed[i]) continue;
      const bool defines = llvm::any_of(members[i].defined, [&](const std::string &s) {
        return undefined.count(s) != 0;
      });
      if (!defines) continue;
      needed[i] = grew = true;
      undefined.insert(members[i].undefined.begin(), members[i].undefined.end());
    }
  }
  return needed;
}

} // namespace

bool writeStaticLibrary(const std::string &path, const std::vector<std::string> &objects,
                        const std::vector<LibraryArchive> &archives,
                        const std::vector<std::string> &others, std::string &error) {
  std::vector<llvm::NewArchiveMember> members;
  // The objects' temporary file names are random: name the members after the
  // archive so two builds of one model give the same bytes.
  std::string stem = path.substr(path.find_last_of('/') + 1);
  if (stem.size() > 2 && stem.compare(stem.size() - 2, 2, ".a") == 0)
    stem.resize(stem.size() - 2);
  std::vector<std::string> memberNames; // outlive `members`
  for (size_t i = 0; i < objects.size(); ++i)
    memberNames.push_back(stem + (i ? "." + std::to_string(i) : std::string()) + ".o");
  // What the model's objects reference and do not define: the roots of the
  // members an `onlyNeeded` archive contributes.
  std::set<std::string> undefined, defined;
  for (size_t i = 0; i < objects.size(); ++i) {
    auto obj = llvm::NewArchiveMember::getFile(objects[i], true);
    if (!obj) {
      error = fmt::format("cannot read `{}`: {}", objects[i], llvm::toString(obj.takeError()));
      return false;
    }
    obj->MemberName = llvm::StringRef(memberNames[i]);
    ObjectSymbols syms;
    if (!readObjectSymbols(obj->Buf->getMemBufferRef(), syms, error)) return false;
    undefined.insert(syms.undefined.begin(), syms.undefined.end());
    defined.insert(syms.defined.begin(), syms.defined.end());
    members.push_back(std::move(*obj));
  }
  for (const std::string &s : defined) undefined.erase(s);
  // The archives' buffers outlive `members`, which refer to them.
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> buffers;
  std::vector<std::unique_ptr<llvm::object::Archive>> opened;
  for (const LibraryArchive &library : archives) {
    const std::string &archivePath = library.path;
    auto buf = llvm::MemoryBuffer::getFile(archivePath);
    if (!buf) {
      error = fmt::format("cannot read the library `{}`: {}", archivePath,
                          buf.getError().message());
      return false;
    }
    buffers.push_back(std::move(*buf));
    auto archive = llvm::object::Archive::create(buffers.back()->getMemBufferRef());
    if (!archive) {
      error = fmt::format("`{}` is not an archive: {}", archivePath,
                          llvm::toString(archive.takeError()));
      return false;
    }
    opened.push_back(std::move(*archive));
    std::vector<llvm::NewArchiveMember> children;
    std::vector<ObjectSymbols> symbols;
    llvm::Error err = llvm::Error::success();
    for (const llvm::object::Archive::Child &child : opened.back()->children(err)) {
      auto m = llvm::NewArchiveMember::getOldMember(child, true);
      if (!m) {
        error = llvm::toString(m.takeError());
        return false;
      }
      if (library.onlyNeeded) {
        symbols.emplace_back();
        if (!readObjectSymbols(m->Buf->getMemBufferRef(), symbols.back(), error)) return false;
      }
      children.push_back(std::move(*m));
    }
    if (err) {
      error = fmt::format("cannot read `{}`: {}", archivePath, llvm::toString(std::move(err)));
      return false;
    }
    const std::vector<bool> needed = library.onlyNeeded
                                         ? neededMembers(symbols, undefined)
                                         : std::vector<bool>(children.size(), true);
    for (size_t i = 0; i < children.size(); ++i)
      if (needed[i]) members.push_back(std::move(children[i]));
  }
  auto data = llvm::writeArchiveToBuffer(members, llvm::SymtabWritingMode::NormalSymtab,
                                         llvm::object::Archive::K_GNU, true, false);
  if (!data) {
    error = fmt::format("cannot write `{}`: {}", path, llvm::toString(data.takeError()));
    return false;
  }
  return writeOutput(path, (*data)->getBuffer(), others, false, error);
}

// `name` as part of a C macro name: upper case, '_' for anything else.
static std::string macroPart(const std::string &name) {
  std::string up;
  for (char c : name)
    up += std::isalnum(static_cast<unsigned char>(c))
              ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : '_';
  return up;
}

std::string cHeader(const HeaderInfo &h) {
  const std::string &M = h.prefix;
  const std::string guard = macroPart(M) + "_AEC_H"; // (M is a C identifier)
  std::string s = fmt::format(
      "/* {0}.h: C API of the `{0}` autoencoder, generated by `aec build --emit=lib`.\n"
      " * Plain C. Functions returning int return 0 on success, nonzero on error\n"
      " * ({0}_last_error() says why). Arrays are row-major float32: inputs\n"
      " * [n][{0}_INPUT_SIZE], codes [n][{0}_CODE_SIZE]; any n >= 1. */\n"
      "#ifndef {1}\n#define {1}\n\n#include <stdint.h>\n\n"
      "#ifdef __cplusplus\nextern \"C\" {{\n#endif\n\n"
      "#define {0}_INPUT_SIZE {2}\n#define {0}_CODE_SIZE {3}\n#define {0}_OUTPUT_SIZE {4}\n"
      "#define {0}_MAX_BATCH {5}\n#define {0}_PARAM_COUNT {6}\n#define {0}_NUM_LAYERS {7}\n"
      "#define {0}_INFERENCE_ONLY {8}\n"
      "/* The --weight-format it was built with: \"bf16\" or \"int8\" inference reads\n"
      " * the dense weights from a copy made from the f32 weights at load\n"
      " * ({0}_set_weight_format); the _BF16/_INT8 flags say the same. */\n"
      "#define {0}_WEIGHT_FORMAT \"{9}\"\n",
      M, guard, h.inputSize, h.codeSize, h.outputSize, h.maxBatch, h.paramCount,
      h.layers.size(), h.inferenceOnly ? 1 : 0, h.weightFormat);
  // A flag per packed format of the registry (weight_formats.def).
  for (const std::string &f : weightFormatKeywords())
    if (f != info(WeightFormat::F32).keyword)
      s += fmt::format("#define {}_WEIGHT_FORMAT_{} {}\n", M, macroPart(f),
                       f == h.weightFormat ? 1 : 0);
  s += "\n/* Layer indices for _layer_output and their sizes per sample. */\n";
  for (size_t i = 0; i < h.layers.size(); ++i) {
    const std::string up = macroPart(h.layers[i].first);
    s += fmt::format("#define {}_LAYER_{} {}\n#define {}_LAYER_{}_SIZE {}\n", M, up, i, M, up,
                     h.layers[i].second);
  }
  s += fmt::format("\ntypedef struct aec_session {0}_session;\n\n", M);
  for (const CApiFunction &f : cApiFunctions()) {
    if (f.training && h.inferenceOnly) continue;
    if (f.comment) s += std::string(f.comment) + "\n";
    s += cDeclaration(f, M, M + "_session") + "\n";
  }
  s += "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return s;
}

} // namespace aec::codegen
