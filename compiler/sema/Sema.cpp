// checkFile: runs the sema passes (see SemaInternal.h) over the selected
// model(s) of a file and assembles the CheckedModel.
#include "compiler/sema/Sema.h"

#include "compiler/sema/SemaInternal.h"

#include <filesystem>

namespace aec {

namespace sema {
namespace {

bool hasDense(const std::vector<BuiltLayer> &layers) {
  for (const BuiltLayer &b : layers)
    if (b.layer.kind == LayerKind::Dense) return true;
  return false;
}

std::string shapeText(const std::vector<ast::Value> &vals) {
  std::string s = "[";
  for (size_t i = 0; i < vals.size(); ++i) s += (i ? ", " : "") + vals[i].text;
  return s + "]";
}

// Expands and resolves a layer list; every layer is name-checked even after
// an error so that independent mistakes are all reported.
bool specsFor(const std::vector<ast::LayerStmt> &stmts, const std::string &model,
              SemaContext &ctx, std::vector<LayerSpec> &specs) {
  std::vector<ExpandedLayer> expanded;
  bool ok = expandLayers(stmts, model, ctx, expanded);
  for (const ExpandedLayer &e : expanded) {
    specs.push_back(resolveLayer(e, ctx));
    ok &= specs.back().ok;
  }
  return ok;
}

// `code N [act]` (a dense bottleneck, after a flatten if needed) or
// `code [C, H, W]` (asserts the encoder output).
bool buildCode(const ast::CodeStmt &c, SemaContext &ctx, const Shape &input,
               std::vector<BuiltLayer> &enc, CheckedModel &m) {
  bool isShape = c.bracketed || c.shape.size() != 1;
  if (isShape) {
    bool ok = true;
    std::string text = shapeText(c.shape);
    if (c.activation) {
      ctx.report(DiagKind::CodeShapeActivation, c.activation->range, text);
      ok = false;
    }
    if (c.variational) {
      ctx.report(DiagKind::VariationalNeedsFlatCode, c.variational->range, text);
      ok = false;
    }
    if (c.shape.empty() || c.shape.size() > 3) {
      ctx.report(DiagKind::ShapeRank, c.range, "the code shape", c.shape.size());
      return false;
    }
    Shape want;
    for (const ast::Value &v : c.shape) {
      std::optional<int64_t> d = checkSize(v, "a code dimension", ctx);
      if (!d) return false;
      want.dims.push_back(*d);
    }
    int64_t n = 0;
    if (!checkedElements(want.dims, n)) {
      ctx.report(DiagKind::ShapeTooLarge, c.range,
                 "the code has more than " + std::to_string(kMaxElements) + " elements");
      return false;
    }
    if (!ok) return false;
    if (enc.empty()) {
      ctx.report(DiagKind::CodeShapeNoEncoder, c.range, text);
      return false;
    }
    const BuiltLayer &last = enc.back();
    if (last.layer.out != want) {
      Reported r = ctx.report(DiagKind::CodeShapeMismatch, c.range, want.str(),
                              last.layer.out.str());
      r.note(last.layer.loc, "the encoder output is produced here");
      ctx.callNotes(r, last.calls);
      return false;
    }
    m.codeIndex = static_cast<int>(enc.size()) - 1;
    return true;
  }

  std::optional<int64_t> units = checkSize(c.shape[0], "the code size", ctx);
  Activation act = Activation::Linear;
  bool ok = units.has_value();
  if (c.activation) {
    if (auto a = activationByKeyword(c.activation->name)) {
      act = *a;
    } else {
      ctx.report(DiagKind::UnknownActivation, c.activation->range, c.activation->name,
                 didYouMean(c.activation->name, activationKeywords()));
      ok = false;
    }
  }
  if (!ok) return false;
  Shape cur = enc.empty() ? input : enc.back().layer.out;
  int64_t n = 0;
  checkedElements(cur.dims, n);
  if (cur.rank() != 1) {
    BuiltLayer f;
    f.implicit = true;
    f.layer.kind = LayerKind::Flatten;
    f.layer.section = Section::Encoder;
    f.layer.in = cur;
    f.layer.out = Shape{{n}};
    f.layer.loc = c.range;
    f.text = "flatten";
    enc.push_back(std::move(f));
    cur = Shape{{n}};
  }
  int64_t weights = 0;
  if (!checkedElements({n, *units}, weights)) {
    ctx.report(DiagKind::ShapeTooLarge, c.range,
               "`code " + c.shape[0].text + "` on " + std::to_string(n) +
                   " inputs needs more than " + std::to_string(kMaxElements) + " weights");
    return false;
  }
  BuiltLayer code;
  code.layer.kind = LayerKind::Dense;
  code.layer.section = Section::Code;
  code.layer.units = *units;
  code.layer.activation = act;
  code.layer.variational = c.variational.has_value();
  m.variational = code.layer.variational;
  code.layer.in = cur;
  code.layer.out = Shape{{*units}};
  code.layer.loc = c.range;
  code.text = "code " + std::to_string(*units); // as the user wrote it, for messages
  if (c.variational) code.text += " variational";
  enc.push_back(std::move(code));
  m.codeIndex = static_cast<int>(enc.size()) - 1;
  return true;
}

std::optional<CheckedModel> checkModel(const ast::ModelDecl &decl, SemaContext &ctx) {
  unsigned errorsBefore = ctx.diags.errorCount();
  CheckedModel m;
  m.name = decl.name.name;
  if (decl.range.valid()) m.sourcePath = ctx.sources.path(decl.range.file);

  bool complete = checkStatements(decl, ctx);
  bool inputOk = !decl.inputs.empty() && checkInput(decl.inputs[0], ctx, m);

  // Encoder.
  std::vector<BuiltLayer> enc;
  bool encOk = false;
  if (!decl.encoders.empty()) {
    const ast::EncoderStmt &e = decl.encoders[0];
    if (e.freeze && !e.from)
      ctx.report(DiagKind::FreezeWithoutFrom, e.freezeRange.valid() ? e.freezeRange : e.range);
    if (e.from) {
      namespace fs = std::filesystem;
      if (e.from->value.empty()) {
        ctx.report(DiagKind::InvalidValue, e.from->range, "the checkpoint path", "a file name",
                   "\"\"");
      } else {
        fs::path p(e.from->value);
        if (p.is_relative() && e.from->range.valid())
          p = fs::path(ctx.sources.path(e.from->range.file)).parent_path() / p;
        std::error_code ec;
        fs::path abs = fs::absolute(p, ec);
        m.pretrainedPath = (ec ? p : abs).lexically_normal().string();
        m.freezeEncoder = e.freeze;
      }
    }
    std::vector<LayerSpec> specs;
    bool namesOk = specsFor(e.layers, m.name, ctx, specs);
    if (inputOk && namesOk) encOk = inferShapes(specs, m.input, Section::Encoder, {}, ctx, enc);
  }

  // Code.
  bool codeOk = false;
  if (encOk && !decl.codes.empty()) {
    codeOk = buildCode(decl.codes[0], ctx, m.input, enc, m);
  } else if (!decl.codes.empty()) {
    // Still check what can be checked without the encoder's output.
    const ast::CodeStmt &c = decl.codes[0];
    for (const ast::Value &v : c.shape) checkSize(v, "the code size", ctx);
    if (c.activation && !activationByKeyword(c.activation->name) && !c.bracketed)
      ctx.report(DiagKind::UnknownActivation, c.activation->range, c.activation->name,
                 didYouMean(c.activation->name, activationKeywords()));
  }

  // Decoder.
  std::vector<BuiltLayer> dec;
  bool decOk = false;
  if (!decl.decoders.empty()) {
    const ast::DecoderStmt &d = decl.decoders[0];
    if (d.form == ast::DecoderForm::Mirror) {
      if (codeOk) {
        m.tied = d.tied;
        if (d.tied && !hasDense(enc))
          ctx.report(DiagKind::TiedWithoutDense, d.tiedRange.valid() ? d.tiedRange : d.range);
        decOk = buildMirror(enc, m, d.tied, d.range, ctx, dec);
      }
    } else {
      std::vector<LayerSpec> specs;
      bool namesOk = specsFor(d.layers, m.name, ctx, specs);
      if (codeOk && namesOk) {
        std::vector<Shape> flattened;
        for (const BuiltLayer &b : enc)
          if (b.layer.kind == LayerKind::Flatten) flattened.push_back(b.layer.in);
        const Shape &codeShape = enc[static_cast<size_t>(m.codeIndex)].layer.out;
        decOk = inferShapes(specs, codeShape, Section::Decoder, flattened, ctx, dec);
        if (decOk && d.form == ast::DecoderForm::Explicit) {
          std::vector<BuiltLayer> mirror;
          decOk = buildMirror(enc, m, false, d.range, ctx, mirror) &&
                  checkSymmetry(enc, mirror, dec, d, ctx);
        }
        if (decOk) {
          const Shape &out = dec.empty() ? codeShape : dec.back().layer.out;
          if (out != m.input) {
            SourceRange at = dec.empty() ? d.range : dec.back().layer.loc;
            Reported r = ctx.report(DiagKind::DecoderOutputShape, at, out.str(), m.input.str());
            if (!dec.empty()) ctx.callNotes(r, dec.back().calls);
            r.note(decl.inputs[0].range, "the input is declared here");
            decOk = false;
          }
        }
      }
    }
  }

  // Settings come after the layers in a model, and so do their diagnostics.
  checkSettings(decl, ctx, m);

  // Assemble: names, transfer flags.
  int encN = 0, decN = 0;
  for (BuiltLayer &b : enc) {
    Layer &l = b.layer;
    if (l.section == Section::Code) {
      l.name = "code";
    } else {
      l.name = "enc" + std::to_string(++encN);
      l.pretrained = !m.pretrainedPath.empty();
      l.frozen = l.pretrained && m.freezeEncoder;
    }
    m.layers.push_back(l);
  }
  for (BuiltLayer &b : dec) {
    b.layer.name = "dec" + std::to_string(++decN);
    m.layers.push_back(b.layer);
  }

  if (complete && codeOk && decOk) checkModelConstraints(decl, ctx, m);
  if (ctx.diags.errorCount() != errorsBefore || !complete || !codeOk || !decOk)
    return std::nullopt;
  return m;
}

} // namespace
} // namespace sema

namespace {

void checkProgram(const std::string &path, const SemaOptions &options, sema::SemaContext &ctx,
                  DiagnosticEngine &diags, SemaResult &result);

} // namespace

SemaResult checkFile(const std::string &path, const SemaOptions &options,
                     SourceManager &sources, DiagnosticEngine &diags) {
  SemaResult result;
  sema::SemaContext ctx(sources, diags, options);
  checkProgram(path, options, ctx, diags, result);
  result.files = std::move(ctx.program.files);
  return result;
}

namespace {

void checkProgram(const std::string &path, const SemaOptions &options, sema::SemaContext &ctx,
                  DiagnosticEngine &diags, SemaResult &result) {
  using namespace sema;
  bool loaded = resolveImports(path, ctx);
  if (ctx.program.files.empty()) return;
  checkBlockDefinitions(ctx);
  if (!loaded) return; // a missing or unparsable import: blocks are incomplete

  const ast::File &main = *ctx.program.files[0];
  std::map<std::string, const ast::ModelDecl *> byName;
  std::vector<std::string> names;
  for (const ast::ModelDecl &d : main.models) {
    auto [it, inserted] = byName.emplace(d.name.name, &d);
    if (!inserted)
      ctx.report(DiagKind::DuplicateModel, d.name.range, d.name.name)
          .note(it->second->name.range, "first defined here");
    else
      names.push_back(d.name.name);
  }
  if (main.models.empty()) {
    ctx.report(DiagKind::NoModel, SourceRange{}, path);
    return;
  }

  std::vector<const ast::ModelDecl *> selected;
  if (!options.modelName.empty()) {
    auto it = byName.find(options.modelName);
    if (it == byName.end()) {
      ctx.report(DiagKind::UnknownModel, SourceRange{}, options.modelName, path,
                 didYouMean(options.modelName, names));
      return;
    }
    selected.push_back(it->second);
  } else {
    for (const std::string &n : names) selected.push_back(byName[n]);
  }

  std::vector<CheckedModel> models;
  for (const ast::ModelDecl *d : selected)
    if (std::optional<CheckedModel> m = checkModel(*d, ctx)) models.push_back(std::move(*m));
  if (diags.hasErrors()) return;
  result.models = std::move(models);
}

} // namespace

} // namespace aec
