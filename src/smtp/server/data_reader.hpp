// Message content collection for DATA and BDAT: a size-capped message buffer
// and the DATA decoder (end-of-data, dot-unstuffing, line ends; RFC 5321
// §4.1.1.4, §4.5.2). Consumes untrusted bytes and never buffers more than the
// size limit: once the limit is passed the content is counted and dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace postern::smtp {

class MessageBuffer {
 public:
  explicit MessageBuffer(uint64_t max_size = 0) : max_size_(max_size) {}

  void append(std::string_view bytes);
  // Octets received so far, including the dropped ones.
  uint64_t size() const { return size_; }
  bool too_big() const { return size_ > max_size_; }
  std::string take() { return std::exchange(bytes_, {}); }

 private:
  uint64_t max_size_;
  uint64_t size_ = 0;
  std::string bytes_;
};

// Decodes DATA content. End of data is only CRLF "." CRLF (the "." line must
// follow a CRLF-terminated line or the 354): a bare LF never ends the data,
// which closes the SMTP smuggling hole (a "<LF>.<LF>" that another MTA would
// relay as content). Bare LF line ends are normalized to CRLF (liberal, as
// Postfix's smtpd_forbid_bare_newline=normalize). A leading "." is removed
// from every line (RFC 5321 §4.5.2).
class DataReader {
 public:
  explicit DataReader(unsigned max_line_length = 1000) : max_line_length_(max_line_length) {}

  // Consumes a prefix of `input`, appending decoded content to `message`.
  // Returns the number of octets consumed; sets `done` when the end of data
  // was consumed. Keeps at most two octets of a partial line unconsumed (to
  // recognize "." CR LF and CR LF), so the caller must offer them again.
  size_t consume(std::string_view input, MessageBuffer& message, bool& done);
  // A line was longer than max_line_length octets including its line end.
  bool line_too_long() const { return line_too_long_; }

 private:
  void append_text(std::string_view text, MessageBuffer& message);

  unsigned max_line_length_;
  bool at_line_start_ = true;
  bool previous_line_crlf_ = true;  // the 354 counts as a CRLF
  uint64_t line_length_ = 0;
  bool line_too_long_ = false;
};

}  // namespace postern::smtp
