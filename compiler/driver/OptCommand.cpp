// `aec opt FILE.air [--pass=NAME]... [--passes=A,B] [-o FILE]`: reads the IR
// text form, runs the named passes of compiler/lower/ (the verifier after
// each) and prints the result, so each pass has its own lit tests
// (test/lit/passes).
#include "compiler/driver/Commands.h"

#include "compiler/diag/Diagnostics.h"
#ifdef AEC_HAVE_BACKEND
#include "compiler/ir/Parser.h"
#include "compiler/lower/Passes.h"
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace aec {

#ifdef AEC_HAVE_BACKEND
namespace {

const lower::PassInfo *findPass(const std::string &name) {
  for (const lower::PassInfo &p : lower::pipelinePasses())
    if (name == p.name) return &p;
  return nullptr;
}

std::string passNames() {
  std::string s;
  for (const lower::PassInfo &p : lower::pipelinePasses())
    s += (s.empty() ? "`" : ", `") + std::string(p.name) + "`";
  return s;
}

int optimize(const Options &o, DiagnosticEngine &diags, SourceManager &sources) {
  std::vector<const lower::PassInfo *> passes;
  for (const std::string &name : o.passes) {
    passes.push_back(findPass(name));
    if (!passes.back()) {
      diags.report(DiagKind::UnknownPass, SourceRange{}, name, passNames());
      return 1;
    }
  }
  std::string error;
  FileId id = sources.load(o.file, error);
  if (id == kNoFile) {
    diags.report(DiagKind::CannotOpenFile, SourceRange{}, o.file, error);
    return 1;
  }
  ir::Graph g;
  if (!ir::parseIR(id, sources, diags, g)) return 1;
  const CheckedModel model = lower::passSettingsOf(g);
  for (const lower::PassInfo *p : passes) {
    if (p->training && g.inferenceOnly) {
      diags.report(DiagKind::PassNeedsTraining, SourceRange{}, p->name, o.file);
      return 1;
    }
    if (const char *why = lower::passOutOfOrder(*p, g)) {
      diags.report(DiagKind::PassOutOfOrder, SourceRange{}, p->name, o.file, why);
      return 1;
    }
    if (std::string(p->name) != "functions") g.functions = ir::Graph::Functions{}; // now stale
    p->run(g, model);
    const std::string problem = ir::verify(g);
    if (!problem.empty()) { // a pass broke a valid graph: a bug in aec
      std::fprintf(stderr, "aec: internal error: invalid IR after %s: %s\n", p->name,
                   problem.c_str());
      return 2;
    }
  }
  const std::string text = ir::print(g);
  if (o.output.empty() || o.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::FILE *f = std::fopen(o.output.c_str(), "wb");
  bool ok = f && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const int err = errno;
  if (f && std::fclose(f) != 0) ok = false;
  if (!ok) {
    diags.report(DiagKind::CannotWriteFile, SourceRange{}, o.output,
                 std::strerror(err ? err : EIO));
    return 1;
  }
  return 0;
}

} // namespace
#endif

std::string optPassList() {
#ifdef AEC_HAVE_BACKEND
  std::string s;
  for (const lower::PassInfo &p : lower::pipelinePasses())
    s += (s.empty() ? "" : " | ") + std::string(p.name);
  return s;
#else
  return "(none: no back end in this build)";
#endif
}

int runOpt(const Options &o) {
#ifdef AEC_HAVE_BACKEND
  SourceManager sources;
  DiagnosticEngine diags{sources};
  diags.setColor(wantColor(o));
  int rc = optimize(o, diags, sources);
  std::fflush(stdout);
  diags.flush(stderr);
  return rc;
#else
  (void)o;
  std::fputs("aec: environment error: `aec opt` is not available in this build\n", stderr);
  return 2;
#endif
}

} // namespace aec
