// Layer argument structure and layer-level syntax errors (see LayerShape.h).
#include "compiler/parse/LayerShape.h"

#include "compiler/diag/Suggest.h"
#include "compiler/registry/Registry.h"

#include <algorithm>

namespace aec {

namespace {

class Shaper {
public:
  Shaper(ast::LayerStmt &layer, const std::vector<LayerArg> &args,
         const std::vector<std::string> &params, SyntaxDiags &diags)
      : layer_(layer), args_(args), params_(params), diags_(diags) {}

  void run() {
    std::optional<LayerKind> kind = layerKindByKeyword(layer_.kind.name);
    if (!kind)
      return lenient();
    const LayerKindInfo &rule = info(*kind);
    if (rule.args == LayerArgs::None) {
      if (!args_.empty())
        unexpected(0);
      return;
    }
    known(rule);
  }

private:
  ast::LayerStmt &layer_;
  const std::vector<LayerArg> &args_;
  const std::vector<std::string> &params_;
  SyntaxDiags &diags_;

  bool isParam(const std::string &name) const {
    return std::find(params_.begin(), params_.end(), name) != params_.end();
  }
  bool isName(size_t i) const {
    return i < args_.size() && args_[i].kind == LayerArg::Kind::Value &&
           args_[i].value.kind == ast::Value::Kind::Name;
  }
  // A value: a number, or a name that may be a block parameter.
  bool isSize(size_t i) const {
    return i < args_.size() && args_[i].kind == LayerArg::Kind::Value &&
           !looksLikeActivation(i);
  }
  bool isIntNumber(size_t i) const {
    return i < args_.size() && args_[i].kind == LayerArg::Kind::Value &&
           args_[i].value.kind == ast::Value::Kind::Number && args_[i].value.isInteger;
  }
  // A name that is no block parameter and reads as an activation (`relu`,
  // `relux`): in a size position it is a misplaced activation.
  bool looksLikeActivation(size_t i) const {
    if (!isName(i) || isParam(args_[i].value.text))
      return false;
    return closestName(args_[i].value.text, activationKeywords()).has_value();
  }

  SourceRange after(SourceRange r) const { return {r.file, r.end, r.end}; }

  // The statement as written so far, for "unexpected X after `...`".
  std::string textBefore(size_t i) const {
    std::string s = layer_.kind.name;
    for (size_t k = 0; k < i && k < args_.size(); ++k)
      s += " " + args_[k].text;
    return s;
  }

  void unexpected(size_t i) {
    diags_.add(DiagKind::UnexpectedLayerArgument, args_[i].range, {args_[i].text, textBefore(i)});
  }

  // `dense relu 128` -> `dense 128 relu`.
  std::string withActivationLast() const {
    std::string s = layer_.kind.name;
    for (size_t k = 1; k < args_.size(); ++k)
      s += " " + args_[k].text;
    return s + " " + args_[0].text;
  }

  // `3 x 3`, `3 x3`: a kernel written with spaces; returns args consumed.
  size_t kernelWrittenWrong(size_t i) {
    if (!isIntNumber(i) || !isName(i + 1))
      return 0;
    const std::string &x = args_[i + 1].value.text;
    if ((x == "x" || x == "X") && isIntNumber(i + 2)) {
      SourceRange r{args_[i].range.file, args_[i].range.begin, args_[i + 2].range.end};
      diags_.add(DiagKind::KernelWrittenWrong, r, {args_[i].text + "x" + args_[i + 2].text});
      return 3;
    }
    if (x.size() > 1 && (x[0] == 'x' || x[0] == 'X') &&
        std::all_of(x.begin() + 1, x.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      SourceRange r{args_[i].range.file, args_[i].range.begin, args_[i + 1].range.end};
      diags_.add(DiagKind::KernelWrittenWrong, r, {args_[i].text + "x" + x.substr(1)});
      return 2;
    }
    return 0;
  }

  void known(const LayerKindInfo &rule) {
    const std::string &kind = layer_.kind.name;
    if (args_.empty()) {
      diags_.add(DiagKind::LayerNeedsSize, after(layer_.kind.range), {kind, rule.need, rule.example});
      return;
    }
    if (!isSize(0)) {
      bool laterSize = false;
      for (size_t k = 1; k < args_.size(); ++k)
        laterSize |= args_[k].kind != LayerArg::Kind::Stride && !looksLikeActivation(k);
      if (looksLikeActivation(0) && laterSize && rule.activation)
        diags_.add(DiagKind::MisplacedActivation, args_[0].range, {withActivationLast()});
      else
        diags_.add(DiagKind::LayerNeedsSize, args_[0].range, {kind, rule.need, rule.example});
      return;
    }
    layer_.size = args_[0].value;
    size_t i = 1;
    const bool kernel = rule.args == LayerArgs::SizeKernel;
    if (kernel) {
      if (kernelWrittenWrong(1))
        return;
      if (i < args_.size() && args_[i].kind == LayerArg::Kind::Kernel) {
        layer_.kernel = args_[i].kernel;
      } else if (isSize(i)) {
        layer_.kernel = ast::KernelSpec{args_[i].value, std::nullopt, args_[i].range};
      } else {
        std::string example = "conv " + args_[0].text + " 3x3";
        for (size_t k = 1; k < args_.size(); ++k)
          example += " " + args_[k].text;
        SourceRange r = i < args_.size() ? args_[i].range : after(args_[0].range);
        diags_.add(DiagKind::ConvNeedsKernel, r, {example});
        return;
      }
      ++i;
    }
    for (; i < args_.size(); ++i) {
      const LayerArg &a = args_[i];
      if (a.kind == LayerArg::Kind::Stride && kernel && !layer_.stride) {
        layer_.stride = a.value;
      } else if (isName(i) && rule.activation && !layer_.activation) {
        layer_.activation = ast::Ident{a.value.text, a.range};
      } else {
        if (kernel && kernelWrittenWrong(i))
          return;
        unexpected(i);
        return;
      }
    }
  }

  // An unknown layer kind (sema reports it): keep what was written, in the
  // obvious slots, without syntax errors of our own.
  void lenient() {
    for (size_t i = 0; i < args_.size(); ++i) {
      const LayerArg &a = args_[i];
      if (a.kind == LayerArg::Kind::Kernel && !layer_.kernel)
        layer_.kernel = a.kernel;
      else if (a.kind == LayerArg::Kind::Stride && !layer_.stride)
        layer_.stride = a.value;
      else if (a.kind == LayerArg::Kind::Value && !layer_.size && !looksLikeActivation(i))
        layer_.size = a.value;
      else if (isName(i) && !layer_.activation)
        layer_.activation = ast::Ident{a.value.text, a.range};
    }
  }
};

} // namespace

void shapeLayer(ast::LayerStmt &layer, const std::vector<LayerArg> &args,
                const std::vector<std::string> &params, SyntaxDiags &diags) {
  Shaper(layer, args, params, diags).run();
}

} // namespace aec
