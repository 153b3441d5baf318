// The body of a RETR / TOP reply (RFC 1939 §3): a message streamed in
// chunks becomes CRLF-terminated lines with byte-stuffing (a line starting
// with '.' gets another '.'), ended by ".\r\n". TOP sends the header
// section, the blank line and at most n body lines (RFC 1939 §7). Bare LF
// line ends in stored mail are sent as CRLF. Sans-I/O; chunks may split
// lines (and CRLF pairs) anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::pop3 {

class MessageEncoder {
 public:
  // `body_lines`: TOP's line count; nullopt sends the whole message (RETR).
  explicit MessageEncoder(std::optional<uint64_t> body_lines = std::nullopt) : limit_(body_lines) {}

  // Appends the encoded form of `chunk` to `out`. Returns false once the TOP
  // limit is reached: the rest of the message need not be read.
  bool encode(std::string_view chunk, std::string& out);
  // Terminates an unfinished last line, then appends ".\r\n".
  void finish(std::string& out);
  bool done() const { return done_; }

 private:
  void end_line(std::string& out);

  std::optional<uint64_t> limit_;
  uint64_t body_lines_ = 0;
  uint64_t line_chars_ = 0;  // octets on the current line so far (CR included)
  bool at_line_start_ = true;
  bool last_cr_ = false;     // the last octet sent was CR
  bool in_header_ = true;
  bool done_ = false;
};

}  // namespace postern::pop3
