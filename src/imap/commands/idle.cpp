// IDLE (RFC 2177, RFC 9051 §6.3.13): "+ idling", then changes are pushed
// by the session as the store reports them, until the client sends DONE.
#include "core/strings.hpp"
#include "imap/commands/command_table.hpp"

namespace postern::imap {

Task<void> cmd_idle(SessionContext& s, Command& c) {
  if (!c.args.empty()) {
    s.bad(c.tag, "IDLE takes no arguments");
    co_return;
  }
  append_continuation(s.out, "idling");
  s.line_mode = LineMode::idle;
  s.pending_tag = c.tag;
  // Check once at the start: the session announces everything pending.
  if (s.selected) s.dirty = true;
}

void finish_idle(SessionContext& s, std::string_view line) {
  s.line_mode = LineMode::command;
  std::string tag = std::exchange(s.pending_tag, {});
  if (iequals(line, "DONE")) {
    s.ok(tag, "IDLE terminated");
  } else {
    s.bad(tag, "Expected DONE");
  }
}

}  // namespace postern::imap
