// IMAP ENVELOPE rendering (RFC 9051 §7.5.2, RFC 3501 §7.4.2) from the
// cached mime::Envelope. Output only; never fails.
#pragma once

#include <string>

#include "imap/proto/response_writer.hpp"
#include "mime/message_structure.hpp"

namespace postern::imap {

// Appends "(date subject from sender reply-to to cc bcc in-reply-to
// message-id)" to `out`. Applies the IMAP rule that an absent or empty
// Sender or Reply-To is sent as the From list (RFC 9051 §7.5.2). Strings
// are raw header values: quoted, or literals when `options` does not allow
// their octets in a quoted string (8-bit in IMAP4rev1 mode).
void append_envelope(std::string& out, const mime::Envelope& envelope, const WriterOptions& options = {});

std::string render_envelope(const mime::Envelope& envelope, const WriterOptions& options = {});

}  // namespace postern::imap
