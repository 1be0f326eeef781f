// Owns the text of every loaded source file and maps offsets to line:col.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aec {

using FileId = int32_t;
constexpr FileId kNoFile = -1;

// A half-open byte range [begin, end) inside one file. Lines and columns are
// 1-based and computed on demand.
struct SourceRange {
  FileId file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool valid() const { return file != kNoFile; }
};

struct LineCol {
  uint32_t line = 0;
  uint32_t col = 0;
};

class SourceManager {
public:
  // Loads a file from disk; returns kNoFile (and leaves `error` set) on failure.
  FileId load(const std::string &path, std::string &error);
  // Adds an in-memory buffer (tests, fuzzer).
  FileId add(std::string path, std::string text);

  const std::string &path(FileId id) const;
  std::string_view text(FileId id) const;
  LineCol lineCol(FileId id, uint32_t offset) const;
  // The full text of 1-based line `line`, without its newline.
  std::string_view lineText(FileId id, uint32_t line) const;
  size_t fileCount() const { return files_.size(); }

private:
  struct File {
    std::string path;
    std::string text;
    std::vector<uint32_t> lineStarts;
  };
  std::vector<std::unique_ptr<File>> files_;
};

} // namespace aec
