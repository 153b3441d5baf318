// DATA decoding state machine and the capped message buffer.
#include "smtp/server/data_reader.hpp"

namespace postern::smtp {

void MessageBuffer::append(std::string_view bytes) {
  size_ += bytes.size();
  if (size_ > max_size_) {
    // Over the limit: keep counting, free what we hold (552 at the end).
    if (!bytes_.empty()) std::string().swap(bytes_);
    return;
  }
  bytes_.append(bytes);
}

void DataReader::append_text(std::string_view text, MessageBuffer& message) {
  if (at_line_start_ && !text.empty() && text.front() == '.') text.remove_prefix(1);  // RFC 5321 §4.5.2
  at_line_start_ = false;
  line_length_ += text.size();
  if (line_length_ + 2 > max_line_length_) line_too_long_ = true;
  message.append(text);
}

size_t DataReader::consume(std::string_view input, MessageBuffer& message, bool& done) {
  done = false;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t lf = input.find('\n', pos);
    if (lf == std::string_view::npos) {
      std::string_view partial = input.substr(pos);
      // At a line start we need three octets (or the LF) to tell ".\r\n" and
      // a dot-stuffed line apart; a trailing CR may be the start of CRLF.
      if (at_line_start_ && partial.size() < 3) break;
      size_t take = partial.size() - (partial.back() == '\r' ? 1 : 0);
      if (take == 0) break;
      append_text(partial.substr(0, take), message);
      pos += take;
      break;
    }
    std::string_view line = input.substr(pos, lf - pos);
    bool crlf = !line.empty() && line.back() == '\r';
    if (crlf) line.remove_suffix(1);
    pos = lf + 1;
    if (at_line_start_ && previous_line_crlf_ && crlf && line == ".") {
      done = true;
      return pos;
    }
    append_text(line, message);
    message.append("\r\n");
    at_line_start_ = true;
    previous_line_crlf_ = crlf;
    line_length_ = 0;
  }
  return pos;
}

}  // namespace postern::smtp
