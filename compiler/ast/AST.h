// The syntax tree of one `.ae` file, exactly as written (blocks not expanded,
// mirror not built). Every node carries its source range. Produced by
// compiler/parse, consumed by compiler/sema; `--emit=ast` dumps it.
#pragma once

#include "compiler/diag/SourceManager.h"

#include <optional>
#include <string>
#include <vector>

namespace aec::ast {

struct Ident {
  std::string name;
  SourceRange range;
};

struct StringLit {
  std::string value; // without quotes
  SourceRange range;
};

// A number literal or a reference to a block parameter (`conv c 3x3`).
struct Value {
  enum class Kind { Number, Name };
  Kind kind = Kind::Number;
  double number = 0;      // Number: the value (inf if it overflowed a double)
  bool isInteger = false; // Number: written without '.' or exponent
  bool overflow = false;  // Number: does not fit (1e309, 99999999999999999999)
  std::string text;       // as written (Number) or the parameter name (Name)
  SourceRange range;
};

// `3x3` (2-D, h and w) or `3` (1-D, only h).
struct KernelSpec {
  Value h;
  std::optional<Value> w;
  SourceRange range;
};

// One statement inside `encoder { }`, `decoder { }` or `block { }`: a layer
// (`dense 512 relu`, `conv 16 3x3 relu stride 2`, `maxpool 2`, `flatten`) or a
// block call (`down(16)`). Unknown layer kinds still parse (sema suggests).
struct LayerStmt {
  SourceRange range;
  Ident kind;                        // dense|conv|maxpool|avgpool|upsample|flatten, or a block name
  bool isCall = false;               // `name(args)`
  std::vector<Value> args;           // block call arguments
  std::optional<Value> size;         // dense units, conv channels, pool/upsample factor
  std::optional<KernelSpec> kernel;  // conv only
  std::optional<Value> stride;       // `stride S`
  std::optional<Ident> activation;   // any identifier; sema checks the name
};

struct RangeSpec {
  Value lo, hi;
  SourceRange range;
};

// `input 784 range [0, 1]` or `input [1, 28, 28]`.
struct InputStmt {
  SourceRange range;
  std::vector<Value> shape;
  bool bracketed = false;
  std::optional<RangeSpec> valueRange;
  // `normalize standard | minmax` (issue 8): the keyword's range and the
  // kind, if written (sema checks the name).
  std::optional<SourceRange> normalize;
  std::optional<Ident> normalizeKind;
};

// `encoder { ... }` or `encoder from "w.aew" freeze { ... }`.
struct EncoderStmt {
  SourceRange range;
  std::optional<StringLit> from;
  bool freeze = false;
  SourceRange freezeRange;
  std::vector<LayerStmt> layers;
};

// `code 32`, `code 32 tanh`, `code [8, 7, 7]`, `code 16 variational`.
struct CodeStmt {
  SourceRange range;
  std::vector<Value> shape;
  bool bracketed = false;
  std::optional<Ident> activation;
  std::optional<Ident> variational; // the word `variational` (in the activation slot)
};

enum class DecoderForm { Mirror, Explicit, Asymmetric };

// `decoder mirror [tied]`, `decoder { ... }`, `decoder asymmetric { ... }`.
struct DecoderStmt {
  SourceRange range;
  DecoderForm form = DecoderForm::Mirror;
  bool tied = false;
  SourceRange tiedRange;
  std::vector<LayerStmt> layers;
};

// `key value` pairs: `lr 1e-3`, `momentum 0.9`, `weight 3`, `batch 256`.
struct Setting {
  Ident key;
  Value value;
  SourceRange range;
};

// `loss bce`
struct LossStmt {
  SourceRange range;
  Ident name;
};

// `noise gaussian 0.1` | `noise mask 0.3` | `noise saltpepper 0.05`
struct NoiseStmt {
  SourceRange range;
  Ident kind;
  Value amount;
};

// `sparsity l1 1e-4` | `sparsity kl 0.05 weight 3`
struct SparsityStmt {
  SourceRange range;
  Ident kind;
  Value amount;                   // l1: the weight; kl: the target rate rho
  std::vector<Setting> options;   // kl: `weight W`
};

// `regularize l2 1e-5`
struct RegularizeStmt {
  SourceRange range;
  Ident kind;
  Value amount;
};

// `kl 1.0 warmup 5`, `kl 0.5`, `kl warmup 3` (issue 7): the VAE's KL weight β
// and its linear warm-up in epochs. `args` is everything after `kl` (sema
// reads β and `warmup E` from it and reports anything else).
struct KlStmt {
  SourceRange range;
  Ident keyword;
  std::vector<Value> args;
};

// `budget memory 256 MiB` | `budget params 1e6` (issue 7). `args` as written.
struct BudgetStmt {
  SourceRange range;
  Ident keyword;
  std::vector<Value> args;
};

// `optimizer adam lr 1e-3` | `optimizer sgd lr 0.1 momentum 0.9`
struct OptimizerStmt {
  SourceRange range;
  Ident name;
  std::vector<Setting> options;
};

// `train { optimizer ...  batch 256  epochs 10  seed 42 }`. Statements may
// come in any order; the parser attaches an optimizer option (lr, momentum,
// beta1, beta2, eps) to the `optimizer` statement before it, and keeps every
// other `key value` (and an optimizer option with no optimizer before it) in
// `settings`.
// `schedule cosine | step 0.5 every 10 | plateau 0.5 patience 3` (issue 8):
// the words after `schedule` as written; sema checks their shape.
struct ScheduleStmt {
  SourceRange range;
  std::vector<Value> words;
};

struct TrainStmt {
  SourceRange range;
  std::vector<OptimizerStmt> optimizers; // more than one is a duplicate
  std::vector<ScheduleStmt> schedules;   // more than one is a duplicate
  std::vector<Setting> settings;         // batch, epochs, seed (sema checks names)
};

// Each statement kind is kept as a list in source order, so sema can report
// duplicates (size > 1) and missing ones (empty).
struct ModelDecl {
  SourceRange range;
  Ident name;
  std::vector<InputStmt> inputs;
  std::vector<EncoderStmt> encoders;
  std::vector<CodeStmt> codes;
  std::vector<DecoderStmt> decoders;
  std::vector<LossStmt> losses;
  std::vector<NoiseStmt> noises;
  std::vector<SparsityStmt> sparsities;
  std::vector<RegularizeStmt> regularizers;
  std::vector<TrainStmt> trains;
  std::vector<KlStmt> kls;         // issue 7
  std::vector<BudgetStmt> budgets; // issue 7: several, one per kind
};

// `block down(c) { conv c 3x3 relu  maxpool 2 }`
struct BlockDecl {
  SourceRange range;
  Ident name;
  std::vector<Ident> params;
  std::vector<LayerStmt> body;
};

struct ImportStmt {
  SourceRange range;
  StringLit path;
};

struct File {
  FileId id = kNoFile;
  std::vector<ImportStmt> imports;
  std::vector<BlockDecl> blocks;
  std::vector<ModelDecl> models;
};

} // namespace aec::ast
