// Strict RFC 4648 base64, as SASL exchanges use it (RFC 4422 §3, RFC 9051
// §6.2.2, RFC 4954 §4): padding required, no line breaks, no stray bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::sasl {

std::optional<std::string> base64_decode(std::string_view in);
std::string base64_encode(std::string_view in);

}  // namespace postern::sasl
