// Splits one SMTP command line (RFC 5321 §4.1.1) into its verb and argument.
// Parses untrusted network input: every byte is checked before it is used.
#pragma once

#include <string>
#include <string_view>

#include "smtp/proto/reply.hpp"

namespace postern::smtp {

constexpr size_t kMaxVerbLength = 16;

struct CommandLine {
  std::string verb;           // ASCII letters, upper-cased (verbs are case-insensitive, RFC 5321 §2.4)
  std::string_view argument;  // after the first SP/HT, leading and trailing blanks removed; views the input
};

// `line` is one command without its line ending (CRLF or a bare LF). Rejects,
// with 500 5.5.2: an empty line, a verb that is not 1..16 letters, NUL and
// other control characters except HT (RFC 5321 §2.3.8 forbids bare CR in
// commands), and invalid UTF-8 (RFC 6531 allows only well-formed UTF-8).
ReplyOr<CommandLine> parse_command_line(std::string_view line);

}  // namespace postern::smtp
