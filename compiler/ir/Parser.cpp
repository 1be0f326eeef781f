// Reader of the IR text form (see Parser.h). Line-oriented: the `ir` header,
// the optimizer settings, tensors, the layer and graph tables, then ops under
// phase labels. Names come from the registries (activations, losses, ...) and
// Printer.cpp's own functions, inverted here, so an op kind or activation is
// read as soon as the printer prints it.
// Attributes are read by key in any order; the printer's order is canonical.
#include "compiler/ir/Parser.h"

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace aec::ir {

namespace {

// The enum value whose printed name is `s`: values in order, up to the first
// the printer calls "?" (the first match wins, so defaults never shadow).
template <typename E> bool byName(const char *(*name)(E), std::string_view s, E &out) {
  for (int k = 0; k < 64; ++k) {
    const char *n = name(static_cast<E>(k));
    if (std::string_view(n) == "?") return false;
    if (s == n) {
      out = static_cast<E>(k);
      return true;
    }
  }
  return false;
}

enum class Tok { End, Name, Atom, Punct, PlusEq };

struct Token {
  Tok kind = Tok::End;
  std::string_view text; // Name: without the `%`
  uint32_t offset = 0;
  bool is(char c) const { return kind == Tok::Punct && text[0] == c; }
  bool atom(std::string_view s) const { return kind == Tok::Atom && text == s; }
};

bool isPunct(char c) {
  return c == ',' || c == ':' || c == '[' || c == ']' || c == '(' || c == ')' || c == '=';
}
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// One line's tokens; the last is End (at the line's end).
std::vector<Token> tokenize(std::string_view text, uint32_t base) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (isSpace(c)) {
      ++i;
      continue;
    }
    const uint32_t at = base + static_cast<uint32_t>(i);
    if (c == '+' && i + 1 < text.size() && text[i + 1] == '=') {
      out.push_back({Tok::PlusEq, text.substr(i, 2), at});
      i += 2;
      continue;
    }
    if (isPunct(c)) {
      out.push_back({Tok::Punct, text.substr(i, 1), at});
      ++i;
      continue;
    }
    const bool name = c == '%';
    size_t j = name ? i + 1 : i;
    while (j < text.size() && !isSpace(text[j]) && !isPunct(text[j]) && text[j] != '%') ++j;
    if (name) out.push_back({Tok::Name, text.substr(i + 1, j - i - 1), at});
    else out.push_back({Tok::Atom, text.substr(i, j - i), at});
    i = j == i ? i + 1 : j;
  }
  out.push_back({Tok::End, {}, base + static_cast<uint32_t>(text.size())});
  return out;
}

class Reader {
public:
  Reader(FileId file, const SourceManager &sm, DiagnosticEngine &diags, Graph &g)
      : file_(file), sm_(sm), diags_(diags), g_(g) {}

  bool run() {
    const std::string_view text = sm_.text(file_);
    if (!declareTensors(text)) return false;
    bool header = false;
    for (uint32_t start = 0; start <= text.size();) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      toks_ = tokenize(text.substr(start, nl - start), start);
      pos_ = 0;
      start = static_cast<uint32_t>(nl) + 1;
      if (toks_[0].kind == Tok::End || toks_[0].text.substr(0, 1) == ";") continue;
      if (!header && !toks_[0].atom("ir")) return expected(toks_[0], "the `ir` header line");
      header = true;
      if (!line()) return false;
    }
    if (!header) return expected(toks_.back(), "the `ir` header line");
    const std::string problem = verify(g_);
    if (problem.empty()) return true;
    diags_.report(DiagKind::IrInvalid, SourceRange{}, sm_.path(file_), problem);
    return false;
  }

private:
  FileId file_;
  const SourceManager &sm_;
  DiagnosticEngine &diags_;
  Graph &g_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::unordered_map<std::string_view, int> ids_;
  size_t layers_ = 0;
  bool phaseSeen_ = false;
  Phase phase_ = Phase::Forward;

  // ---- diagnostics ----
  template <typename... Args> bool error(const Token &t, DiagKind kind, Args &&...args) {
    const uint32_t len = t.kind == Tok::End ? 0 : static_cast<uint32_t>(t.text.size());
    diags_.report(kind, SourceRange{file_, t.offset, t.offset + len + (t.kind == Tok::Name)},
                  std::forward<Args>(args)...);
    return false;
  }
  static std::string describe(const Token &t) {
    if (t.kind == Tok::End) return "the end of the line";
    return std::string(t.kind == Tok::Name ? "`%" : "`") + std::string(t.text) + "`";
  }
  bool expected(const Token &t, const std::string &what) {
    return error(t, DiagKind::IrExpected, what, describe(t));
  }

  // ---- tokens ----
  const Token &peek() const { return toks_[pos_]; }
  Token take() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool punct(char c) {
    if (!peek().is(c)) return expected(peek(), std::string("`") + c + "`");
    take();
    return true;
  }
  bool atom(Token &t, const char *what) {
    if (peek().kind != Tok::Atom) return expected(peek(), what);
    t = take();
    return true;
  }
  template <typename T> bool number(T &out, std::string_view text, const Token &t) {
    std::string s(text);
    char *end = nullptr;
    errno = 0;
    if constexpr (std::is_integral_v<T>) out = static_cast<T>(std::strtoll(s.c_str(), &end, 10));
    else out = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || errno == ERANGE) return error(t, DiagKind::IrBadNumber, s);
    return true;
  }
  template <typename T> bool number(T &out) {
    Token t;
    return atom(t, "a number") && number(out, t.text, t);
  }
  bool ref(int &id) {
    if (peek().kind != Tok::Name) return expected(peek(), "a tensor (`%name`)");
    Token t = take();
    auto it = ids_.find(t.text);
    if (it == ids_.end()) return error(t, DiagKind::IrUnknownTensor, t.text, t.text);
    id = it->second;
    return true;
  }
  template <typename E>
  bool named(const char *(*name)(E), const char *what, E &out) {
    Token t;
    if (!atom(t, what)) return false;
    if (!byName(name, t.text, out)) return error(t, DiagKind::IrUnknownName, what, t.text);
    return true;
  }
  // A registry keyword (compiler/registry/Registry.h).
  template <typename E>
  bool named(std::optional<E> (*byKeyword)(const std::string &), const char *what, E &out) {
    Token t;
    if (!atom(t, what)) return false;
    std::optional<E> e = byKeyword(std::string(t.text));
    if (!e) return error(t, DiagKind::IrUnknownName, what, t.text);
    out = *e;
    return true;
  }
  bool layerIndex(int &out) {
    Token t = peek();
    int64_t l;
    if (!number(l)) return false;
    if (l < 0 || static_cast<size_t>(l) >= layers_)
      return error(t, DiagKind::IrLayerOutOfRange, l, layers_);
    out = static_cast<int>(l);
    return true;
  }

  // `key[=value] ...` to the end of the line; `attr` reads each value.
  template <typename F> bool attributes(std::string_view context, F attr) {
    while (peek().kind != Tok::End) {
      Token key;
      if (!atom(key, "an attribute")) return false;
      const bool value = peek().is('=');
      if (value) take();
      int r = attr(key.text, value);
      if (r < 0) return false;
      if (r == 0) return error(key, DiagKind::IrUnknownAttribute, key.text, context);
    }
    return true;
  }

  // First pass: every `tensor %name` line, so references may point forward.
  bool declareTensors(std::string_view text) {
    for (uint32_t start = 0; start < text.size();) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      std::vector<Token> t = tokenize(text.substr(start, nl - start), start);
      start = static_cast<uint32_t>(nl) + 1;
      if (t[0].atom("layer")) ++layers_;
      if (!t[0].atom("tensor") || t[1].kind != Tok::Name) continue;
      if (!ids_.emplace(t[1].text, static_cast<int>(ids_.size())).second)
        return error(t[1], DiagKind::IrDuplicateTensor, t[1].text);
    }
    g_.tensors.resize(ids_.size());
    for (auto &[name, id] : ids_) g_.tensors[id].name = std::string(name);
    g_.layerInput.assign(layers_, -1);
    g_.layerOutput.assign(layers_, -1);
    g_.layerWeight.assign(layers_, -1);
    g_.layerBias.assign(layers_, -1);
    return true;
  }

  bool line() {
    const Token first = peek();
    if (first.atom("ir")) return headerLine();
    if (first.atom("optimizer")) return optimizerLine();
    if (first.atom("tensor")) return tensorLine();
    if (first.atom("layer")) return layerLine();
    if (first.atom("graph")) return graphLine();
    if (first.atom("params")) return paramsLine();
    if (first.atom("function")) return functionLine();
    Phase p;
    if (first.kind == Tok::Atom && toks_[1].is(':') && byName(phaseName, first.text, p)) {
      phase_ = p;
      phaseSeen_ = true;
      return true;
    }
    if (!phaseSeen_) return expected(first, "`forward:`, `backward:` or `update:` before ops");
    return opLine();
  }

  bool headerLine() {
    take();
    Token name;
    if (!atom(name, "the model name")) return false;
    g_.modelName = std::string(name.text);
    return attributes("ir", [&](std::string_view k, bool v) -> int {
      if (k == "inference-only" && !v) return g_.inferenceOnly = true;
      int64_t *f = k == "max_batch" ? &g_.maxBatch : k == "params" ? &g_.paramCount
                   : k == "workspace" ? &g_.workspaceSize : k == "opt_slots" ? &g_.optSlots
                                                                               : nullptr;
      if (!f || !v) return 0;
      return number(*f) ? 1 : -1;
    });
  }

  bool optimizerLine() {
    take();
    TrainConfig &tc = g_.train;
    if (!named(optimizerByKeyword, "optimizer", tc.optimizer)) return false;
    return attributes("optimizer", [&](std::string_view k, bool v) -> int {
      double *f = k == "lr" ? &tc.lr : k == "beta1" ? &tc.beta1 : k == "beta2" ? &tc.beta2
                  : k == "eps" ? &tc.eps : k == "momentum" ? &tc.momentum
                  : k == "l2" ? &g_.l2 : nullptr;
      if (!f || !v) return 0;
      return number(*f) ? 1 : -1;
    });
  }

  bool tensorLine() {
    take();
    int id;
    if (!ref(id)) return false;
    ++parsedTensors_;
    Tensor &t = g_.tensors[id];
    if (!punct(':') || !named(bufferName, "buffer", t.buffer) || !punct('[')) return false;
    if (peek().atom("n")) {
      take();
      t.batched = true;
      if (peek().is(',')) take();
    }
    while (!peek().is(']')) {
      int64_t d;
      if (!number(d)) return false;
      if (d < 0) return error(toks_[pos_ - 1], DiagKind::IrBadNumber, toks_[pos_ - 1].text);
      t.dims.push_back(d);
      if (!peek().is(']') && !punct(',')) return false;
    }
    take();
    return attributes("tensor", [&](std::string_view k, bool v) -> int {
      if (!v && (k == "trainable" || k == "frozen")) return (t.trainable = k == "trainable"), 1;
      if (!v && k == "layer_output") return t.isLayerOutput = true;
      if (!v && k.size() > 1 && k[0] == '@')
        return number(t.offset, k.substr(1), toks_[pos_ - 1]) ? 1 : -1;
      if (!v && k == "view") {
        if (!punct('(')) return -1;
        const Token at = peek();
        if (!ref(t.aliasOf) || !punct(')')) return -1;
        if (t.aliasOf >= id)
          return error(at, DiagKind::IrViewOfLater, g_.tensors[id].name, at.text), -1;
        return 1;
      }
      if (v && k == "grad_of") return ref(t.gradOf) ? 1 : -1;
      if (v && k == "layer") return layerIndex(t.layer) ? 1 : -1;
      return 0;
    });
  }

  // A tensor named by a table (layer, graph, params): declared and parsed
  // (tables follow the tensor lines) and of the buffer the role needs.
  size_t parsedTensors_ = 0;
  bool tableRef(int &id, const std::string &role, const Buffer *want) {
    if (parsedTensors_ < ids_.size()) return expected(toks_[0], "the `tensor` lines before the tables");
    const Token at = peek();
    if (!ref(id)) return false;
    const Tensor &t = g_.tensors[id];
    if (want && t.buffer != *want)
      return error(at, DiagKind::IrBadTableEntry, t.name, role,
                   fmt::format("it is a `{}` tensor, not `{}`", bufferName(t.buffer),
                               bufferName(*want)));
    return true;
  }

  bool layerLine() {
    take();
    const Token at = peek();
    int l;
    if (!number(l)) return false;
    if (l != static_cast<int>(declaredLayers_))
      return expected(at, fmt::format("layer {} (layers are numbered in order)", declaredLayers_));
    ++declaredLayers_;
    bool ok = attributes("layer", [&](std::string_view k, bool v) -> int {
      static const Buffer param = Buffer::Param;
      if (v && (k == "weight" || k == "bias"))
        return tableRef(k == "weight" ? g_.layerWeight[l] : g_.layerBias[l],
                        fmt::format("the {} of layer {}", k, l), &param) ? 1 : -1;
      if (v && k == "in") return tableRef(g_.layerInput[l], "a layer input", nullptr) ? 1 : -1;
      if (!v || k != "out") return 0;
      const Token at = peek();
      int &out = g_.layerOutput[l];
      if (!tableRef(out, "a layer output", nullptr)) return -1;
      const std::string role = fmt::format("the output of layer {}", l);
      if (!g_.tensors[out].isLayerOutput)
        return error(at, DiagKind::IrBadTableEntry, at.text, role, "it is not `layer_output`"), -1;
      for (int k2 = 0; k2 < l; ++k2)
        if (g_.layerOutput[k2] == out)
          return error(at, DiagKind::IrBadTableEntry, at.text, role,
                       fmt::format("it is the output of layer {}", k2)), -1;
      return 1;
    });
    if (ok && (g_.layerInput[l] < 0 || g_.layerOutput[l] < 0))
      return expected(toks_.back(), "`in=%tensor out=%tensor`");
    return ok;
  }
  size_t declaredLayers_ = 0;

  bool graphLine() {
    take();
    return attributes("graph", [&](std::string_view k, bool v) -> int {
      if (!v) return 0;
      if (k == "code_layer") return layerIndex(g_.codeLayer) ? 1 : -1;
      if (k == "trainable") {
        int64_t end = 0;
        if (!punct('[') || !number(g_.trainableBegin) || !punct(',') || !number(end) ||
            !punct(')'))
          return -1;
        g_.trainableCount = end - g_.trainableBegin;
        return 1;
      }
      int *f = k == "input" ? &g_.input : k == "loss" ? &g_.lossValue
               : k == "sparsity" ? &g_.sparsityValue : k == "vae_logvar" ? &g_.vaeLogvar
               : k == "vae_eps" ? &g_.vaeEps : nullptr;
      if (!f) return 0;
      static const Buffer input = Buffer::Input, scalar = Buffer::Scalar, ws = Buffer::Workspace;
      const Buffer *want = k == "input" ? &input : f == &g_.lossValue || f == &g_.sparsityValue
                                                       ? &scalar : &ws;
      return tableRef(*f, fmt::format("the graph's `{}`", k), want) ? 1 : -1;
    });
  }

  // Every parameter tensor once, in aec_tensor_info order.
  bool paramsLine() {
    take();
    static const Buffer param = Buffer::Param;
    std::vector<bool> listed(g_.tensors.size(), false);
    while (peek().kind != Tok::End) {
      const Token at = peek();
      int p;
      if (!tableRef(p, "a parameter", &param)) return false;
      if (listed[p]) return error(at, DiagKind::IrBadTableEntry, at.text, "listed twice",
                                "it is already on the `params` line");
      listed[p] = true;
      g_.paramTensors.push_back(p);
      if (peek().kind != Tok::End && !punct(',')) return false;
    }
    for (size_t i = 0; i < g_.tensors.size(); ++i)
      if (g_.tensors[i].buffer == Buffer::Param && !listed[i])
        return error(toks_.back(), DiagKind::IrParamNotListed, g_.tensors[i].name);
    return true;
  }

  // `function NAME i, j, ...` (op indices; the verifier checks them) or
  // `function inference_reads %a=%b, ...`: Graph::functions.
  bool functionLine() {
    take();
    Token name;
    if (!atom(name, "a function name")) return false;
    Graph::Functions &f = g_.functions;
    f.listed = true;
    const bool reads = name.text == "inference_reads";
    int k = 0;
    while (!reads && k < 4 && name.text != functionName(k)) ++k;
    if (k == 4) return error(name, DiagKind::IrUnknownName, "function", name.text);
    while (peek().kind != Tok::End) {
      int a = -1, b = -1;
      if (reads ? !ref(a) || !punct('=') || !ref(b) : !number(a)) return false;
      if (reads) f.inferenceReads.push_back({a, b});
      else f.list(k).push_back(a);
      if (peek().kind != Tok::End && !punct(',')) return false;
    }
    return true;
  }

  bool opLine();
  int opAttribute(Op &op, std::string_view k, bool v);
};

bool Reader::opLine() {
  int out = -1, out2 = -1;
  bool accumulate = false;
  if (peek().kind == Tok::Name) {
    int a;
    if (!ref(a)) return false;
    if (peek().is(',')) { // `%out2, %out` or `%out2, _` (no first result)
      take();
      out2 = a;
      if (peek().atom("_")) take();
      else if (!ref(out)) return false;
    } else {
      out = a;
    }
    if (peek().kind != Tok::PlusEq && !peek().is('=')) return expected(peek(), "`=` or `+=`");
    accumulate = take().kind == Tok::PlusEq;
  }
  const Token kindTok = peek();
  OpKind kind;
  if (kindTok.kind != Tok::Atom) return expected(kindTok, "an op");
  if (!byName(opKindName, kindTok.text, kind))
    return error(kindTok, DiagKind::IrUnknownOp, kindTok.text);
  take();
  Op op{kind, phase_};
  const OpInfo &info = opInfo(kind);
  op.out = out;
  if (out2 >= 0) {
    const Out2 role = info.out2;
    if (role == Out2::None) return error(kindTok, DiagKind::IrNoSecondResult, kindTok.text);
    op.setOut2(role, out2);
  }
  op.accumulate = accumulate;
  while (peek().kind == Tok::Name) {
    int in;
    if (!ref(in)) return false;
    op.ins.push_back(in);
    if (!peek().is(',')) break;
    take();
    if (peek().kind != Tok::Name) return expected(peek(), "a tensor (`%name`)");
  }
  if (!attributes(kindTok.text, [&](std::string_view k, bool v) { return opAttribute(op, k, v); }))
    return false;
  if (op.ins.size() < info.minIns || op.ins.size() > info.maxIns)
    return error(kindTok, DiagKind::IrOperandCount, kindTok.text,
                 info.minIns == info.maxIns ? std::to_string(info.minIns)
                                            : fmt::format("{} to {}", info.minIns, info.maxIns),
                 op.ins.size());
  if (info.out == OpInfo::Result::Required && op.out < 0) return error(kindTok, DiagKind::IrMissingResult, kindTok.text, kindTok.text);
  if (!inPhase(kind, phase_))
    return error(kindTok, DiagKind::IrWrongPhase, kindTok.text, phaseName(phase_));
  g_.ops.push_back(std::move(op));
  return true;
}

// 1: read, 0: not an attribute of ops, -1: reported.
int Reader::opAttribute(Op &op, std::string_view k, bool v) {
  auto real = [&](double &f) { return number(f) ? 1 : -1; };
  auto integer = [&](int64_t &f) { return number(f) ? 1 : -1; };
  auto act = [&](Activation &a) { return named(activationByKeyword, "activation", a) ? 1 : -1; };
  if (!v) {
    if (byName(poolKindName, k, op.pool)) return 1;
    if (k == "transB") return op.transB = true;
    if (k == "train_only") return op.trainOnly = true;
    if (k == "phases") return op.phases = true;
    if (k == "from") return ref(op.noiseFrom) ? 1 : -1;
    if (k == "params") { // `params[begin, end)`
      int64_t end = 0;
      if (!punct('[') || !number(op.begin) || !punct(',') || !number(end) || !punct(')'))
        return -1;
      op.count = end - op.begin;
      return 1;
    }
    return 0;
  }
  if (k == "act") return act(op.act);
  if (k == "deriv") return (op.hasDeriv = true), act(op.derivAct);
  if (k == "loss") return named(lossByKeyword, "loss", op.loss) ? 1 : -1;
  if (k == "kind" && op.kind == OpKind::Noise)
    return named(noiseByKeyword, "noise kind", op.noise) ? 1 : -1;
  if (k == "kind" || k == "sparsity") {
    if (k == "sparsity") op.foldsSparsity = true;
    return named(sparsityByKeyword, "sparsity kind", op.sparsity) ? 1 : -1;
  }
  if (k == "amount" || k == "p" || k == "weight" || k == "beta") return real(op.amount);
  if (k == "rho") return real(op.target);
  if (k == "stride") return integer(op.stride);
  if (k == "factor" || k == "upsample") return integer(op.factor);
  if (k == "maxpool") return integer(op.maxpool);
  if (k == "layer") return layerIndex(op.layer) ? 1 : -1;
  if (k == "scratch") return ref(op.scratch) ? 1 : -1;
  if (k == "kernel") { // `3` or `3x3`
    Token t;
    if (!atom(t, "a kernel size")) return -1;
    if (!number(op.kernel, t.text.substr(0, t.text.find('x')), t)) return -1;
    return op.kernel > 0 ? 1 : (error(t, DiagKind::IrBadNumber, t.text), -1);
  }
  if (k == "noise") { // `gaussian(0.1)`
    if (!named(noiseByKeyword, "noise kind", op.noise) || !punct('(') || !number(op.amount) ||
        !punct(')'))
      return -1;
    return 1;
  }
  double *f = k == "beta1" ? &op.beta1 : k == "beta2" ? &op.beta2 : k == "eps" ? &op.eps
              : k == "momentum" ? &op.momentum : k == "l2" ? &op.l2 : k == "lr" ? &op.lr
                                                                     : nullptr;
  return f ? real(*f) : 0;
}

} // namespace

bool parseIR(FileId file, const SourceManager &sources, DiagnosticEngine &diags, Graph &out) {
  out = Graph{};
  Reader r(file, sources, diags, out);
  return r.run();
}

} // namespace aec::ir
