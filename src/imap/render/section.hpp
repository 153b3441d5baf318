// BODY[section] data (RFC 9051 §6.4.5) sliced from the stored message with
// the cached structure: HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT,
// MIME and numeric part paths. Zero-copy except HEADER.FIELDS[.NOT], which
// builds the filtered header. Partial ranges (<o.l>) are the caller's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "imap/proto/fetch_args.hpp"
#include "mime/message_structure.hpp"

namespace postern::imap {

// Either a view into the message or an owned string; data() is valid while
// this object and the message live (moves keep it valid).
class SectionBytes {
 public:
  static SectionBytes view(std::string_view v) {
    SectionBytes b;
    b.view_ = v;
    return b;
  }
  static SectionBytes owned(std::string s) {
    SectionBytes b;
    b.owned_ = std::move(s);
    return b;
  }
  std::string_view data() const { return owned_ ? std::string_view(*owned_) : view_; }

 private:
  std::string_view view_;
  std::optional<std::string> owned_;
};

// The octets of `section` of `message`, whose cached structure is
// `structure`. Part numbers follow RFC 9051 §6.4.5 (mime::find_part):
//   []                the whole message        [TEXT]   the body
//   [HEADER]          the header, blank line included
//   [HEADER.FIELDS (A B)] / [HEADER.FIELDS.NOT (A B)]: the matching (or
//                     other) fields as written, then a blank line
//   [1.2]             the body of part 1.2 (for message/rfc822: the whole
//                     embedded message)     [1.2.MIME] its MIME header
//   [1.2.HEADER] / [1.2.TEXT] / [1.2.HEADER.FIELDS ...]: of the message
//                     embedded in part 1.2, which must be message/rfc822
//                     or message/global.
// nullopt when the section names nothing (no such part; HEADER/TEXT of a
// part that is not an embedded message; MIME without a part number); the
// FETCH handler decides how to answer (Dovecot sends an empty string).
std::optional<SectionBytes> section_bytes(std::string_view message, const mime::MessageStructure& structure,
                                          const Section& section);

// The header fields of `header` (a header section with its blank line)
// whose names are (exclude = false) or are not (exclude = true) in `names`,
// compared case-insensitively, each as written with its folding, then the
// blank line (RFC 9051 §6.4.5 HEADER.FIELDS).
std::string filter_header_fields(std::string_view header, const std::vector<std::string>& names, bool exclude);

}  // namespace postern::imap
