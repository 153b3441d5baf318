// The parsed structure of a stored message — envelope, MIME body structure
// with octet offsets of every part's header and body, and a few sort keys —
// computed once at delivery, cached with the message (structure_codec.hpp)
// and used by IMAP FETCH ENVELOPE / BODY / BODYSTRUCTURE / BODY[section]
// so that FETCH never re-parses.
//
// Implements RFC 2045 §5 (content fields and their defaults), RFC 2046
// §5.1 (multipart boundaries), §5.1.5 (digest default), §5.2.1 (embedded
// messages), RFC 2231 parameters and RFC 5322 §3.4 address lists.
//
// SECURITY: parses untrusted input. It never fails: malformed messages
// degrade like Dovecot's parser (a bad Content-Type becomes text/plain, a
// missing close delimiter ends the multipart at its end, parts beyond the
// nesting depth or part-count limits are opaque leaves). Offsets always lie
// inside the message.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mime/address_list.hpp"
#include "mime/content_fields.hpp"
#include "mime/header.hpp"

namespace postern::mime {

// RFC 9051 §7.5.2 ENVELOPE fields. Strings are raw (unfolded, encoded-words
// kept) as IMAP sends them; absent fields are nullopt / empty lists (NIL).
// Sender and Reply-To are stored as written: the IMAP rule "absent or empty
// means From" is applied by the renderer (imap/render/envelope.cpp), so the
// cache stays a faithful record of the header.
struct Envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;
  bool operator==(const Envelope&) const = default;
};

struct Part {
  // RFC 2045 §5.2 default text/plain; charset=us-ascii (message/rfc822 in a
  // multipart/digest, RFC 2046 §5.1.5). Lower-cased. A text/* part without
  // a charset parameter gets charset=us-ascii appended (RFC 2046 §4.1.2).
  std::string type = "text";
  std::string subtype = "plain";
  Params params;
  std::optional<std::string> id;           // Content-ID, raw unfolded
  std::optional<std::string> description;  // Content-Description, raw unfolded
  std::string encoding = "7bit";           // Content-Transfer-Encoding, lower-cased
  std::optional<std::string> md5;          // Content-MD5
  std::optional<ContentDisposition> disposition;
  std::vector<std::string> language;       // Content-Language tags; empty = NIL
  std::optional<std::string> location;     // Content-Location (RFC 2557)

  // Octets within the whole message. The header includes its terminating
  // empty line (as BODY[HEADER] / BODY[n.MIME] return it); the body starts
  // right after it. A multipart child's body excludes the line break that
  // precedes the next delimiter (RFC 2046 §5.1.1: it belongs to the delimiter).
  uint64_t header_offset = 0;
  uint64_t header_size = 0;
  uint64_t body_offset = 0;
  uint64_t body_size = 0;
  // Text lines in the body: line breaks, plus one for an unterminated last line.
  uint64_t body_lines = 0;

  // multipart/*: the body parts, in order (may be empty when the boundary is
  // missing or never found). message/rfc822 and message/global: exactly one
  // child, the embedded message's top-level part (its header is the
  // embedded message header), plus `envelope`. Empty when not parsed
  // (limits hit, or a base64/quoted-printable encoded message).
  std::vector<Part> children;
  std::optional<Envelope> envelope;

  bool is_multipart() const { return type == "multipart"; }
  bool is_message() const { return type == "message" && (subtype == "rfc822" || subtype == "global"); }
  bool is_text() const { return type == "text"; }
  bool operator==(const Part&) const = default;
};

// Keys for SORT (RFC 5256) and DISPLAY sorts (RFC 5957), decoded to UTF-8.
struct SortKeys {
  std::optional<int64_t> date;  // Date: as unix seconds, when it parses
  std::string subject;          // RFC 2047 decoded, unfolded (base-subject is SORT's job)
  std::string from_mailbox;     // addr-mailbox of the first From address
  std::string from_display;     // decoded display-name, else "mailbox@host"
  std::string to_mailbox;
  std::string to_display;
  std::string cc_mailbox;
  bool operator==(const SortKeys&) const = default;
};

struct MessageStructure {
  Envelope envelope;  // of the message itself
  Part root;          // the message itself: header = the message header
  SortKeys sort;
  uint32_t part_count = 0;  // parts in the tree (root included)
  bool truncated = false;   // a limit made some parts opaque
  bool operator==(const MessageStructure&) const = default;
};

struct StructureLimits {
  size_t max_depth = 100;    // nesting of multipart and message parts
  size_t max_parts = 10000;  // parts in the whole tree
};

// Parses `message` (CRLF or bare LF line ends). Never fails; see above.
// Cost is linear in the message size: boundary searches together scan at
// most 16 times the message size (deeper multiparts then stay opaque and
// `truncated` is set).
MessageStructure parse_message_structure(std::string_view message, const StructureLimits& limits = {});

// The envelope of a header section (RFC 9051 §7.5.2).
Envelope build_envelope(const HeaderSection& headers);

// RFC 9051 §6.4.5 part numbering: in a multipart, n is its n-th body part;
// in a message (the top level or a message/rfc822 part), n refers to the
// parts of its body, and a non-multipart body is part 1. Returns nullptr
// when the path names no part. An empty path returns nullptr (the caller
// means the whole message).
const Part* find_part(const MessageStructure& structure, std::span<const uint32_t> path);

// Slices of `message` for a part. Precondition: `part` was parsed from (or
// decoded for) this same message; out-of-range offsets yield "" (a cache
// that does not match its blob must not read past it).
std::string_view part_header(std::string_view message, const Part& part);
std::string_view part_body(std::string_view message, const Part& part);

}  // namespace postern::mime
