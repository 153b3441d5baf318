// Byte-stuffing and line-end normalization for RETR / TOP.
#include "pop3/message_encoder.hpp"

namespace postern::pop3 {

void MessageEncoder::end_line(std::string& out) {
  if (!last_cr_) out += '\r';
  out += '\n';
  bool blank = line_chars_ == 0 || (line_chars_ == 1 && last_cr_);
  if (in_header_) {
    if (blank) {
      in_header_ = false;
      if (limit_ && *limit_ == 0) done_ = true;
    }
  } else if (limit_ && ++body_lines_ >= *limit_) {
    done_ = true;
  }
  at_line_start_ = true;
  line_chars_ = 0;
  last_cr_ = false;
}

bool MessageEncoder::encode(std::string_view in, std::string& out) {
  size_t i = 0;
  while (i < in.size() && !done_) {
    if (at_line_start_) {
      // RFC 1939 §3: a line beginning with the termination octet is stuffed.
      if (in[i] == '.') out += '.';
      at_line_start_ = false;
    }
    size_t lf = in.find('\n', i);
    size_t end = lf == std::string_view::npos ? in.size() : lf;
    if (end > i) {
      out.append(in.data() + i, end - i);
      line_chars_ += end - i;
      last_cr_ = in[end - 1] == '\r';
    }
    i = end;
    if (lf != std::string_view::npos) {
      end_line(out);
      i = lf + 1;
    }
  }
  return !done_;
}

void MessageEncoder::finish(std::string& out) {
  if (!at_line_start_) {
    // The message did not end with a line end: complete the last line.
    out += last_cr_ ? "\n" : "\r\n";
  }
  out += ".\r\n";
  done_ = true;
}

}  // namespace postern::pop3
