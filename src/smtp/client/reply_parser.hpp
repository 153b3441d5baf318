// Reads the replies an SMTP server sends to our client (RFC 5321 §4.2):
// single and multi-line replies, with the enhanced status code (RFC 3463) split
// off the first line when present. Parses untrusted network input: lines and
// replies are bounded, and a malformed reply is an error, never a guess.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp::client {

constexpr size_t kMaxReplyLineLength = 4096;  // octets incl. CRLF; RFC 5321 §4.5.3.1.5 asks for 512
constexpr size_t kMaxReplyLines = 256;        // an EHLO reply has a dozen; anything huge is hostile

struct ServerReply {
  int code = 0;                    // 200..599
  std::string enhanced;            // "5.1.1" when the first line carries one, else ""
  std::vector<std::string> lines;  // text of each line after "ddd-"/"ddd " (enhanced code kept out of the first)

  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
  // "550 5.1.1 no such user" (lines joined with "; "), for logs and DSNs.
  std::string summary() const;
};

// Incremental: feed() bytes as they arrive, next() returns each complete reply.
// After an error every later call reports the same error.
class ReplyParser {
 public:
  void feed(std::string_view bytes);
  // A complete reply, std::nullopt when more bytes are needed. Check error()
  // when it returns nullopt.
  std::optional<ServerReply> next();
  const std::string& error() const { return error_; }
  bool failed() const { return !error_.empty(); }
  // Bytes received but not yet part of a complete reply.
  size_t buffered() const { return buffer_.size(); }

 private:
  bool take_line(std::string& line);
  std::string buffer_;
  size_t scan_ = 0;
  ServerReply partial_;
  bool in_reply_ = false;
  std::string error_;
};

// Parses "x.y.z" (RFC 3463: class 2/4/5, subject 0-999, detail 0-999) at the
// start of `text`; returns its length (without the following space) or 0.
size_t enhanced_code_length(std::string_view text);

}  // namespace postern::smtp::client
