// Conversion of text in a declared MIME charset to UTF-8, for the decoded
// (display, SEARCH, SORT) forms of header values and parameters. UTF-8,
// US-ASCII and ISO-8859-1 are converted here; other charsets go through
// glibc's iconv. Input is untrusted; never fails loudly.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::mime {

// `bytes` converted from `charset` (any case, RFC 2231 "*lang" suffix
// ignored) to UTF-8. Invalid sequences become U+FFFD. nullopt when the
// charset is unknown to us and to iconv: the caller keeps the raw text.
std::optional<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view s);

// Raw header text (possibly 8-bit without a declared charset) as UTF-8:
// kept when it is valid UTF-8, else read as ISO-8859-1 (what most such
// mailers meant; never fails).
std::string raw_to_utf8(std::string_view s);

// Body text in `charset` (a Content-Type charset parameter, "" when absent)
// as UTF-8, for SEARCH BODY/TEXT. Valid UTF-8 declared as UTF-8, US-ASCII
// or nothing is returned as is (no copy: most mail); anything else is
// converted into `scratch` and a view of it returned. Undeclared 8-bit and
// unknown charsets are read like raw_to_utf8. Never fails.
std::string_view text_to_utf8(std::string_view charset, std::string_view bytes, std::string& scratch);

}  // namespace postern::mime
