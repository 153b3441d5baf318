// Commands valid in any state: CAPABILITY, NOOP (and CHECK), LOGOUT
// (RFC 9051 §6.1), ID (RFC 2971).
#include "imap/commands/command_table.hpp"
#include "imap/proto/session_args.hpp"

namespace postern::imap {

// RFC 9051 §6.1.1
Task<void> cmd_capability(SessionContext& s, Command& c) {
  if (!c.args.empty()) {
    s.bad(c.tag, "CAPABILITY takes no arguments");
    co_return;
  }
  s.untagged().atom("CAPABILITY").raw(s.capabilities()).end();
  s.ok(c.tag, "CAPABILITY completed");
}

// RFC 9051 §6.1.2 NOOP; RFC 3501 §6.4.1 CHECK. The session polls the store
// for changes after both (kPoll), which is what clients use them for.
Task<void> cmd_noop(SessionContext& s, Command& c) {
  if (!c.args.empty()) {
    s.bad(c.tag, c.name + " takes no arguments");
    co_return;
  }
  s.ok(c.tag, c.name + " completed");
}

// RFC 9051 §6.1.3
Task<void> cmd_logout(SessionContext& s, Command& c) {
  if (!c.args.empty()) {
    s.bad(c.tag, "LOGOUT takes no arguments");
    co_return;
  }
  append_untagged_status(s.out, Condition::bye, "Postern IMAP logging out");
  s.ok(c.tag, "LOGOUT completed");
  s.state = SessionState::logout;
  s.close = true;
}

// RFC 2971 §3.1: the server answers with its own identification.
Task<void> cmd_id(SessionContext& s, Command& c) {
  auto args = parse_id(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  s.untagged().atom("ID").open().string("name").string("Postern").close().end();
  s.ok(c.tag, "ID completed");
}

}  // namespace postern::imap
