// Modified UTF-7 (RFC 3501 §5.1.3), the IMAP4rev1 form of international
// mailbox names, and conversion of mailbox names between the wire form a
// client uses (mUTF-7 for rev1 clients; UTF-8 after ENABLE IMAP4rev2 or
// UTF8=ACCEPT, RFC 9051 §5.1 / RFC 9755 §3) and the store's form (UTF-8).
// Decodes untrusted input strictly.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern::imap {

// Decodes modified UTF-7 into UTF-8. Accepts exactly the canonical encoding
// that mutf7_encode produces, so every name has one wire spelling:
//   - octets outside 0x20..0x7e are rejected (they must be encoded);
//   - "&-" is "&"; any other "&" opens a base64 run (alphabet A-Z a-z 0-9 + ,)
//     that must be non-empty and closed by "-";
//   - the run must hold whole UTF-16 units with zero padding bits (< 6);
//   - surrogates must pair; U+0000 is rejected;
//   - a run must not encode printable ASCII (0x20..0x7e), which represents
//     itself (RFC 3501 §5.1.3: "MUST NOT be used");
//   - a run must not directly follow another run ("&AGE-&AGE-" must be
//     written "&AGEA5Q-"-style as one run).
// Errors are syntax errors naming the problem.
Result<std::string> mutf7_decode(std::string_view mutf7);

// Encodes UTF-8 as modified UTF-7. Rejects invalid UTF-8.
Result<std::string> mutf7_encode(std::string_view utf8);

// A mailbox name as the client sent it -> the store's UTF-8 form.
// utf8_mode: the client enabled IMAP4rev2 or UTF8=ACCEPT; the name is UTF-8
// and "&" has no special meaning. Otherwise the name is mUTF-7 and must
// decode (8-bit octets are rejected). In both modes control characters
// (U+0000..U+001F, U+007F) are refused: no legitimate name contains them and
// they break logs and other protocols.
Result<std::string> mailbox_from_wire(std::string_view wire, bool utf8_mode);

// The store's UTF-8 name -> what the client must see (mUTF-7 unless utf8_mode).
// Precondition: `utf8_name` is valid UTF-8 (as stored); invalid input is
// passed through mUTF-7-escaped as U+FFFD.
std::string mailbox_to_wire(std::string_view utf8_name, bool utf8_mode);

}  // namespace postern::imap
