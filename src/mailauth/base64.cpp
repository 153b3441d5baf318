// DKIM's base64: the strict SASL codec, after removing the folding
// whitespace RFC 6376 §3.5 allows inside b=, bh= and p= values.
#include "mailauth/base64.hpp"

#include "sasl/base64.hpp"

namespace postern::mailauth {

std::string base64_encode(std::string_view data) { return sasl::base64_encode(data); }

std::optional<std::string> base64_decode(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  return sasl::base64_decode(compact);
}

}  // namespace postern::mailauth
