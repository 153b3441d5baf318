// mbox files (RFC 4155) in the two common variants:
//   mboxrd: writers quote every body line matching ^>*From  with one more
//           '>', so readers remove exactly one '>' from ^>+From  lines;
//   mboxo:  writers quote only ^From  lines, so readers unquote only
//           ^>From  (">>From " stays as it is).
// A message starts at a "From " separator line (at the start of the file or
// after an empty line, and shaped "From <sender> <asctime date>"); a bare
// "From " line inside a body of a sloppy mboxo file stays body text.
// Content-Length headers are not trusted (mutt and others rewrite bodies
// without updating them). Parses untrusted input; never fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::transfer {

enum class MboxFormat { mboxrd, mboxo };

struct MboxMessage {
  std::string_view from_line;   // the separator line without "From " and line end
  std::string_view raw;         // the message as stored in the file (still quoted)
  size_t offset = 0;            // of `raw` in the file, for error reports
};

// Splits a whole mbox file into its messages (separator line excluded; the
// empty line that ends each message removed). Text before the first
// separator is ignored; `leading_garbage` tells whether there was any.
std::vector<MboxMessage> split_mbox(std::string_view file, bool* leading_garbage = nullptr);

// True when `line` (without its line end) is a From_ separator.
bool is_from_line(std::string_view line);

// The envelope sender and date of a separator line: ("MAILER-DAEMON",
// unix seconds) for "MAILER-DAEMON Sat Jan  3 01:05:34 1996". Date nullopt
// when it does not parse (treated as UTC; an offset after the year is applied).
struct FromLine {
  std::string sender;
  std::optional<int64_t> date;
};
FromLine parse_from_line(std::string_view rest);
std::string format_from_line(std::string_view sender, int64_t date);  // "From ... \n"

// Removes the From_ quoting of one message's text per `format`.
std::string unquote_from(std::string_view raw, MboxFormat format);
// mboxrd quoting of a message (LF line ends), for writing.
std::string quote_from(std::string_view text);

// Mail-client status headers in the header section: Status (R = \Seen),
// X-Status (A \Answered, F \Flagged, T \Draft, D \Deleted) and Dovecot's
// X-Keywords (space-separated keywords). `strip_status_headers` returns the
// message without them (they describe mailbox state, not the message, and
// exports write them afresh) and appends the flags they name to `flags`.
std::string strip_status_headers(std::string_view message, std::vector<std::string>& flags);
// The header block to insert for `flags` when exporting (LF line ends;
// empty when there is nothing to say).
std::string status_headers(const std::vector<std::string>& flags);

// Line end conversions: the store keeps CRLF (RFC 5322); files keep LF.
std::string to_crlf(std::string_view text);
std::string to_lf(std::string_view text);
// The size `text` will have after to_crlf, without building it.
uint64_t crlf_size(std::string_view text);

}  // namespace postern::transfer
