// Serializes SMTP replies; the only place that writes reply syntax.
#include "smtp/proto/reply.hpp"

namespace postern::smtp {
namespace {

void append_line(std::string& out, int code, char separator, std::string_view enhanced,
                 std::string_view text) {
  // RFC 5321 §4.2: Reply-code is exactly three digits.
  if (code < 100 || code > 999) code = 451;
  out += std::to_string(code);
  out += separator;
  if (!enhanced.empty()) {
    out += enhanced;
    if (!text.empty()) out += ' ';
  }
  for (unsigned char c : text) out += (c < 32 || c == 127) ? '?' : static_cast<char>(c);
  out += "\r\n";
}

}  // namespace

void append_reply(std::string& out, const Reply& reply) {
  append_line(out, reply.code, ' ', reply.enhanced, reply.text);
}

void append_multiline_reply(std::string& out, int code, std::string_view enhanced,
                            const std::vector<std::string>& lines) {
  if (lines.empty()) {
    append_line(out, code, ' ', enhanced, "");
    return;
  }
  for (size_t i = 0; i < lines.size(); ++i)
    append_line(out, code, i + 1 < lines.size() ? '-' : ' ', enhanced, lines[i]);
}

std::string format_reply(const Reply& reply) {
  std::string out;
  append_reply(out, reply);
  return out;
}

}  // namespace postern::smtp
