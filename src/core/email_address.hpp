// Email address syntax shared by SMTP, the directory and the CLI.
// Implements RFC 5321 §4.1.2 Mailbox (Dot-string / Quoted-string local part,
// Domain or address-literal) with RFC 6531 UTF-8 extensions, and the size
// limits of RFC 5321 §4.5.3.1. Parses untrusted input; allocates only the result.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace postern {

constexpr size_t kMaxLocalPartOctets = 64;     // RFC 5321 §4.5.3.1.1
constexpr size_t kMaxDomainOctets = 255;       // RFC 5321 §4.5.3.1.2
constexpr size_t kMaxPathOctets = 256;         // RFC 5321 §4.5.3.1.3

struct EmailAddress {
  std::string local;   // unquoted form when it is a valid Dot-string, else quoted
  std::string domain;  // ASCII letters lower-cased; address literals kept as "[...]"

  std::string str() const { return local + "@" + domain; }
  // True when the address needs SMTPUTF8 to be transported (RFC 6531).
  bool needs_smtputf8() const;
  bool operator==(const EmailAddress&) const = default;
};

struct AddressOptions {
  bool allow_utf8 = true;              // RFC 6531 local parts and U-label domains
  bool allow_address_literal = true;   // user@[192.0.2.1]
};

// Parses `local@domain` (no angle brackets). Errors are ErrorKind::syntax with
// a message naming the offending part.
Result<EmailAddress> parse_email_address(std::string_view text, AddressOptions options = {});

// A domain name as used in DNS and in `domain add`: LDH labels (or UTF-8
// U-labels when allowed), 1..63 octets per label, <= 255 in all. Lower-cased.
Result<std::string> parse_domain(std::string_view text, bool allow_utf8 = true);

}  // namespace postern
