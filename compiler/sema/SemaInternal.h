// Internal interfaces between the sema passes (not used outside compiler/sema
// and compiler/show). The pipeline, one pass per file:
//   ImportResolution  files + blocks of the program
//   BlockExpansion    layer statements with block calls expanded
//   NameResolution    layer kinds, activations and setting names -> LayerSpec
//   ShapeInference    LayerSpecs + input shape -> Layers with shapes
//   MirrorDecoder     encoder layers -> decoder layers
//   SymmetryCheck     explicit decoder vs the mirror
//   ConstraintChecks  statements, values, bottleneck, loss/range
// Sema.cpp runs them per model; after an error a pass stops ("poison") so one
// mistake gives one diagnostic.
#pragma once

#include "compiler/ast/AST.h"
#include "compiler/diag/Diagnostics.h"
#include "compiler/sema/Model.h"
#include "compiler/sema/Sema.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace aec::sema {

// Limits that keep every later computation in range and every pass bounded.
constexpr int64_t kMaxElements = (int64_t(1) << 31) - 1; // per tensor, per weight
constexpr int kMaxBlockDepth = 64;   // nested block calls
constexpr size_t kMaxLayers = 10000; // layers per section after expansion
constexpr int kMaxImportDepth = 64;  // nested imports

class SemaContext;

// A diagnostic that was (or, as a duplicate, was not) emitted; notes attach
// only to an emitted one.
class Reported {
public:
  Reported(SemaContext *ctx, bool live) : ctx_(ctx), live_(live) {}
  Reported &note(SourceRange range, std::string message);
  bool live() const { return live_; }

private:
  SemaContext *ctx_;
  bool live_;
};

// A block call on the way to an expanded layer.
struct CallFrame {
  std::string block;
  SourceRange range; // the call statement
};

struct Program {
  std::vector<std::unique_ptr<ast::File>> files; // [0] is the checked file
  std::map<std::string, const ast::BlockDecl *> blocks;
  std::set<const ast::BlockDecl *> duplicateBlocks; // reported, not used
};

class SemaContext {
public:
  SemaContext(SourceManager &sm, DiagnosticEngine &engine, const SemaOptions &opts)
      : sources(sm), diags(engine), options(opts) {}

  // Reports `kind` at `range` unless the same kind was already reported
  // there (a block body is checked once per call; say it once).
  template <typename... Args>
  Reported report(DiagKind kind, SourceRange range, Args &&...args) {
    auto key = std::make_tuple(static_cast<int>(kind), range.file, range.begin, range.end);
    if (!reported_.insert(key).second) return Reported(this, false);
    diags.report(kind, range, std::forward<Args>(args)...);
    return Reported(this, true);
  }
  // Notes "in block `b` called here" for each call frame, innermost first.
  void callNotes(Reported &r, const std::vector<CallFrame> &calls);

  SourceManager &sources;
  DiagnosticEngine &diags;
  const SemaOptions &options;
  Program program;

private:
  std::set<std::tuple<int, FileId, uint32_t, uint32_t>> reported_;
};

// "; did you mean `x`?" or "".
std::string didYouMean(const std::string &name, const std::vector<std::string> &candidates);

// ---- ImportResolution.cpp ----
// Loads and parses `path` and, transitively, its imports into ctx.program;
// registers every block. False if a file could not be read or parsed.
bool resolveImports(const std::string &path, SemaContext &ctx);

// ---- BlockExpansion.cpp ----
// A layer statement with its values substituted (block arguments replace
// parameter names) and the block calls it came from.
struct ExpandedLayer {
  const ast::LayerStmt *stmt = nullptr;
  std::optional<ast::Value> size;
  std::optional<ast::KernelSpec> kernel;
  std::optional<ast::Value> stride;
  std::vector<CallFrame> calls; // outermost first
  bool poisoned = false;        // an unresolved name (already reported)
};
// Checks every block definition once: parameters, names, called blocks.
void checkBlockDefinitions(SemaContext &ctx);
// Expands the calls in `stmts`. False on an error (reported).
bool expandLayers(const std::vector<ast::LayerStmt> &stmts, const std::string &modelName,
                  SemaContext &ctx, std::vector<ExpandedLayer> &out);

// ---- NameResolution.cpp ----
struct LayerSpec {
  LayerKind kind = LayerKind::Dense;
  bool conv2d = true;           // Conv: `KxK` (2-D) or `K` (1-D)
  Activation activation = Activation::Linear;
  int64_t size = 0;             // units, channels or factor
  int64_t kernel = 0;
  int64_t stride = 1;
  double rate = 0;              // Dropout
  SourceRange loc;
  std::vector<CallFrame> calls;
  std::string text;             // "conv 16 3x3", "maxpool 2": used in messages
  bool ok = true;               // false: an error was reported, poison
};
// Names and argument presence of one statement (layer kinds, activation,
// unexpected/missing parts). Used for block bodies and model layers alike.
bool checkLayerNames(const ast::LayerStmt &stmt, SemaContext &ctx);
// Resolves an expanded layer to a spec (names and values checked).
LayerSpec resolveLayer(const ExpandedLayer &layer, SemaContext &ctx);

// ---- ValueChecks (ConstraintChecks.cpp) ----
// Checks a number: not overflowed, not a name, integer if `integer`, inside
// [lo, hi] with open ends as asked. `what` names it in messages ("the batch
// size"). Returns the value or nullopt (reported).
struct NumberRule {
  const char *what;
  bool integer = false;
  double lo = 0;
  bool loOpen = false;
  bool hasLo = true;
  double hi = 0;
  bool hiOpen = false;
  bool hasHi = false;
};
std::optional<double> checkNumber(const ast::Value &v, const NumberRule &rule, SemaContext &ctx);
// A rate in (0, 1).
NumberRule openUnit(const char *what);
// Integer >= 1 that also fits kMaxElements (above it: "shape too large" for
// sizes, factors and dims; a plain out-of-range value for counts like batch).
std::optional<int64_t> checkSize(const ast::Value &v, const char *what, SemaContext &ctx,
                                 bool isShape = true);

// ---- ShapeInference.cpp ----
struct BuiltLayer {
  Layer layer;
  std::string text;
  std::vector<CallFrame> calls;
  bool implicit = false; // added by sema (flatten before `code N`, reshape)
};
// Infers each spec's shapes starting at `in`. Decoder sections pass the
// shapes the encoder flattened, so a spatial layer after a flat tensor of the
// same size gets an implicit reshape. False at the first error (poison).
bool inferShapes(const std::vector<LayerSpec> &specs, const Shape &in, Section section,
                 const std::vector<Shape> &reshapeTargets, SemaContext &ctx,
                 std::vector<BuiltLayer> &out);
// Checked product of dims; false if above kMaxElements.
bool checkedElements(const std::vector<int64_t> &dims, int64_t &result);

// ---- MirrorDecoder.cpp ----
// The output activation that reaches the input range.
Activation outputActivationFor(const CheckedModel &m);
// Builds the mirror of `encoder` (code layer included; indices in it are the
// model's layer indices). `decoderLoc` locates the built layers. False if a
// layer has no inverse (reported at it).
bool buildMirror(const std::vector<BuiltLayer> &encoder, const CheckedModel &m, bool tied,
                 SourceRange decoderLoc, SemaContext &ctx, std::vector<BuiltLayer> &out);

// ---- SymmetryCheck.cpp ----
// Checks an explicit decoder against the mirror; sets `mirrors` on matched
// layers. False on a mismatch (reported).
bool checkSymmetry(const std::vector<BuiltLayer> &encoder, const std::vector<BuiltLayer> &mirror,
                   std::vector<BuiltLayer> &decoder, const ast::DecoderStmt &stmt,
                   SemaContext &ctx);

// ---- ConstraintChecks.cpp ----
// Duplicate and missing statements. False if a required one is missing.
bool checkStatements(const ast::ModelDecl &decl, SemaContext &ctx);
// loss, noise, sparsity, regularize, train: names and values into `m`.
void checkSettings(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m);
// Input shape and range.
bool checkInput(const ast::InputStmt &in, SemaContext &ctx, CheckedModel &m);
// ---- BudgetChecks.cpp ----
// `budget memory X KiB|MiB|GiB` / `budget params N` into `m` (one of each kind).
void checkBudgets(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m);
// The budgets against the built model; the breakdown in a note.
void checkBudgetsFit(const ast::ModelDecl &decl, SemaContext &ctx, const CheckedModel &m);

// ---- WorkflowChecks.cpp (issue 8) ----
void checkSchedule(const ast::TrainStmt &t, SemaContext &ctx, TrainConfig &tc);
void checkWorkflowSettings(const ast::Value *warmup, const ast::Value *validation,
                           const ast::Value *earlyStop, SemaContext &ctx, TrainConfig &tc);
void checkNormalize(const ast::InputStmt &in, SemaContext &ctx, CheckedModel &m);
// Budgets, bottleneck rule and loss/range agreement on a fully built model.
void checkModelConstraints(const ast::ModelDecl &decl, SemaContext &ctx, CheckedModel &m);

} // namespace aec::sema
