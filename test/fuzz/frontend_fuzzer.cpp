// libFuzzer target: any byte string through the whole front end, the way
// `aec check`, `aec check --emit=ast|sema` and `aec show` run it. Whatever
// the input, the front end must report diagnostics and return, never crash,
// hang, throw or trip ASan/UBSan. See docs/robustness.md.
//
// The input is written to <tmp>/input.ae and checked from there, so imports
// resolve exactly as for a real file: `std/blocks.ae` from the real stdlib,
// the neighbours written below (a block file, an import cycle, a file that
// imports itself) and `input.ae` itself (a cycle through the checked file).
#include "compiler/ast/ASTDump.h"
#include "compiler/diag/Diagnostics.h"
#include "compiler/diag/SourceManager.h"
#include "compiler/parse/Parser.h"
#include "compiler/sema/Sema.h"
#include "compiler/show/Show.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

std::string gDir;        // scratch directory holding input.ae and neighbours
std::string gInput;      // <gDir>/input.ae
std::string gStdlib;     // the real stdlib folder
std::FILE *gNull = nullptr;

void writeFile(const std::string &path, const void *data, size_t size) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

void writeText(const std::string &name, const std::string &text) {
  writeFile(gDir + "/" + name, text.data(), text.size());
}

// `aec check --emit=ast`: parse only, dump the tree.
void emitAst(const std::string &text) {
  aec::SourceManager sources;
  aec::DiagnosticEngine diags(sources);
  aec::FileId id = sources.add(gInput, text);
  if (std::unique_ptr<aec::ast::File> file = aec::parseFile(id, sources, diags)) {
    std::string dump = aec::dumpAst(*file, sources);
    std::fwrite(dump.data(), 1, dump.size(), gNull);
  }
  diags.flush(gNull);
}

// `aec check --emit=sema` and `aec show`: sema from the file on disk.
void checkAndShow(const std::string &model) {
  aec::SourceManager sources;
  aec::DiagnosticEngine diags(sources);
  aec::SemaOptions options;
  options.stdlibDir = gStdlib;
  options.modelName = model;
  aec::SemaResult r = aec::checkFile(gInput, options, sources, diags);
  if (!diags.hasErrors()) {
    for (const aec::CheckedModel &m : r.models) {
      aec::dumpCheckedModel(m, gNull);
      aec::printShowTable(m, gNull);
    }
  }
  diags.flush(gNull);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  const char *tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/aec-fuzz-XXXXXX";
  if (!::mkdtemp(tmpl.data())) std::abort();
  gDir = tmpl;
  gInput = gDir + "/input.ae";
  const char *stdlib = std::getenv("AEC_FUZZ_STDLIB");
  gStdlib = stdlib && *stdlib ? stdlib : AEC_FUZZ_STDLIB_DIR;
  gNull = std::fopen("/dev/null", "w");
  if (!gNull) std::abort();
  writeText("local.ae", "block pair(n) { dense n relu  dense n relu }\n"
                        "block down(c) { conv c 3x3 relu  maxpool 2 }\n");
  writeText("cycle_a.ae", "import \"cycle_b.ae\"\nblock a(n) { dense n }\n");
  writeText("cycle_b.ae", "import \"cycle_a.ae\"\nblock b(n) { dense n }\n");
  writeText("self.ae", "import \"self.ae\"\n");
  writeText("back.ae", "import \"input.ae\"\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  writeFile(gInput, data, size);
  emitAst(text);
  checkAndShow("");
  // `--model NAME` selects one model (and names an unknown one): exercise it
  // when the input names a model, cheaply, by the first word after `model`.
  size_t at = text.find("model ");
  if (at != std::string::npos) {
    size_t b = at + 6, e = b;
    while (e < text.size() && e - b < 64 &&
           (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '_'))
      ++e;
    checkAndShow(text.substr(b, e - b));
  }
  return 0;
}
