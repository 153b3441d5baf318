// Decoding of a part body for reading its text: Content-Transfer-Encoding
// (RFC 2045 §6.7 quoted-printable, §6.8 base64) and then the declared
// charset to UTF-8 (charset.hpp). Used by IMAP SEARCH BODY/TEXT. Untrusted
// input: tolerant like Dovecot (bad escapes kept as written, characters
// outside the base64 alphabet skipped); never fails.
#pragma once

#include <string>
#include <string_view>

namespace postern::mime {

// RFC 2045 §6.7: "=XX" octets (either hex case), soft line breaks "=" CRLF
// (also "=" LF and "=" followed by trailing blanks), trailing blanks before
// a line break dropped. A malformed "=" is kept as written. Appends to `out`.
void append_quoted_printable_decoded(std::string& out, std::string_view in);

// The body octets after undoing `encoding` (lower-case name as in
// Part::encoding): base64 and quoted-printable are decoded into `scratch`
// and a view of it is returned; 7bit, 8bit, binary and unknown encodings
// return `body` itself (no copy).
std::string_view transfer_decode(std::string_view encoding, std::string_view body, std::string& scratch);

// `bytes` in `charset` (a Content-Type charset parameter; empty when absent)
// as UTF-8. Valid UTF-8 declared as UTF-8, US-ASCII or nothing is returned
// as is (no copy); other text is converted into `scratch`: invalid UTF-8 and
// unknown charsets are read as ISO-8859-1 (raw_to_utf8), as most such
// mailers meant.
std::string_view text_to_utf8(std::string_view charset, std::string_view bytes, std::string& scratch);

}  // namespace postern::mime
