// Completion words (see Vocabulary.h).
#include "compiler/lsp/Vocabulary.h"

#include "AELexer.h"
#include "compiler/parse/AstBuilder.h"
#include "compiler/registry/Registry.h"

#include <algorithm>

namespace aec::lsp {

namespace {

// A keyword's spelling from the generated lexer (`'import'` -> import).
std::string keyword(size_t tokenType) {
  static antlr4::ANTLRInputStream none("");
  static aecgen::AELexer lexer(&none); // the vocabulary is per class, reached through an instance
  std::string s = lexer.getVocabulary().getLiteralName(tokenType);
  return s.size() >= 2 ? s.substr(1, s.size() - 2) : s;
}

Vocabulary build() {
  using L = aecgen::AELexer;
  Vocabulary v;
  v.topLevel = {keyword(L::IMPORT), keyword(L::BLOCK), keyword(L::MODEL)};
  v.modelStatements = modelStatementWords();
  v.layerKinds = layerKindKeywords();
  // Registry order, but the default (`linear`, what omitting gives) offered last.
  v.activations = activationKeywords();
  std::stable_partition(v.activations.begin(), v.activations.end(),
                        [](const std::string &a) { return a != activationName(Activation::Linear); });
  v.optimizerOptions = optimizerOptionKeys();
  // Checked in compiler/sema/ConstraintChecks.cpp (names written inline there).
  std::string optimizers;
  for (const std::string &o : optimizerKeywords())
    optimizers += (optimizers.empty() ? "" : " | ") + o;
  v.trainSettings = {{keyword(L::OPTIMIZER), optimizers + ", then options"},
                     {"batch", "samples per step"},
                     {"epochs", "passes over the data"},
                     {"seed", "random seed"},
                     // issue 8 (compiler/sema/WorkflowChecks.cpp)
                     {"schedule", "cosine | step F every N | plateau F patience N"},
                     {"warmup", "epochs of linear learning-rate warm-up"},
                     {"validation", "fraction held out for validation, by the seed"},
                     {"early_stop", "epochs without a lower val_loss before stopping"}};
  v.valuesAfter = {{keyword(L::LOSS), lossKeywords()},
                   {keyword(L::NOISE), noiseKeywords()},
                   {keyword(L::SPARSITY), sparsityKeywords()},
                   {keyword(L::REGULARIZE), {"l2"}},
                   {keyword(L::OPTIMIZER), optimizerKeywords()},
                   {keyword(L::DECODER), {keyword(L::MIRROR), keyword(L::ASYMMETRIC)}},
                   {keyword(L::ENCODER), {keyword(L::FROM)}}};
  return v;
}

} // namespace

const Vocabulary &vocabulary() {
  static const Vocabulary v = build();
  return v;
}

} // namespace aec::lsp
