// Parse tree -> formatter statements (see Statements.h). Optimizer options
// (`lr 1e-3` after `optimizer adam`) are separate train items in the grammar
// but belong to the optimizer (compiler/parse/AstBuilder.cpp), so they stay on
// its line.
#include "compiler/format/Statements.h"

#include "compiler/parse/AstBuilder.h"

#include <algorithm>

namespace aec::format {

namespace {

using P = aecgen::AEParser;

size_t startOf(antlr4::ParserRuleContext *c) { return c->getStart()->getTokenIndex(); }
size_t stopOf(antlr4::ParserRuleContext *c) { return c->getStop()->getTokenIndex(); }
size_t indexOf(antlr4::tree::TerminalNode *t) { return t->getSymbol()->getTokenIndex(); }

Node leaf(antlr4::ParserRuleContext *c) {
  Node n;
  n.first = startOf(c);
  n.last = stopOf(c);
  return n;
}

// A statement whose body is `open ... close`, holding `items`.
template <typename Item, typename Fn>
Node withBody(antlr4::ParserRuleContext *c, antlr4::tree::TerminalNode *open,
              antlr4::tree::TerminalNode *close, const std::vector<Item *> &items, Fn each) {
  Node n;
  n.first = startOf(c);
  n.last = indexOf(open);
  n.hasBody = true;
  n.close = indexOf(close);
  for (Item *i : items) each(i, n.body);
  return n;
}

void layer(P::LayerContext *l, std::vector<Node> &out) { out.push_back(leaf(l)); }

Node layerBody(antlr4::ParserRuleContext *c, P::LayerBodyContext *b) {
  return withBody(c, b->LBRACE(), b->RBRACE(), b->layer(), layer);
}

bool isOptimizerOption(P::TrainItemContext *item) {
  auto *s = dynamic_cast<P::SettingItemContext *>(item);
  if (!s) return false;
  const std::vector<std::string> &keys = optimizerOptionKeys();
  return std::find(keys.begin(), keys.end(), s->setting()->IDENT()->getText()) != keys.end();
}

// Train items, with optimizer options joined to the optimizer before them.
std::vector<Node> trainItems(const std::vector<P::TrainItemContext *> &items) {
  std::vector<Node> out;
  bool optimizerLine = false;
  for (P::TrainItemContext *item : items) {
    if (optimizerLine && isOptimizerOption(item)) {
      out.back().last = stopOf(item);
      continue;
    }
    optimizerLine = dynamic_cast<P::OptimizerItemContext *>(item) != nullptr;
    out.push_back(leaf(item));
  }
  return out;
}

Node modelStmt(P::ModelStmtContext *s) {
  if (auto *e = dynamic_cast<P::EncoderStmtContext *>(s)) return layerBody(e, e->layerBody());
  if (auto *d = dynamic_cast<P::DecoderBodyStmtContext *>(s)) return layerBody(d, d->layerBody());
  if (auto *t = dynamic_cast<P::TrainStmtContext *>(s)) {
    Node n = withBody(t, t->LBRACE(), t->RBRACE(), std::vector<P::LayerContext *>{}, layer);
    n.body = trainItems(t->trainItem());
    return n;
  }
  return leaf(s);
}

} // namespace

std::vector<Node> statementsOf(const SyntaxTree &tree) {
  std::vector<Node> out;
  for (P::TopItemContext *item : tree.root()->topItem()) {
    if (auto *b = item->blockDecl()) {
      out.push_back(layerBody(b, b->layerBody()));
    } else if (auto *m = item->modelDecl()) {
      out.push_back(withBody(m, m->LBRACE(), m->RBRACE(), m->modelStmt(),
                             [](P::ModelStmtContext *s, std::vector<Node> &body) {
                               body.push_back(modelStmt(s));
                             }));
    } else {
      out.push_back(leaf(item));
    }
  }
  return out;
}

} // namespace aec::format
