// RFC 2047 encoded-word decoding ("=?charset?B|Q?text?="), producing UTF-8
// for display, SEARCH and SORT. IMAP ENVELOPE sends header values raw, so
// this is never applied to what the cache renders. Untrusted input; never fails.
#pragma once

#include <string>
#include <string_view>

namespace postern::mime {

// Decodes every encoded-word in `value` (a raw or unfolded header value) and
// returns UTF-8: folding is removed, whitespace between two adjacent
// encoded-words is dropped (RFC 2047 §6.2), words in unknown charsets and
// malformed words are kept as written, other 8-bit text goes through
// raw_to_utf8. Like Dovecot, encoded-words are also recognised inside
// quoted strings and words (common in the wild, strictly invalid).
std::string decode_encoded_words(std::string_view value);

// Tolerant base64 (RFC 2045 §6.8): skips characters outside the alphabet,
// stops at '='. Used by encoded-words and tests.
std::string decode_base64_lenient(std::string_view in);

}  // namespace postern::mime
