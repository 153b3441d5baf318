// RFC 6376 §3.4 canonicalization of header fields and bodies ("simple" and
// "relaxed"), the part of DKIM that must match other implementations byte
// for byte. Pure functions over untrusted message bytes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "mime/header.hpp"

namespace postern::mailauth {

enum class Canon { simple, relaxed };

// One header field, canonicalized and terminated by CRLF (RFC 6376 §3.4.1,
// §3.4.2). `field` must come from mime::parse_header_section over one buffer:
// "simple" needs the bytes between the name and the colon, which lie between
// field.name and field.value in that buffer.
std::string canonicalize_header(const mime::HeaderField& field, Canon canon);

// The relaxed form of a field given as name and raw value (no CRLF added):
// used for the DKIM-Signature field itself, which is hashed without its
// trailing CRLF (§3.7).
std::string relaxed_header(std::string_view name, std::string_view value);

// Canonicalizes a body (§3.4.3, §3.4.4) and passes the output to `out` in
// pieces. Lines end at LF; a CR just before it is part of the line ending, so
// bare-LF input is canonicalized as if it had CRLF. Trailing empty lines are
// dropped; "simple" turns an empty body into one CRLF (§3.4.3), "relaxed"
// leaves it empty (§3.4.4 adds a CRLF only to a non-empty body; OpenDKIM and
// dkimpy agree).
using ByteSink = std::function<void(std::string_view)>;
void canonicalize_body(std::string_view body, Canon canon, const ByteSink& out);
std::string canonical_body(std::string_view body, Canon canon);

}  // namespace postern::mailauth
