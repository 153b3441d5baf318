// SMTP reply reader for the outbound client; see reply_parser.hpp.
#include "smtp/client/reply_parser.hpp"

#include <cctype>

namespace postern::smtp::client {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

size_t digits(std::string_view s, size_t from, size_t max) {
  size_t n = 0;
  while (from + n < s.size() && n < max + 1 && is_digit(s[from + n])) ++n;
  return n;
}

}  // namespace

std::string ServerReply::summary() const {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += " " + enhanced;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += i == 0 ? " " : "; ";
    out += lines[i];
  }
  return out;
}

size_t enhanced_code_length(std::string_view text) {
  if (text.size() < 5) return 0;
  if (text[0] != '2' && text[0] != '4' && text[0] != '5') return 0;
  if (text[1] != '.') return 0;
  size_t subject = digits(text, 2, 3);
  if (subject == 0 || subject > 3) return 0;
  size_t dot = 2 + subject;
  if (dot >= text.size() || text[dot] != '.') return 0;
  size_t detail = digits(text, dot + 1, 3);
  if (detail == 0 || detail > 3) return 0;
  size_t end = dot + 1 + detail;
  if (end < text.size() && text[end] != ' ') return 0;
  return end;
}

void ReplyParser::feed(std::string_view bytes) {
  if (failed()) return;
  buffer_.append(bytes);
}

// One line without its ending (CRLF, or a bare LF from sloppy servers).
bool ReplyParser::take_line(std::string& line) {
  size_t lf = buffer_.find('\n', scan_);
  if (lf == std::string::npos) {
    scan_ = buffer_.size();
    if (buffer_.size() > kMaxReplyLineLength) error_ = "reply line longer than " + std::to_string(kMaxReplyLineLength) + " octets";
    return false;
  }
  if (lf + 1 > kMaxReplyLineLength) {
    error_ = "reply line longer than " + std::to_string(kMaxReplyLineLength) + " octets";
    return false;
  }
  size_t end = (lf > 0 && buffer_[lf - 1] == '\r') ? lf - 1 : lf;
  line.assign(buffer_, 0, end);
  buffer_.erase(0, lf + 1);
  scan_ = 0;
  return true;
}

std::optional<ServerReply> ReplyParser::next() {
  std::string line;
  while (!failed() && take_line(line)) {
    // RFC 5321 §4.2: Reply-code [ ("-" / SP) textstring ] CRLF.
    if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
        (line.size() > 3 && line[3] != '-' && line[3] != ' ')) {
      error_ = "malformed reply line";
      return std::nullopt;
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (code < 200 || code > 599) {
      error_ = "reply code out of range";
      return std::nullopt;
    }
    for (size_t i = 4; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      if (c < 0x20 && c != '\t') line[i] = '?';  // keep control bytes out of logs and DSNs
    }
    if (in_reply_ && code != partial_.code) {
      error_ = "multi-line reply changes its code";
      return std::nullopt;
    }
    bool last = line.size() == 3 || line[3] == ' ';
    std::string text = line.size() > 4 ? line.substr(4) : std::string();
    if (!in_reply_) {
      partial_ = ServerReply{};
      partial_.code = code;
      in_reply_ = true;
      size_t n = enhanced_code_length(text);
      // The class of the enhanced code must agree with the reply (RFC 3463 §2).
      if (n > 0 && text[0] == line[0]) {
        partial_.enhanced = text.substr(0, n);
        text.erase(0, n < text.size() ? n + 1 : n);
      }
    } else if (!partial_.enhanced.empty() && text.compare(0, partial_.enhanced.size(), partial_.enhanced) == 0) {
      // Continuation lines repeat the enhanced code (RFC 2034 §3); drop it.
      size_t n = partial_.enhanced.size();
      text.erase(0, n < text.size() ? n + 1 : n);
    }
    if (partial_.lines.size() >= kMaxReplyLines) {
      error_ = "reply has more than " + std::to_string(kMaxReplyLines) + " lines";
      return std::nullopt;
    }
    partial_.lines.push_back(std::move(text));
    if (last) {
      in_reply_ = false;
      return std::move(partial_);
    }
  }
  return std::nullopt;
}

}  // namespace postern::smtp::client
