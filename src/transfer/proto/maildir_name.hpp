// Maildir file names (https://cr.yp.to/proto/maildir.html, Maildir++ and
// Dovecot's extensions): "<time>.<unique>.<host>[,S=<size>][,W=<vsize>]:2,<flags>".
// The info part after ":2," holds one letter per system flag (uppercase,
// kept in ASCII order) and one per keyword (lowercase a..z, indexes into the
// folder's dovecot-keywords file). Parses untrusted file names; never fails:
// anything unrecognised is simply not a flag.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::transfer {

struct MaildirName {
  std::vector<std::string> flags;        // IMAP system flags, e.g. "\\Seen"
  std::string keyword_letters;           // 'a'..'z', ascending, no duplicates
  std::optional<int64_t> delivered_at;   // the leading "<time>" (unix seconds), when plausible
  std::optional<int64_t> size;           // ",S=" (octets on disk, LF line ends)
  std::optional<int64_t> virtual_size;   // ",W=" (octets with CRLF line ends)
};

// Maildir flag letter <-> IMAP flag: D \Draft, F \Flagged, P $Forwarded,
// R \Answered, S \Seen, T \Deleted. Unknown letters map to nothing.
std::optional<std::string_view> flag_of_letter(char letter);
std::optional<char> letter_of_flag(std::string_view flag);  // case-insensitive

MaildirName parse_maildir_name(std::string_view file_name);

// The ":2,..." suffix for these flags and keyword letters (letters sorted,
// as Dovecot writes and expects them).
std::string maildir_info(const std::vector<std::string>& flags, std::string_view keyword_letters);

}  // namespace postern::transfer
