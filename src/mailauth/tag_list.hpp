// RFC 6376 §3.2 tag=value lists, the syntax shared by the DKIM-Signature
// header field and the DKIM key record in DNS. Parses untrusted input
// (message headers, DNS answers); errors are values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace postern::mailauth {

struct Tag {
  std::string name;   // case-sensitive (RFC 6376 §3.2: "b" and "B" differ)
  std::string value;  // FWS around the value removed, folding CRLFs removed,
                      // inner whitespace kept as written
};

constexpr size_t kMaxTags = 64;

// Parses `tag-list = tag-spec *( ";" tag-spec ) [ ";" ]`. Errors (syntax):
// an empty or invalid tag name, a missing "=", a character outside VALCHAR
// (semicolon, controls) in a value, a duplicate tag (§3.2: "MUST be treated
// as an error"), more than kMaxTags tags. Octets >= 0x80 are accepted in
// values (RFC 8616 allows UTF-8 in some tags). An empty input is an empty list.
Result<std::vector<Tag>> parse_tag_list(std::string_view text);

// The tag with this name, or nullptr.
const Tag* find_tag(const std::vector<Tag>& tags, std::string_view name);

// The value with every whitespace octet (SP, HTAB, CR, LF) removed: for
// base64 values and colon lists, where FWS may appear anywhere.
std::string strip_whitespace(std::string_view value);

}  // namespace postern::mailauth
