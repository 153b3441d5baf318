// Finding a (folded, casefold.hpp) string in the parts of a message that
// the SEARCH text keys name (RFC 9051 §6.4.4), the way Dovecot reads them:
// header values unfolded with RFC 2047 encoded-words decoded; bodies
// transfer-decoded and converted to UTF-8 from their charset. Pure
// functions over a message already in memory; thread-safe (scratch
// buffers are thread-local). Parses untrusted input.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/address_list.hpp"
#include "mime/message_structure.hpp"

namespace postern::imap {

// FROM / TO / CC / BCC on the cached envelope: each address as
// "Display Name <mailbox@host>" (name decoded; just "mailbox@host" without
// one), groups as "name: ...;", joined by ", ". An empty needle matches
// when the field has any address.
bool addresses_contain(const std::vector<mime::Address>& list, std::string_view needle);

// SUBJECT on the decoded subject; absent -> no match, empty needle -> match.
bool subject_contains(const std::optional<std::string>& raw_subject, std::string_view needle);

// HEADER name value (RFC 9051 §6.4.4): some field `name` (case-insensitive)
// of the header section `header` contains `needle` in its decoded value;
// an empty needle matches when the field is present.
bool header_field_contains(std::string_view header, std::string_view name, std::string_view needle);

// BODY: the text of the message's body parts: every text/* leaf and every
// message/* part left unparsed (e.g. message/delivery-status), through
// multiparts and into message/rfc822 bodies; not other types (images,
// application/*), and never a header.
bool body_contains(std::string_view message, const mime::MessageStructure& structure, std::string_view needle);

// TEXT: every header section (the message's, MIME part headers, embedded
// messages' headers; decoded as for HEADER, as "Name: value" lines) and
// the BODY text.
bool text_contains(std::string_view message, const mime::MessageStructure& structure, std::string_view needle);

}  // namespace postern::imap
