// LSP base protocol (JSON-RPC framing): `Content-Length: N\r\n\r\n` + N bytes.
// Reading never trusts the peer: header lines and headers are bounded, a
// missing or unreadable length resynchronises on the next `Content-Length:`,
// a body larger than kMaxBody is skipped in bounded chunks, and end of input
// ends the loop. Sources and sinks are abstract so the fuzzer drives the
// same code from a byte string.
#pragma once

#include <cstddef>
#include <string>

namespace aec::lsp {

constexpr size_t kMaxBody = 64u << 20;        // 64 MiB: a huge document, still bounded
constexpr size_t kMaxHeaderLine = 8u << 10;   // longer header lines are cut
constexpr size_t kMaxSkip = size_t(1) << 40;  // beyond this a length is nonsense: resync

class ByteSource {
public:
  virtual ~ByteSource() = default;
  // Up to `n` bytes into `buf`; 0 at end of input.
  virtual size_t read(char *buf, size_t n) = 0;
};

class ByteSink {
public:
  virtual ~ByteSink() = default;
  virtual void write(const std::string &bytes) = 0;
};

class FdSource : public ByteSource {
public:
  explicit FdSource(int fd) : fd_(fd) {}
  size_t read(char *buf, size_t n) override;

private:
  int fd_;
};

class FdSink : public ByteSink {
public:
  explicit FdSink(int fd) : fd_(fd) {}
  void write(const std::string &bytes) override;

private:
  int fd_;
};

class StringSource : public ByteSource {
public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  size_t read(char *buf, size_t n) override;

private:
  std::string data_;
  size_t at_ = 0;
};

class StringSink : public ByteSink {
public:
  void write(const std::string &bytes) override { data += bytes; }
  std::string data;
};

enum class ReadStatus { Message, Skipped, End };

class MessageReader {
public:
  explicit MessageReader(ByteSource &in) : in_(in) {}
  // The next message body. `Skipped`: a framing problem, described in `problem`
  // (the caller logs it and reads on). `End`: no more input.
  ReadStatus next(std::string &body, std::string &problem);

private:
  bool fill();
  bool readLine(std::string &line); // false at end of input
  bool readBytes(size_t n, std::string *out);

  ByteSource &in_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
};

// Frames and writes one message.
void writeMessage(ByteSink &out, const std::string &body);

} // namespace aec::lsp
