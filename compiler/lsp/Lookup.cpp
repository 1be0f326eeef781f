// Lookups shared by the handlers (see Lookup.h).
#include "compiler/lsp/Lookup.h"

#include <cctype>
#include <filesystem>

namespace aec::lsp {

namespace fs = std::filesystem;

bool covers(SourceRange r, FileId file, size_t offset) {
  return r.valid() && r.file == file && r.begin <= offset && offset <= r.end;
}

std::string wordAt(std::string_view text, size_t offset, size_t *begin, size_t *end) {
  auto isWord = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  size_t b = std::min(offset, text.size()), e = b;
  while (b > 0 && isWord(text[b - 1])) --b;
  while (e < text.size() && isWord(text[e])) ++e;
  if (begin) *begin = b;
  if (end) *end = e;
  return std::string(text.substr(b, e - b));
}

const ast::BlockDecl *findBlock(const Analysis &a, const std::string &name, FileId *file) {
  for (const auto &f : a.result.files)
    for (const ast::BlockDecl &b : f->blocks)
      if (b.name.name == name) {
        if (file) *file = f->id;
        return &b;
      }
  return nullptr;
}

std::string resolveImport(const std::string &spelled, const std::string &fromPath,
                          const std::string &stdlibDir) {
  std::error_code ec;
  fs::path p(spelled);
  std::vector<fs::path> candidates;
  if (p.is_absolute()) {
    candidates.push_back(p);
  } else {
    candidates.push_back(fs::path(fromPath).parent_path() / p);
    if (!stdlibDir.empty()) candidates.push_back(fs::path(stdlibDir) / p);
  }
  for (const fs::path &c : candidates)
    if (fs::is_regular_file(c, ec)) return fs::absolute(c, ec).lexically_normal().string();
  return "";
}

std::string blockSignature(const ast::BlockDecl &b) {
  std::string s = "block " + b.name.name + "(";
  for (size_t i = 0; i < b.params.size(); ++i) s += (i ? ", " : "") + b.params[i].name;
  return s + ")";
}

} // namespace aec::lsp
