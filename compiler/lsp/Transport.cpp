// LSP framing (see Transport.h).
#include "compiler/lsp/Transport.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace aec::lsp {

size_t FdSource::read(char *buf, size_t n) {
  for (;;) {
    ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return 0;
  }
}

void FdSink::write(const std::string &bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; // the client went away; reading will see the end
    done += static_cast<size_t>(n);
  }
}

size_t StringSource::read(char *buf, size_t n) {
  size_t k = std::min(n, data_.size() - at_);
  std::memcpy(buf, data_.data() + at_, k);
  at_ += k;
  return k;
}

bool MessageReader::fill() {
  if (eof_) return false;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  char chunk[65536];
  size_t n = in_.read(chunk, sizeof chunk);
  if (n == 0) {
    eof_ = true;
    return false;
  }
  buf_.append(chunk, n);
  return true;
}

bool MessageReader::readLine(std::string &line) {
  line.clear();
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    size_t end = nl == std::string::npos ? buf_.size() : nl;
    if (line.size() < kMaxHeaderLine)
      line.append(buf_, pos_, std::min(end - pos_, kMaxHeaderLine - line.size()));
    if (nl != std::string::npos) {
      pos_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    pos_ = buf_.size();
    if (!fill()) return !line.empty();
  }
}

bool MessageReader::readBytes(size_t n, std::string *out) {
  if (out) out->clear();
  while (n > 0) {
    if (pos_ >= buf_.size() && !fill()) return false;
    size_t k = std::min(n, buf_.size() - pos_);
    if (out) out->append(buf_, pos_, k);
    pos_ += k;
    n -= k;
  }
  return true;
}

namespace {

// The value of a `Content-Length:` header anywhere in `line` (so that a
// message glued to the end of a broken one is still found). -1: none;
// -2: present but not a number that fits.
long long contentLength(const std::string &line) {
  static const char key[] = "content-length:";
  std::string lower(line);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t at = lower.rfind(key);
  if (at == std::string::npos) return -1;
  size_t i = at + sizeof key - 1;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  unsigned long long v = 0;
  size_t digits = 0;
  for (; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i, ++digits) {
    if (v > (~0ull - 9) / 10) return -2;
    v = v * 10 + static_cast<unsigned>(line[i] - '0');
  }
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (digits == 0 || i != line.size() || v > static_cast<unsigned long long>(kMaxSkip)) return -2;
  return static_cast<long long>(v);
}

} // namespace

ReadStatus MessageReader::next(std::string &body, std::string &problem) {
  problem.clear();
  long long length = -1;
  bool sawHeader = false;
  std::string line;
  for (;;) {
    if (!readLine(line)) return ReadStatus::End;
    if (line.empty()) {
      if (!sawHeader) continue; // stray blank lines between messages
      break;
    }
    sawHeader = true;
    long long v = contentLength(line);
    if (v == -2) problem = "invalid Content-Length header `" + line.substr(0, 80) + "`";
    if (v >= 0) {
      length = v;
      problem.clear();
    }
  }
  if (length < 0) {
    if (problem.empty()) problem = "message without a Content-Length header";
    return ReadStatus::Skipped;
  }
  auto n = static_cast<size_t>(length);
  if (n > kMaxBody) {
    problem = "message of " + std::to_string(n) + " bytes is over the limit of " +
              std::to_string(kMaxBody) + "; skipped";
    return readBytes(n, nullptr) ? ReadStatus::Skipped : ReadStatus::End;
  }
  if (!readBytes(n, &body)) return ReadStatus::End;
  return ReadStatus::Message;
}

void writeMessage(ByteSink &out, const std::string &body) {
  out.write("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

} // namespace aec::lsp
