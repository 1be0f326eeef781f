// Unit tests for the language server's pieces that are easiest to get
// subtly wrong: UTF-16 positions, message framing, file URIs.
#include "compiler/lsp/Positions.h"
#include "compiler/lsp/Transport.h"
#include "compiler/lsp/Uri.h"

#include <gtest/gtest.h>

namespace aec::lsp {
namespace {

using nlohmann::json;

TEST(LspPositions, Utf16UnitsAndClamping) {
  // 'é' is 2 bytes / 1 unit, '😀' 4 bytes / 2 units, "\xff" an invalid byte / 1 unit.
  std::string text = "a\xc3\xa9\xf0\x9f\x98\x80\xff" "b\nsecond";
  LineIndex index(text);
  EXPECT_EQ(index.position(1), (json{{"line", 0}, {"character", 1}}));
  EXPECT_EQ(index.position(3), (json{{"line", 0}, {"character", 2}}));
  EXPECT_EQ(index.position(7), (json{{"line", 0}, {"character", 4}}));
  EXPECT_EQ(index.position(8), (json{{"line", 0}, {"character", 5}}));
  EXPECT_EQ(index.offset(0, 4), 7u);
  EXPECT_EQ(index.offset(0, 3), 3u);     // inside the surrogate pair: before it
  EXPECT_EQ(index.offset(0, 999), 9u);   // past the line's end: its end
  EXPECT_EQ(index.offset(1, 2), 12u);
  EXPECT_EQ(index.offset(7, 0), text.size());
  EXPECT_EQ(index.offset(-1, 5), 0u);
  EXPECT_EQ(index.position(text.size() + 10), (json{{"line", 1}, {"character", 6}}));
}

// A source that hands out one byte per read: framing must not depend on chunks.
class TrickleSource : public ByteSource {
public:
  explicit TrickleSource(std::string s) : s_(std::move(s)) {}
  size_t read(char *buf, size_t n) override {
    if (at_ >= s_.size() || n == 0) return 0;
    buf[0] = s_[at_++];
    return 1;
  }

private:
  std::string s_;
  size_t at_ = 0;
};

TEST(LspTransport, FramingResyncAndLimits) {
  std::string in = "Content-Length: 2\r\n\r\n{}"
                   "\r\n\r\ngarbage line\r\n\r\n"             // no length: skipped
                   "Content-Type: x\r\ncontent-length:3\r\n\r\n[1]"
                   "junk{}Content-Length: 4\r\n\r\nnull"       // glued to garbage: still found
                   "Content-Length: 12345678901234567890123\r\n\r\n"
                   "Content-Length: 5\r\n\r\nab";               // truncated at the end
  TrickleSource src(in);
  MessageReader r(src);
  std::string body, problem;
  EXPECT_EQ(r.next(body, problem), ReadStatus::Message);
  EXPECT_EQ(body, "{}");
  EXPECT_EQ(r.next(body, problem), ReadStatus::Skipped);
  EXPECT_NE(problem.find("without a Content-Length"), std::string::npos);
  EXPECT_EQ(r.next(body, problem), ReadStatus::Message);
  EXPECT_EQ(body, "[1]");
  EXPECT_EQ(r.next(body, problem), ReadStatus::Message);
  EXPECT_EQ(body, "null");
  EXPECT_EQ(r.next(body, problem), ReadStatus::Skipped);
  EXPECT_NE(problem.find("invalid Content-Length"), std::string::npos);
  EXPECT_EQ(r.next(body, problem), ReadStatus::End);
}

TEST(LspUri, PathsRoundTrip) {
  EXPECT_EQ(uriToPath("file:///home/u/my%20model.ae"), "/home/u/my model.ae");
  EXPECT_EQ(uriToPath("file://localhost/tmp/a.ae"), "/tmp/a.ae");
  EXPECT_EQ(uriToPath("untitled:Untitled-1"), "");
  EXPECT_EQ(uriToPath("file:///a%00b"), ""); // a NUL cannot be in a path
  EXPECT_EQ(uriToPath("file:///x%zz"), "/x%zz");
  EXPECT_EQ(pathToUri("/tmp/a b/é.ae"), "file:///tmp/a%20b/%C3%A9.ae");
  EXPECT_EQ(uriToPath(pathToUri("/tmp/a b/é.ae")), "/tmp/a b/é.ae");
}

} // namespace
} // namespace aec::lsp
