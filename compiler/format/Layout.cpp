// The canonical layout (see Layout.h). Comments are placed by what precedes
// them in the source: on the same line as code -> that line's trailing
// comment; otherwise a line of its own at the current indentation. A `//`
// comment (or a multi-line `/* */`) written inside a statement cannot stay
// there once the statement is on one line; it moves to a line of its own
// just before the statement.
#include "compiler/format/Layout.h"

#include <algorithm>

namespace aec::format {

namespace {

using antlr4::Token;
using P = aecgen::AEParser;

// Columns count code points, so a comment after a string with UTF-8 in it
// lines up the same way on every run.
size_t codePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\f' || s.back() == '\v'))
    s.pop_back();
  return s;
}

bool isComment(const Token *t) {
  return t->getType() == P::LINE_COMMENT || t->getType() == P::BLOCK_COMMENT;
}

// A comment that must end its line: `//`, or a `/* */` spanning lines.
bool endsLine(const Token *t) {
  return t->getType() == P::LINE_COMMENT || t->getText().find('\n') != std::string::npos;
}

struct Line {
  int depth = 0;
  std::string code;         // or a whole comment line
  std::string comment;      // trailing comment, if any
  size_t commentCol = 0;    // its column in the source (code points)
  bool blankBefore = false;
  bool continuation = false; // a comment-only line continuing the trailing comment above
};

class Layouter {
public:
  Layouter(const std::vector<Token *> &tokens, std::string_view text)
      : toks_(tokens), text_(text) {}

  std::string run(const std::vector<Node> &top) {
    items(top, 0);
    gap(toks_.size() - 1, 0, lines_.empty()); // comments before EOF
    return render();
  }

private:
  void items(const std::vector<Node> &nodes, int depth) {
    for (size_t k = 0; k < nodes.size(); ++k) {
      const Node &n = nodes[k];
      bool blank = gap(n.first, depth, k == 0 && (depth > 0 || lines_.empty()));
      std::vector<std::string> moved;
      std::string c = code(n.first, n.last, moved);
      for (std::string &m : moved) {
        push(depth, std::move(m), blank);
        blank = false;
      }
      push(depth, std::move(c), blank);
      cursor_ = n.last + 1;
      if (!n.hasBody) continue;
      if (n.body.empty() && !commentsIn(n.last + 1, n.close)) {
        lines_.back().line.code += " }";
        cursor_ = n.close + 1;
        continue;
      }
      items(n.body, depth + 1);
      gap(n.close, depth + 1, n.body.empty());
      push(depth, "}", false);
      cursor_ = n.close + 1;
    }
  }

  bool commentsIn(size_t from, size_t to) const {
    for (size_t i = from; i < to; ++i)
      if (isComment(toks_[i])) return true;
    return false;
  }

  // Consumes the hidden tokens before token `upTo`: comments become trailing
  // or own-line comments. Returns whether a blank line precedes the next code.
  bool gap(size_t upTo, int depth, bool atStart) {
    int newlines = 0;
    for (; cursor_ < upTo; ++cursor_) {
      const Token *t = toks_[cursor_];
      std::string text = t->getText();
      if (!isComment(t)) {
        newlines += static_cast<int>(std::count(text.begin(), text.end(), '\n'));
        continue;
      }
      text = rstrip(text);
      bool trailing = newlines == 0 && !lines_.empty() && !lines_.back().isComment &&
                      lines_.back().line.comment.empty() && text.find('\n') == std::string::npos;
      const Line *above = lines_.empty() ? nullptr : &lines_.back().line;
      if (trailing) {
        lines_.back().line.comment = text;
        lines_.back().line.commentCol = column(t);
      } else if (newlines == 1 && above && !above->comment.empty() &&
                 column(t) == above->commentCol && text.find('\n') == std::string::npos) {
        // A comment lined up under the trailing comment above continues it.
        Entry e;
        e.line = {0, "", text, above->commentCol, false, true};
        e.isComment = true;
        lines_.push_back(std::move(e));
      } else {
        push(depth, text, newlines >= 2 && !atStart, true);
        atStart = false;
      }
      newlines = 0;
    }
    return newlines >= 2 && !atStart;
  }

  // The tokens [first, last] on one line; comments that cannot stay inside
  // go to `moved`.
  std::string code(size_t first, size_t last, std::vector<std::string> &moved) {
    std::string out;
    int prev = -1; // type of the previous piece; -2: an inline comment
    for (size_t i = first; i <= last; ++i) {
      const Token *t = toks_[i];
      int type = t->getType();
      if (t->getChannel() != Token::DEFAULT_CHANNEL) {
        if (!isComment(t)) continue;
        if (endsLine(t)) {
          moved.push_back(rstrip(t->getText()));
          continue;
        }
        type = -2;
      }
      bool tight = prev == -1 || prev == P::LPAREN || prev == P::LBRACKET || prev == P::MINUS ||
                   type == P::RPAREN || type == P::RBRACKET || type == P::COMMA ||
                   type == P::LPAREN;
      if (prev == -2 || type == -2) tight = prev == -1;
      if (!tight) out += ' ';
      out += t->getText();
      prev = type;
    }
    return out;
  }

  size_t column(const Token *t) const {
    size_t at = t->getStartIndex();
    size_t lineStart = text_.rfind('\n', at == 0 ? 0 : at - 1);
    lineStart = (lineStart == std::string_view::npos || at == 0) ? 0 : lineStart + 1;
    return codePoints(text_.substr(lineStart, at - lineStart));
  }

  void push(int depth, std::string code, bool blank, bool isComment = false) {
    Entry e;
    e.line.depth = depth;
    e.line.code = std::move(code);
    e.line.blankBefore = blank;
    e.isComment = isComment;
    lines_.push_back(std::move(e));
  }

  std::string render() const {
    std::vector<size_t> col(lines_.size(), 0);
    auto width = [&](const Line &l) {
      return l.continuation ? 0 : 2 * static_cast<size_t>(l.depth) + codePoints(l.code);
    };
    for (size_t i = 0; i < lines_.size();) {
      if (lines_[i].line.comment.empty()) {
        ++i;
        continue;
      }
      size_t j = i, target = 0;
      while (j < lines_.size() && !lines_[j].line.comment.empty() &&
             (j == i || !lines_[j].line.blankBefore)) {
        const Line &l = lines_[j].line;
        target = std::max({target, l.commentCol, l.continuation ? 0 : width(l) + 2});
        ++j;
      }
      for (size_t k = i; k < j; ++k) col[k] = target;
      i = j;
    }
    std::string out;
    for (size_t i = 0; i < lines_.size(); ++i) {
      const Line &l = lines_[i].line;
      if (l.blankBefore && !out.empty()) out += '\n';
      if (!l.continuation) out += std::string(2 * static_cast<size_t>(l.depth), ' ') + l.code;
      if (!l.comment.empty()) out += std::string(col[i] - width(l), ' ') + l.comment;
      out += '\n';
    }
    return out;
  }

  struct Entry {
    Line line;
    bool isComment = false;
  };

  const std::vector<Token *> &toks_;
  std::string_view text_;
  std::vector<Entry> lines_;
  size_t cursor_ = 0;
};

} // namespace

std::string layout(const SyntaxTree &tree, const std::vector<Node> &top, std::string_view text) {
  return Layouter(tree.tokens(), text).run(top);
}

} // namespace aec::format
