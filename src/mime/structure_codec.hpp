// Compact binary serialization of MessageStructure for the store's
// messages.structure BLOB column: written once at delivery, read by every
// FETCH of ENVELOPE/BODYSTRUCTURE/BODY[section].
//
// Format (version 1): magic 0xB5, version 0x01, then the structure with
// unsigned LEB128 varints for integers and lengths, strings as length +
// octets, optional strings as (length + 1) or 0 for absent, booleans as one
// octet 0/1. Encoding is canonical: decode(b) succeeds only when
// encode(decode(b)) == b.
//
// SECURITY: decode reads bytes from disk that may be truncated or corrupt:
// every length and count is checked against the remaining input, nesting
// is bounded, and any inconsistency is an error value, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "mime/message_structure.hpp"

namespace postern::mime {

inline constexpr unsigned char kStructureMagic = 0xB5;
inline constexpr unsigned char kStructureVersion = 1;
// Deepest part tree decode accepts (parse's default limit is 100; a
// message/rfc822 part adds one level for its embedded message).
inline constexpr size_t kMaxDecodedDepth = 1024;

std::string encode_structure(const MessageStructure& s);

// ErrorKind::internal on malformed input ("structure cache: truncated at
// octet 17"); callers may re-parse the blob and rewrite the cache.
Result<MessageStructure> decode_structure(std::string_view data);

// Only the envelope, which comes first: what SEARCH FROM/TO/CC/BCC/SUBJECT
// and SENT* look at, without decoding (and allocating) the part tree. The
// rest of the input is not checked.
Result<Envelope> decode_envelope(std::string_view data);

}  // namespace postern::mime
