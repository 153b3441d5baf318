// DATA transparency for the outbound client; see dot_stuffing.hpp.
#include "smtp/client/dot_stuffing.hpp"

namespace postern::smtp::client {

std::string dot_stuff(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (line_start && c == '.') out.push_back('.');
    if (c == '\n' && (i == 0 || message[i - 1] != '\r')) out.push_back('\r');
    out.push_back(c);
    line_start = c == '\n';
  }
  if (!line_start) out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace postern::smtp::client
