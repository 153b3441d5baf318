// RFC 5322 §3.4 address lists (with the obsolete forms of §4.4: routes,
// phrases with dots, empty list elements) parsed into the shape IMAP's
// ENVELOPE uses (RFC 9051 §7.5.2): one entry per mailbox, and a group as a
// start marker, its members and an end marker. Values stay raw (encoded-
// words are not decoded: IMAP sends them as written). Untrusted input:
// garbage degrades to best-effort addresses, never an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

// RFC 9051 §7.5.2 address structure. Group start: name/adl/host absent,
// mailbox = group name. Group end: all four absent.
struct Address {
  std::optional<std::string> name;     // display-name (unquoted), or the comment of "a@b (Name)"
  std::optional<std::string> adl;      // obsolete source route "@a,@b"
  std::optional<std::string> mailbox;  // local-part (unquoted); group name for a group start
  std::optional<std::string> host;     // domain; absent only for group markers

  bool is_group_start() const { return !host && mailbox.has_value(); }
  bool is_group_end() const { return !host && !mailbox; }
  bool operator==(const Address&) const = default;
};

// Filled in like Dovecot when a mailbox lacks a part, so that a real
// address is never mistaken for a group marker (absent host).
inline constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
inline constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";

constexpr size_t kMaxAddresses = 5000;  // per field; the rest is dropped

// Parses a raw (possibly folded) header value.
std::vector<Address> parse_address_list(std::string_view raw);

}  // namespace postern::mime
