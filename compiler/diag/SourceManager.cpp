// Loading source files and mapping byte offsets to 1-based line:col.
#include "compiler/diag/SourceManager.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sys/stat.h>

namespace aec {

namespace {

// Offsets are uint32_t; keep one spare value for the end-of-file position.
constexpr uint64_t kMaxFileSize = std::numeric_limits<uint32_t>::max() - 1;
// A model source is a few KB; reading stops here so that `aec check
// /dev/zero` or a huge file ends with an error, not with all memory.
constexpr uint64_t kMaxSourceSize = 16u << 20;

bool readWholeFile(const std::string &path, std::string &text, std::string &error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "is a directory";
    return false;
  }
  const char *tooLarge = "file is too large (a source file has at most 16 MiB)";
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > kMaxSourceSize) {
    error = tooLarge;
    return false;
  }
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = std::strerror(errno);
    return false;
  }
  text.clear();
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    if (text.size() + n > kMaxSourceSize) {
      std::fclose(f);
      error = tooLarge;
      return false;
    }
    text.append(buf, n);
    // Binary: what was read is enough for the parser's located BinaryFile
    // error (a device like /dev/zero never ends).
    if (std::memchr(buf, 0, n)) break;
  }
  bool failed = std::ferror(f) != 0;
  int savedErrno = errno;
  std::fclose(f);
  if (failed) {
    error = std::strerror(savedErrno ? savedErrno : EIO);
    return false;
  }
  return true;
}

} // namespace

FileId SourceManager::load(const std::string &path, std::string &error) {
  std::string text;
  if (!readWholeFile(path, text, error))
    return kNoFile;
  return add(path, std::move(text));
}

FileId SourceManager::add(std::string path, std::string text) {
  auto file = std::make_unique<File>();
  file->path = std::move(path);
  if (text.size() > kMaxFileSize)
    text.resize(kMaxFileSize);
  file->text = std::move(text);
  file->lineStarts.push_back(0);
  const std::string &t = file->text;
  for (size_t i = 0; i < t.size(); ++i)
    if (t[i] == '\n')
      file->lineStarts.push_back(static_cast<uint32_t>(i + 1));
  files_.push_back(std::move(file));
  return static_cast<FileId>(files_.size() - 1);
}

const std::string &SourceManager::path(FileId id) const {
  static const std::string kUnknown = "<unknown>";
  if (id < 0 || static_cast<size_t>(id) >= files_.size())
    return kUnknown;
  return files_[id]->path;
}

std::string_view SourceManager::text(FileId id) const {
  if (id < 0 || static_cast<size_t>(id) >= files_.size())
    return {};
  return files_[id]->text;
}

LineCol SourceManager::lineCol(FileId id, uint32_t offset) const {
  if (id < 0 || static_cast<size_t>(id) >= files_.size())
    return {};
  const File &f = *files_[id];
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(f.text.size()));
  // The last line start that is <= offset.
  auto it = std::upper_bound(f.lineStarts.begin(), f.lineStarts.end(), offset);
  size_t line = static_cast<size_t>(it - f.lineStarts.begin()); // 1-based
  uint32_t start = f.lineStarts[line - 1];
  return {static_cast<uint32_t>(line), offset - start + 1};
}

std::string_view SourceManager::lineText(FileId id, uint32_t line) const {
  if (id < 0 || static_cast<size_t>(id) >= files_.size())
    return {};
  const File &f = *files_[id];
  if (line == 0 || line > f.lineStarts.size())
    return {};
  uint32_t begin = f.lineStarts[line - 1];
  uint32_t end = line < f.lineStarts.size() ? f.lineStarts[line] - 1
                                            : static_cast<uint32_t>(f.text.size());
  std::string_view s(f.text.data() + begin, end - begin);
  if (!s.empty() && s.back() == '\r')
    s.remove_suffix(1);
  return s;
}

} // namespace aec
