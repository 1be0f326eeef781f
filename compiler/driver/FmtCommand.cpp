// `aec fmt [--check] FILE...`: rewrites each file in the canonical layout
// (compiler/format), atomically (a temporary file beside it, then rename), and
// only if it changes. `--check` writes nothing: it lists the files that are
// not formatted and exits 1 if there are any. `-` formats stdin to stdout.
#include "compiler/driver/Commands.h"

#include "compiler/diag/Diagnostics.h"
#include "compiler/format/Format.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <iostream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace aec {

namespace {

// Writes `text` to `path` through `<path>.aecfmt-XXXXXX` and rename(2), keeping
// the file's permissions; on failure the original is untouched.
bool writeAtomically(const std::string &path, const std::string &text, std::string &error) {
  std::string tmp = path + ".aecfmt-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) ::fchmod(fd, st.st_mode & 07777);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  bool ok = done == text.size() && ::fsync(fd) == 0;
  if (!ok) error = std::strerror(errno ? errno : EIO);
  if (::close(fd) != 0 && ok) {
    ok = false;
    error = std::strerror(errno);
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    error = std::strerror(errno);
  }
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

// Formats one file; returns 0 (formatted or clean), 1 (syntax error, not
// formatted under --check, or unwritable).
int formatOne(const std::string &path, bool checkOnly) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  FileId id = kNoFile;
  std::string error;
  if (path == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    id = sources.add("<stdin>", std::move(text));
  } else {
    id = sources.load(path, error);
  }
  if (id == kNoFile) {
    diags.report(DiagKind::CannotOpenFile, SourceRange{}, path, error);
    diags.flush(stderr);
    return 1;
  }
  std::optional<std::string> out = formatFile(id, sources, diags);
  diags.flush(stderr);
  if (!out) return 1;
  bool same = *out == sources.text(id);
  if (checkOnly) {
    if (!same) std::printf("%s\n", path.c_str());
    return same ? 0 : 1;
  }
  if (path == "-") {
    std::fwrite(out->data(), 1, out->size(), stdout);
    return 0;
  }
  if (same) return 0;
  if (!writeAtomically(path, *out, error)) {
    diags.report(DiagKind::CannotWriteFile, SourceRange{}, path, error);
    diags.flush(stderr);
    return 1;
  }
  return 0;
}

} // namespace

int runFmt(const Options &o) {
  int status = 0;
  for (const std::string &f : o.files) status = std::max(status, formatOne(f, o.checkOnly));
  std::fflush(stdout);
  return status;
}

} // namespace aec
