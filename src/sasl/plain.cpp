// PLAIN message parsing (see plain.hpp).
#include "sasl/plain.hpp"

namespace postern::sasl {

Result<PlainCredentials> parse_plain(std::string_view msg) {
  auto nul1 = msg.find('\0');
  auto nul2 = nul1 == std::string_view::npos ? std::string_view::npos : msg.find('\0', nul1 + 1);
  if (nul2 == std::string_view::npos || msg.find('\0', nul2 + 1) != std::string_view::npos)
    return syntax_error("Malformed PLAIN response");
  PlainCredentials c{std::string(msg.substr(0, nul1)), std::string(msg.substr(nul1 + 1, nul2 - nul1 - 1)),
                     std::string(msg.substr(nul2 + 1))};
  if (c.authcid.empty()) return syntax_error("Malformed PLAIN response: empty user name");
  return c;
}

}  // namespace postern::sasl
