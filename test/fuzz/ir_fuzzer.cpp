// libFuzzer target: any byte string through the IR text reader the way
// `aec opt` reads a .air file (compiler/ir/Parser.cpp), and, when it parses,
// through the passes that may run on it. Whatever the input, it must report
// diagnostics and return: no crash, hang or ASan/UBSan report. Seeds: the
// .air files of test/lit/passes. See docs/robustness.md.
#include "compiler/diag/Diagnostics.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/ir/Parser.h"
#include "compiler/lower/Passes.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aec::SourceManager sources;
  aec::FileId id = sources.add("input.air", std::string(reinterpret_cast<const char *>(data), size));
  aec::DiagnosticEngine diags(sources);
  aec::ir::Graph g;
  if (aec::ir::parseIR(id, sources, diags, g)) {
    const aec::CheckedModel model = aec::lower::passSettingsOf(g);
    // The passes `aec opt` would run from the graph's stage on, in order.
    for (const aec::lower::PassInfo &p : aec::lower::pipelinePasses()) {
      if ((p.training && g.inferenceOnly) || aec::lower::passOutOfOrder(p, g)) continue;
      p.run(g, model);
      if (!aec::ir::verify(g).empty()) break;
    }
  }
  diags.take();
  return 0;
}
