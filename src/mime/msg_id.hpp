// Message identifiers in Message-ID, In-Reply-To and References fields
// (RFC 5322 §3.6.4): "<" id-left "@" id-right ">" tokens, tolerant of the
// comments, spaces and missing "@" found in real mail, as threading
// (RFC 5256 §2.2, store thread ids) needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

// Every "<...>" token of an (unfolded) field value, brackets included, in
// order; empty or over-long tokens (> 998 octets) are skipped, and at most
// `max_ids` are returned (the last ones: the closest ancestors).
std::vector<std::string> extract_msg_ids(std::string_view value, size_t max_ids = 64);

// The first msg-id of a Message-ID field, or "" when there is none.
std::string first_msg_id(std::string_view value);

}  // namespace postern::mime
