// IMAP BODY and BODYSTRUCTURE rendering (RFC 9051 §7.5.2 and §9 "body",
// RFC 3501 §7.4.2) from a cached mime::Part. Output only; never fails.
#pragma once

#include <string>

#include "imap/proto/response_writer.hpp"
#include "mime/message_structure.hpp"

namespace postern::imap {

// Appends the body structure of `part` (normally MessageStructure::root).
// extended = false gives FETCH BODY (no extension data); true gives
// BODYSTRUCTURE with body-ext-1part (md5, disposition, language, location)
// and body-ext-mpart (parameters, disposition, language, location).
//
// Degraded parts render as valid grammar, like Dovecot: a multipart with no
// parsed children gets one empty text/plain child ("1*body" requires one);
// a message/rfc822 that was not parsed gets an all-NIL envelope and that
// same empty body.
void append_bodystructure(std::string& out, const mime::Part& part, bool extended, const WriterOptions& options = {});

std::string render_bodystructure(const mime::Part& part, bool extended, const WriterOptions& options = {});

}  // namespace postern::imap
