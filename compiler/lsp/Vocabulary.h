// The words completion offers, gathered from where the compiler defines
// them: statement keywords from the grammar's tokens, model statements and
// optimizer options from the AST builder, layer kinds and activations from
// sema's name tables. The names sema checks inline (losses, noise kinds,
// train settings, ...) are listed in Vocabulary.cpp until a registry exists.
#pragma once

#include <string>
#include <vector>

namespace aec::lsp {

struct Word {
  std::string name;
  std::string detail;
};

struct Vocabulary {
  std::vector<std::string> topLevel;        // import, block, model
  std::vector<std::string> modelStatements; // input, encoder, code, ...
  std::vector<std::string> layerKinds;      // dense, conv, maxpool, ...
  std::vector<std::string> activations;     // relu, sigmoid, ...
  std::vector<std::string> optimizerOptions;
  std::vector<Word> trainSettings;          // batch, epochs, seed (+ optimizer)
  // After `loss`, `noise`, `sparsity`, `regularize`, `optimizer`, `decoder`, `encoder`.
  std::vector<std::pair<std::string, std::vector<std::string>>> valuesAfter;
};

const Vocabulary &vocabulary();

} // namespace aec::lsp
