// Base64 (RFC 4648 §4, standard alphabet, padded) as DKIM uses it: b=, bh=
// and p= values, which may carry folding whitespace (RFC 6376 §3.5).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::mailauth {

std::string base64_encode(std::string_view data);

// Strict decoding that ignores whitespace (SP, HTAB, CR, LF) anywhere, as
// RFC 6376 §3.5 allows in b=/bh= and §3.6.1 in p=. Returns nullopt on any
// other character outside the alphabet, bad padding or a truncated group.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postern::mailauth
