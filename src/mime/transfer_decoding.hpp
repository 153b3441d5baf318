// Content-Transfer-Encoding decoding of body octets (RFC 2045 §6): base64
// and quoted-printable to the original octets, for FETCH BINARY (RFC 3516),
// SEARCH BODY/TEXT and anything that reads a part's content. Lenient like
// Dovecot: stray characters are skipped, malformed escapes kept as written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::mime {

enum class TransferEncoding { identity, base64, quoted_printable };

// 7bit / 8bit / binary (and an absent field) are identity; nullopt for an
// encoding this server does not know (RFC 3516 §4.3: UNKNOWN-CTE).
std::optional<TransferEncoding> parse_transfer_encoding(std::string_view lower_cased);

// RFC 2045 §6.7: "=XX" escapes, soft line breaks ("=" at the end of a
// line) removed, trailing white space of encoded lines dropped.
std::string decode_quoted_printable(std::string_view body);

std::string decode_transfer_encoding(std::string_view body, TransferEncoding encoding);

}  // namespace postern::mime
