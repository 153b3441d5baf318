// Internal to imap/render: appends IMAP strings (RFC 9051 §4.3) to a buffer
// with explicit spacing. The forms are chosen by proto/response_writer's
// can_quote()/append_quoted(); ResponseBuilder itself is not used here
// because it inserts a space between items, and a multipart body structure
// needs its child bodies written back to back ("1*body", RFC 9051 §9).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "imap/proto/response_writer.hpp"

namespace postern::imap::render_detail {

// A quoted string when can_quote() allows it, else a literal "{n}\r\n...".
// NUL octets (possible in raw header values, invalid in any IMAP string)
// are sent as spaces.
void append_string(std::string& out, std::string_view s, const WriterOptions& options);
void append_nstring(std::string& out, const std::optional<std::string>& s, const WriterOptions& options);

}  // namespace postern::imap::render_detail
