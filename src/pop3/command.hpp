// POP3 command lines (RFC 1939 §3, RFC 2449 §3): a keyword of 3-4
// characters, case-insensitive, and arguments separated by single spaces.
// Pure parsing of untrusted input; no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::pop3 {

struct CommandLine {
  std::string keyword;             // upper-cased
  std::vector<std::string> args;   // split on spaces (empty ones dropped)
  std::string rest;                // everything after "KEYWORD ", verbatim (PASS may contain spaces)
};

// `line` without its CRLF. nullopt when the keyword is not 3-4 letters.
std::optional<CommandLine> parse_command_line(std::string_view line);

// A message number (RFC 1939 §3: "msg"): decimal digits, 1 or more, no sign.
// nullopt when malformed or zero; large values are clamped to UINT32_MAX
// (they can never name a message).
std::optional<uint32_t> parse_message_number(std::string_view text);

// A non-negative line count for TOP (RFC 1939 §7).
std::optional<uint64_t> parse_line_count(std::string_view text);

}  // namespace postern::pop3
