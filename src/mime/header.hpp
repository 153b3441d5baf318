// RFC 5322 §2.2 header section parsing: splits a message into header fields
// (name, raw folded value) and finds the body. Zero-copy: fields point into
// the message. Parses untrusted input; tolerant like Dovecot (a malformed
// line ends the header section instead of failing the message).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

struct HeaderField {
  std::string_view name;   // as written (compare case-insensitively)
  std::string_view value;  // raw value after the colon, folding CRLFs included
};

struct HeaderSection {
  std::vector<HeaderField> fields;
  size_t body_offset = 0;   // first octet of the body (after the empty line), or size
  bool malformed = false;   // a line that is neither a field nor a continuation was seen
};

constexpr size_t kMaxHeaderFields = 10000;

HeaderSection parse_header_section(std::string_view message);

// First field with this name (case-insensitive), or nullptr.
const HeaderField* find_field(const HeaderSection& headers, std::string_view name);

// Removes folding (CRLF followed by WSP) and trims outer whitespace (RFC 5322 §2.2.3).
std::string unfold(std::string_view value);

// RFC 5322 §3.3 date-time (and the obsolete forms of §4.3: two-digit years,
// named zones) as unix seconds; nullopt when it cannot be understood.
std::optional<int64_t> parse_date(std::string_view value);

// The same, keeping the zone as written: IMAP SENTBEFORE/SENTON/SENTSINCE
// compare the date "disregarding time and timezone" (RFC 9051 §6.4.4), i.e.
// the calendar day in the sender's zone.
struct ZonedDate {
  int64_t unix_seconds = 0;
  int zone_minutes = 0;  // +0200 -> 120; unknown zone names -> 0
};
std::optional<ZonedDate> parse_zoned_date(std::string_view value);

// RFC 5322 §3.3 date-time for `unix_seconds` in UTC, e.g.
// "Mon, 23 Nov 2026 11:20:10 +0000".
std::string format_date(int64_t unix_seconds);

}  // namespace postern::mime
