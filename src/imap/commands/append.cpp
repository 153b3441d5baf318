// APPEND (RFC 9051 §6.3.12) of one message, with APPENDUID (RFC 4315 §3).
// The message octets come from the command's literal; the store answers
// only after they are durable (DESIGN.md durability contract).
#include <ctime>

#include "imap/commands/command_table.hpp"
#include "imap/proto/mailbox_args.hpp"
#include "imap/proto/mutf7.hpp"

namespace postern::imap {

Task<void> cmd_append(SessionContext& s, Command& c) {
  auto args = parse_append(c.args, 1);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  // RFC 9051 §6.3.12: TRYCREATE tells the client CREATE would help.
  auto dest = co_await require_mailbox(s, c.tag, args->mailbox, "TRYCREATE");
  if (!dest) co_return;
  const auto& msg = args->messages.at(0);
  if (msg.data.empty()) {
    s.no(c.tag, "Empty message", "CANNOT");
    co_return;
  }
  if (msg.data.find('\0') != std::string_view::npos) {
    // Binary content is not accepted until BINARY is (RFC 3516).
    s.no(c.tag, "Message contains NUL octets", "CANNOT");
    co_return;
  }
  AppendRequest req;
  req.content = std::string(msg.data);
  req.flags = msg.flags;
  req.internal_date = msg.internal_date ? to_unix_seconds(*msg.internal_date) : static_cast<int64_t>(std::time(nullptr));
  auto r = co_await s.access.append(s.account(), dest->name, std::move(req));
  if (!r) {
    s.fail(c.tag, r.error(), "TRYCREATE");
    co_return;
  }
  if (r->copies.empty()) {
    s.ok(c.tag, "APPEND completed");
    co_return;
  }
  s.ok(c.tag, "APPEND completed", "APPENDUID",
       std::to_string(dest->uidvalidity) + " " + std::to_string(r->copies[0].uid));
  // An APPEND to the selected mailbox is announced by the EXISTS that the
  // session sends after this command (the store's notification marks it dirty).
  if (s.selected && s.selected->id == dest->id) s.dirty = true;
}

}  // namespace postern::imap
