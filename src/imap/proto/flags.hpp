// Message flags in commands (RFC 9051 §2.3.2, §9 flag, flag-list): system
// flags in canonical case, keywords as sent. Used by STORE and APPEND.
// Parses untrusted input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"

namespace postern::imap {

constexpr size_t kMaxFlagsPerCommand = 256;
constexpr size_t kMaxKeywordLength = 128;

// One flag: "\Seen" etc. (any case; returned as \Answered \Flagged \Deleted
// \Seen \Draft) or a keyword atom ($Junk, NonJunk; returned as sent; keywords
// compare case-insensitively, RFC 9051 §2.3.2). Rejects "\Recent" (RFC 3501
// §2.3.2: cannot be altered by the client), "\*" and other unknown
// backslash flags, and non-atom text.
Result<std::string> parse_flag(std::string_view text);

// flag-list "(" [flag *(SP flag)] ")" ; duplicates removed (first spelling kept).
Result<std::vector<std::string>> parse_flag_list(const Node& list);

// True for one of the five system flags (canonical case expected).
bool is_system_flag(std::string_view flag);

}  // namespace postern::imap
