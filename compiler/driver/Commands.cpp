// `aec check|show|build` (see Commands.h).
#include "compiler/driver/Commands.h"

#include "compiler/ast/ASTDump.h"
#include "compiler/diag/Diagnostics.h"
#include "compiler/driver/JsonOutput.h"
#include "compiler/parse/Parser.h"
#include "compiler/sema/Sema.h"
#include "compiler/show/Show.h"
#ifdef AEC_HAVE_BACKEND
#include "compiler/codegen/Build.h"
#include "compiler/codegen/ObjectCache.h"
#include "compiler/codegen/PhaseTimes.h"
#include "compiler/driver/OnnxEmit.h"
#endif

#include <algorithm>
#include <optional>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace aec {

namespace {

// Everything one command run needs; diagnostics are flushed on the way out,
// also when an exception passes (main reports it as an internal error).
struct Session {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  ~Session() {
    std::fflush(stdout);
    diags.flush(stderr);
  }
  int status(int wanted = 0) const { return diags.hasErrors() ? std::max(wanted, 1) : wanted; }
};

// A missing or unreadable input is reported before anything else runs.
bool inputReadable(const std::string &path, DiagnosticEngine &diags) {
  struct stat st {};
  std::string error;
  if (::stat(path.c_str(), &st) != 0)
    error = std::strerror(errno);
  else if (S_ISDIR(st.st_mode))
    error = "is a directory";
  else if (std::FILE *f = std::fopen(path.c_str(), "rb"))
    std::fclose(f);
  else
    error = std::strerror(errno);
  if (error.empty())
    return true;
  diags.report(DiagKind::CannotOpenFile, SourceRange{}, path, error);
  return false;
}

// `--emit=ast`: parse only (imports are not followed), dump the tree.
int emitAst(const Options &o, Session &s) {
  std::string error;
  FileId id = s.sources.load(o.file, error);
  if (id == kNoFile) {
    s.diags.report(DiagKind::CannotOpenFile, SourceRange{}, o.file, error);
    return 1;
  }
  std::unique_ptr<ast::File> file = parseFile(id, s.sources, s.diags);
  if (!file)
    return s.status(1);
  if (!o.model.empty()) {
    auto &models = file->models;
    models.erase(std::remove_if(models.begin(), models.end(),
                                [&](const ast::ModelDecl &m) { return m.name.name != o.model; }),
                 models.end());
    if (models.empty()) {
      s.diags.report(DiagKind::UnknownModel, SourceRange{}, o.model, o.file, "");
      return 1;
    }
  }
  dumpAst(*file, s.sources, stdout);
  return s.status();
}

SemaResult check(const Options &o, const ToolDirs &dirs, Session &s) {
  SemaOptions so;
  so.stdlibDir = dirs.stdlib;
  so.stdlibSearched = dirs.stdlibSearched;
  so.modelName = o.model;
  return checkFile(o.file, so, s.sources, s.diags);
}

// `show` and `build` work on one model: checks the input and returns its only
// model (kept in `r`), or null once the reason is reported (exit status 1).
const CheckedModel *checkOneModel(const Options &o, const ToolDirs &dirs, Session &s,
                                  SemaResult &r) {
  if (!inputReadable(o.file, s.diags))
    return nullptr;
  r = check(o, dirs, s);
  if (s.diags.hasErrors())
    return nullptr;
  if (r.models.empty()) {
    s.diags.report(DiagKind::NoModel, SourceRange{}, o.file); // normally sema's
    return nullptr;
  }
  if (r.models.size() > 1) {
    std::string names;
    for (const CheckedModel &m : r.models)
      names += (names.empty() ? "`" : ", `") + m.name + "`";
    s.diags.report(DiagKind::SeveralModels, SourceRange{}, o.file, names);
    return nullptr;
  }
  return &r.models.front();
}

int checkOrDump(const Options &o, const ToolDirs &dirs, Session &s) {
  if (o.emit == "ast")
    return emitAst(o, s);
  if (!inputReadable(o.file, s.diags))
    return 1;
  SemaResult r = check(o, dirs, s);
  if (o.emit == "sema" && !s.diags.hasErrors())
    for (const CheckedModel &m : r.models)
      dumpCheckedModel(m, stdout);
  return s.status();
}

} // namespace

int runCheck(const Options &o, const ToolDirs &dirs) {
  Session s;
  s.diags.setColor(wantColor(o));
  int status = checkOrDump(o, dirs, s);
  if (o.format == "json")
    printDiagnosticsJson(s.diags.take(), s.sources, stdout);
  return status;
}

int runShow(const Options &o, const ToolDirs &dirs) {
  Session s;
  s.diags.setColor(wantColor(o));
  SemaResult r;
  const CheckedModel *m = checkOneModel(o, dirs, s, r);
  if (o.format == "json") {
    if (m)
      printShowJson(*m, s.diags.take(), s.sources, stdout);
    else
      printDiagnosticsJson(s.diags.take(), s.sources, stdout);
  } else if (m) {
    printShowTable(*m, stdout);
  }
  return m ? s.status() : 1;
}

#ifdef AEC_HAVE_BACKEND
namespace {

EmitKind emitKind(const std::string &e) {
  if (e == "lib") return EmitKind::Lib;
  if (e == "shared") return EmitKind::Shared;
  if (e == "obj") return EmitKind::Obj;
  if (e == "llvm") return EmitKind::Llvm;
  if (e == "asm") return EmitKind::Asm;
  if (e == "ir") return EmitKind::IR;
  return EmitKind::Exe;
}

// issue 9: a model whose training cannot fit in this machine's memory still
// builds (the artifact may train elsewhere, or only run inference), but not
// without a word; `budget memory` in the model makes it an error instead.
void warnTrainingMemory(const CheckedModel &m, DiagnosticEngine &diags) {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return;
  const int64_t ram = static_cast<int64_t>(pages) * page;
  if (m.trainMemory().total <= ram) return;
  diags.report(DiagKind::TrainingMemoryExceedsRam, SourceRange{}, m.name, memoryBreakdown(m),
               m.train.batch, humanBytes(ram));
  diags.flush();
}

// issue 7: the front end knows these model kinds before the back end does.
const char *unsupportedFeature(const CheckedModel &m) {
  if (m.variational && m.sparsity != SparsityKind::None)
    return "`sparsity` on a variational code";
  return nullptr;
}

// Makefile syntax: spaces and '#' escaped with a backslash, '$' doubled.
std::string makeEscaped(const std::string &path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

// `--depfile`: the output and every source file read for it (the model and its imports).
bool writeDepfile(const std::string &path, const std::string &output, const SourceManager &sm,
                  DiagnosticEngine &diags) {
  std::string text = makeEscaped(output) + ":";
  for (size_t id = 0; id < sm.fileCount(); ++id)
    text += " \\\n  " + makeEscaped(sm.path(static_cast<FileId>(id)));
  text += "\n";
  std::FILE *f = std::fopen(path.c_str(), "w");
  bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f && std::fclose(f) != 0) ok = false;
  if (!ok) diags.report(DiagKind::DepfileNotWritable, SourceRange{}, path, std::strerror(errno));
  return ok;
}

} // namespace
#endif

int runBuild(const Options &o, const ToolDirs &dirs) {
  Session s;
  s.diags.setColor(wantColor(o));
  if (o.emit == "ast" || o.emit == "sema")
    return checkOrDump(o, dirs, s);
#ifdef AEC_HAVE_BACKEND
  std::optional<PhaseTimes> times;
  if (o.timePhases) times.emplace();
  SemaResult r;
  const CheckedModel *m = checkOneModel(o, dirs, s, r);
  if (!m)
    return 1;
  if (times) times->mark("front end (parse, sema)");
  if (const char *feature = unsupportedFeature(*m)) {
    s.diags.report(DiagKind::BackendUnsupported, SourceRange{}, feature);
    return 1;
  }
  if (!o.inferenceOnly) warnTrainingMemory(*m, s.diags);
  BuildOptions b;
  b.emit = emitKind(o.emit);
  b.output = o.output.empty() ? defaultOutput(b.emit, m->name) : o.output;
  b.inferenceOnly = o.inferenceOnly;
  b.weightFormat = o.weightFormat;
  b.distributed = o.distributed;
  b.targetCpu = o.targetCpu;
#if defined(__x86_64__)
  // Libraries are shipped to other machines: a documented portable default.
  if (b.targetCpu.empty() && (b.emit == EmitKind::Lib || b.emit == EmitKind::Shared))
    b.targetCpu = "x86-64-v3";
#endif
  b.optLevel = o.optLevel;
  b.kernels = o.kernels == "auto"       ? KernelMode::Auto
              : o.kernels == "prebuilt" ? KernelMode::Prebuilt
              : o.kernels == "inline"   ? KernelMode::Inline
                                        : KernelMode::Default;
  b.debugInfo = o.debugInfo;
  b.runtimeLibDir = dirs.runtimeLib;
  b.runtimeIncludeDir = dirs.runtimeInclude;
  for (size_t i = 0; i < s.sources.fileCount(); ++i)
    b.inputs.push_back(s.sources.path(static_cast<FileId>(i)));
  if (!m->pretrainedPath.empty()) b.inputs.push_back(m->pretrainedPath);
  if (o.emit == "onnx") {
    if (o.output.empty()) b.output = m->name + ".onnx";
    return s.status(emitOnnx(*m, b, o.weights, s.diags));
  }
  b.times = times ? &*times : nullptr;
  if (!o.noCache) b.cacheDir = codegen::ObjectCache::defaultDir();
  int rc = buildModel(*m, b, s.diags);
  if (times) {
    times->mark("output"); // the text of --emit=llvm/asm/ir, what the phases left
    times->print(stderr);
  }
  if (rc == 0 && !o.depfile.empty() && !writeDepfile(o.depfile, b.output, s.sources, s.diags))
    rc = 1;
  return s.status(rc);
#else
  std::fputs("aec: environment error: code generation is not available in this build\n", stderr);
  return 2;
#endif
}

} // namespace aec
