// The SMTP verbs the server knows, one row each in the OpenSMTPD style:
// {verb, check, act}. `check` decides whether the verb may run now (session
// state, argument presence) and returns the refusal; `act` parses the
// argument and does the work. Adding a verb touches only command_table.cpp.
#pragma once

#include <optional>
#include <string_view>

#include "smtp/proto/reply.hpp"
#include "smtp/server/session_core.hpp"

namespace postern::smtp::detail {

struct CommandRow {
  std::string_view verb;  // upper-case
  std::optional<Reply> (*check)(const SessionCore& session, std::string_view argument);
  void (*act)(SessionCore& session, std::string_view argument);
};

// The row for an upper-cased verb, or nullptr (500 5.5.2).
const CommandRow* find_command(std::string_view verb);

}  // namespace postern::smtp::detail
