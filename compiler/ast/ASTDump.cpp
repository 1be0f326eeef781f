// The `--emit=ast` text tree (see ASTDump.h).
#include "compiler/ast/ASTDump.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace aec {

namespace {

class Dumper {
public:
  explicit Dumper(const SourceManager &sm) : sm_(sm) {}
  std::string out;

  void file(const ast::File &f) {
    line(0, fmt::format("File {}", sm_.path(f.id)), {});
    for (const auto &i : f.imports)
      line(0, fmt::format("Import \"{}\"", i.path.value), i.range);
    for (const auto &b : f.blocks)
      block(b);
    for (const auto &m : f.models)
      model(m);
  }

private:
  const SourceManager &sm_;

  void line(int depth, const std::string &text, SourceRange r) {
    out.append(static_cast<size_t>(depth) * 2, ' ');
    out += text;
    if (r.valid()) {
      LineCol lc = sm_.lineCol(r.file, r.begin);
      out += fmt::format(" <{}:{}>", lc.line, lc.col);
    }
    out += '\n';
  }

  static std::string value(const ast::Value &v) {
    return v.overflow ? v.text + " (overflow)" : v.text;
  }
  static std::string list(const std::vector<ast::Value> &vs) {
    std::string s;
    for (size_t i = 0; i < vs.size(); ++i)
      s += (i ? ", " : "") + value(vs[i]);
    return s;
  }
  static std::string settings(const std::vector<ast::Setting> &ss) {
    std::string s;
    for (const auto &x : ss)
      s += " " + x.key.name + " " + value(x.value);
    return s;
  }

  void block(const ast::BlockDecl &b) {
    std::string params;
    for (size_t i = 0; i < b.params.size(); ++i)
      params += (i ? ", " : "") + b.params[i].name;
    line(0, fmt::format("Block {}({})", b.name.name, params), b.range);
    layers(1, b.body);
  }

  void layers(int depth, const std::vector<ast::LayerStmt> &ls) {
    for (const auto &l : ls) {
      if (l.isCall) {
        line(depth, fmt::format("Call {}({})", l.kind.name, list(l.args)), l.range);
        continue;
      }
      std::string s = "Layer " + l.kind.name;
      if (l.size)
        s += " " + value(*l.size);
      if (l.kernel) {
        s += " " + value(l.kernel->h);
        if (l.kernel->w)
          s += "x" + value(*l.kernel->w);
      }
      if (l.activation)
        s += " " + l.activation->name;
      if (l.stride)
        s += " stride " + value(*l.stride);
      line(depth, s, l.range);
    }
  }

  // Statements are kept per kind in the AST; the dump shows them in source
  // order. Each statement renders into its own chunk, then chunks are sorted.
  using Chunks = std::vector<std::pair<uint32_t, std::string>>;
  template <typename F> void chunk(Chunks &chunks, SourceRange r, F render) {
    std::string saved = std::move(out);
    out.clear();
    render();
    chunks.emplace_back(r.begin, std::move(out));
    out = std::move(saved);
  }
  void flushChunks(Chunks &chunks) {
    std::stable_sort(chunks.begin(), chunks.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    for (auto &c : chunks)
      out += c.second;
  }

  void model(const ast::ModelDecl &m) {
    line(0, "Model " + m.name.name, m.range);
    Chunks chunks;
    for (const auto &i : m.inputs)
      chunk(chunks, i.range, [&] {
        std::string s = "Input [" + list(i.shape) + "]";
        if (i.valueRange)
          s += " range [" + value(i.valueRange->lo) + ", " + value(i.valueRange->hi) + "]";
        line(1, s, i.range);
      });
    for (const auto &e : m.encoders)
      chunk(chunks, e.range, [&] {
        std::string s = "Encoder";
        if (e.from)
          s += " from \"" + e.from->value + "\"";
        if (e.freeze)
          s += " freeze";
        line(1, s, e.range);
        layers(2, e.layers);
      });
    for (const auto &c : m.codes)
      chunk(chunks, c.range, [&] {
        std::string s = "Code " + (c.bracketed ? "[" + list(c.shape) + "]" : list(c.shape));
        if (c.activation)
          s += " " + c.activation->name;
        if (c.variational)
          s += " variational";
        line(1, s, c.range);
      });
    for (const auto &d : m.decoders)
      chunk(chunks, d.range, [&] {
        const char *form = d.form == ast::DecoderForm::Mirror
                               ? (d.tied ? "Decoder mirror tied" : "Decoder mirror")
                           : d.form == ast::DecoderForm::Explicit ? "Decoder explicit"
                                                                  : "Decoder asymmetric";
        line(1, form, d.range);
        layers(2, d.layers);
      });
    for (const auto &l : m.losses)
      chunk(chunks, l.range, [&] { line(1, "Loss " + l.name.name, l.range); });
    for (const auto &n : m.noises)
      chunk(chunks, n.range, [&] { line(1, "Noise " + n.kind.name + " " + value(n.amount), n.range); });
    for (const auto &s : m.sparsities)
      chunk(chunks, s.range, [&] {
        line(1, "Sparsity " + s.kind.name + " " + value(s.amount) + settings(s.options), s.range);
      });
    for (const auto &r : m.regularizers)
      chunk(chunks, r.range, [&] {
        line(1, "Regularize " + r.kind.name + " " + value(r.amount), r.range);
      });
    for (const auto &t : m.trains)
      chunk(chunks, t.range, [&] {
        line(1, "Train", t.range);
        Chunks items;
        for (const auto &o : t.optimizers)
          chunk(items, o.range, [&] { line(2, "Optimizer " + o.name.name + settings(o.options), o.range); });
        for (const auto &s : t.settings)
          chunk(items, s.range, [&] { line(2, "Setting " + s.key.name + " " + value(s.value), s.range); });
        flushChunks(items);
      });
    for (const auto &k : m.kls)
      chunk(chunks, k.range, [&] { line(1, "Kl" + spaced(k.args), k.range); });
    for (const auto &b : m.budgets)
      chunk(chunks, b.range, [&] { line(1, "Budget" + spaced(b.args), b.range); });
    flushChunks(chunks);
  }

  std::string spaced(const std::vector<ast::Value> &vals) {
    std::string s;
    for (const ast::Value &v : vals)
      s += " " + value(v);
    return s;
  }
};

} // namespace

std::string dumpAst(const ast::File &file, const SourceManager &sources) {
  Dumper d(sources);
  d.file(file);
  return d.out;
}

void dumpAst(const ast::File &file, const SourceManager &sources, std::FILE *out) {
  std::string text = dumpAst(file, sources);
  std::fwrite(text.data(), 1, text.size(), out);
}

} // namespace aec
