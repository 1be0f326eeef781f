// Pass 1: imports. Loads the checked file and everything it imports, each
// file parsed once. An import resolves relative to the importing file, then
// to the stdlib folder (`std/blocks.ae` -> <stdlibDir>/std/blocks.ae).
// Missing files and cycles are errors at the import statement; a cycle gets a
// note at the import that started it. Finally registers every block.
#include "compiler/sema/SemaInternal.h"

#include "compiler/parse/Parser.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace aec::sema {

namespace fs = std::filesystem;

namespace {

std::string canonicalPath(const std::string &p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::path(p), ec);
  if (ec) return fs::path(p).lexically_normal().string();
  return c.string();
}

bool isRegularFile(const fs::path &p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

class Loader {
public:
  explicit Loader(SemaContext &ctx) : ctx_(ctx) {}

  bool loadRoot(const std::string &path) {
    std::string error;
    FileId id = ctx_.options.rootText ? ctx_.sources.add(path, *ctx_.options.rootText)
                                      : ctx_.sources.load(path, error);
    if (id == kNoFile) {
      ctx_.report(DiagKind::CannotOpenFile, SourceRange{}, path, error);
      return false;
    }
    std::unique_ptr<ast::File> file = parseFile(id, ctx_.sources, ctx_.diags);
    if (!file) return false;
    std::string canon = canonicalPath(path);
    loaded_.insert(canon);
    const ast::File *f = file.get();
    ctx_.program.files.push_back(std::move(file));
    stack_.push_back({canon, SourceRange{}, path});
    processImports(*f, path, 0);
    stack_.pop_back();
    return ok_;
  }

private:
  struct Frame {
    std::string canon;
    SourceRange via; // the import statement that loaded it (invalid: root)
    std::string spelled;
  };

  std::optional<fs::path> locate(const std::string &importPath, const std::string &fromFile) {
    fs::path ip(importPath);
    if (ip.is_absolute()) {
      if (isRegularFile(ip)) return ip;
      return std::nullopt;
    }
    fs::path local = fs::path(fromFile).parent_path() / ip;
    if (isRegularFile(local)) return local;
    if (!ctx_.options.stdlibDir.empty()) {
      fs::path std = fs::path(ctx_.options.stdlibDir) / ip;
      if (isRegularFile(std)) return std;
    }
    return std::nullopt;
  }

  // `.ae` files next to where the import was looked for, spelled as imports.
  std::vector<std::string> nearbyImports(const std::string &importPath,
                                         const std::string &fromFile) {
    std::vector<std::string> out;
    fs::path ip(importPath);
    fs::path sub = ip.parent_path();
    std::vector<fs::path> dirs;
    if (ip.is_absolute()) {
      dirs.push_back(sub);
    } else {
      dirs.push_back(fs::path(fromFile).parent_path() / sub);
      if (!ctx_.options.stdlibDir.empty())
        dirs.push_back(fs::path(ctx_.options.stdlibDir) / sub);
    }
    for (const fs::path &dir : dirs) {
      std::error_code ec;
      fs::directory_iterator it(dir, ec), end;
      for (size_t n = 0; !ec && it != end && n < 1000; it.increment(ec), ++n) {
        if (it->path().extension() != ".ae") continue;
        out.push_back((sub / it->path().filename()).generic_string());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void processImports(const ast::File &file, const std::string &filePath, int depth) {
    for (const ast::ImportStmt &imp : file.imports) {
      const std::string &spelled = imp.path.value;
      SourceRange at = imp.path.range.valid() ? imp.path.range : imp.range;
      std::optional<fs::path> found = locate(spelled, filePath);
      if (!found) {
        Reported r = ctx_.report(DiagKind::ImportNotFound, at, spelled,
                                 didYouMean(spelled, nearbyImports(spelled, filePath)));
        if (ctx_.options.stdlibDir.empty() && !ctx_.options.stdlibSearched.empty()) {
          std::string where;
          for (const std::string &d : ctx_.options.stdlibSearched)
            where += (where.empty() ? "`" : ", `") + d + "`";
          r.note(at, "no stdlib folder was found (searched " + where +
                         "); pass `--stdlib DIR` or set AEC_STDLIB");
        }
        ok_ = false;
        continue;
      }
      std::string canon = canonicalPath(found->string());
      auto onStack = std::find_if(stack_.begin(), stack_.end(),
                                  [&](const Frame &f) { return f.canon == canon; });
      if (onStack != stack_.end()) {
        Reported r = ctx_.report(DiagKind::ImportCycle, at, spelled);
        // The import that brought the re-imported file in; for the checked
        // file itself there is none, so point at the first step of the cycle.
        auto next = onStack + 1;
        if (onStack->via.valid())
          r.note(onStack->via, "`" + onStack->spelled + "` is imported here");
        else if (next != stack_.end() && next->via.valid())
          r.note(next->via, "`" + next->spelled + "` is imported here");
        ok_ = false;
        continue;
      }
      if (loaded_.count(canon)) continue; // already parsed once
      if (depth + 1 > kMaxImportDepth) {
        ctx_.report(DiagKind::ImportTooDeep, at, kMaxImportDepth);
        ok_ = false;
        continue;
      }
      loaded_.insert(canon);
      std::string error;
      FileId id = ctx_.sources.load(found->string(), error);
      if (id == kNoFile) {
        ctx_.report(DiagKind::CannotOpenFile, at, found->string(), error);
        ok_ = false;
        continue;
      }
      std::unique_ptr<ast::File> parsed = parseFile(id, ctx_.sources, ctx_.diags);
      if (!parsed) {
        ok_ = false;
        continue;
      }
      const ast::File *f = parsed.get();
      ctx_.program.files.push_back(std::move(parsed));
      stack_.push_back({canon, at, spelled});
      processImports(*f, found->string(), depth + 1);
      stack_.pop_back();
    }
  }

  SemaContext &ctx_;
  std::set<std::string> loaded_;
  std::vector<Frame> stack_;
  bool ok_ = true;
};

// Imported files' blocks first, the checked file's last: a block defined
// twice is then reported in the user's own file, with a note at the first.
void registerBlocks(SemaContext &ctx) {
  Program &p = ctx.program;
  for (size_t i = p.files.size(); i-- > 0;) {
    for (const ast::BlockDecl &b : p.files[i]->blocks) {
      auto [it, inserted] = p.blocks.emplace(b.name.name, &b);
      if (!inserted) {
        ctx.report(DiagKind::DuplicateBlock, b.name.range, b.name.name)
            .note(it->second->name.range, "first defined here");
        p.duplicateBlocks.insert(&b);
      }
    }
  }
}

} // namespace

bool resolveImports(const std::string &path, SemaContext &ctx) {
  Loader loader(ctx);
  bool ok = loader.loadRoot(path);
  if (!ctx.program.files.empty()) registerBlocks(ctx);
  return ok;
}

} // namespace aec::sema
