// Completion words (see Vocabulary.h).
#include "compiler/lsp/Vocabulary.h"

#include "AELexer.h"
#include "compiler/parse/AstBuilder.h"
#include "compiler/sema/SemaInternal.h" // layerKindNames, activationNames

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
  v.layerKinds = sema::layerKindNames();
  v.activations = sema::activationNames();
  v.optimizerOptions = optimizerOptionKeys();
  // Checked in compiler/sema/ConstraintChecks.cpp (names written inline there).
  v.trainSettings = {{keyword(L::OPTIMIZER), "adam | sgd, then options"},
                     {"batch", "samples per step"},
                     {"epochs", "passes over the data"},
                     {"seed", "random seed"}};
  v.valuesAfter = {{keyword(L::LOSS), {"mse", "bce"}},
                   {keyword(L::NOISE), {"gaussian", "mask", "saltpepper"}},
                   {keyword(L::SPARSITY), {"l1", "kl"}},
                   {keyword(L::REGULARIZE), {"l2"}},
                   {keyword(L::OPTIMIZER), {"adam", "sgd"}},
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
