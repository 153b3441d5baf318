// STATUS (RFC 9051 §6.3.11; HIGHESTMODSEQ RFC 7162 §3.1.6; SIZE RFC 8438;
// MAILBOXID RFC 8474), also for LIST RETURN (STATUS) (RFC 5819).
// UNSEEN and DELETED are counted from the mailbox's rows.
#include "imap/commands/command_table.hpp"
#include "imap/proto/mutf7.hpp"
#include "imap/proto/status_args.hpp"
#include "imap/session/object_ids.hpp"
#include "store/flags.hpp"

namespace postern::imap {

Task<Status> write_status(SessionContext& s, const store::MailboxInfo& box, const std::vector<StatusItem>& items) {
  uint64_t unseen = 0, deleted = 0;
  bool need_rows = false;
  for (auto item : items) need_rows |= item == StatusItem::unseen || item == StatusItem::deleted;
  if (need_rows) {
    auto rows = co_await s.access.mailbox_rows(s.account(), box.id);
    if (!rows) co_return rows.error();
    for (const auto& r : (*rows)->rows) {
      if (!store::has_flag(r.flags, "\\Seen")) ++unseen;
      if (store::has_flag(r.flags, "\\Deleted")) ++deleted;
    }
  }
  auto r = s.untagged();
  r.atom("STATUS").astring(mailbox_to_wire(box.name, s.utf8())).open();
  for (auto item : items) {
    uint64_t v = 0;
    switch (item) {
      case StatusItem::messages: v = box.messages; break;
      case StatusItem::uidnext: v = box.uidnext; break;
      case StatusItem::uidvalidity: v = box.uidvalidity; break;
      case StatusItem::unseen: v = unseen; break;
      case StatusItem::deleted: v = deleted; break;
      case StatusItem::size: v = static_cast<uint64_t>(box.bytes); break;
      case StatusItem::recent: v = 0; break;  // \Recent is not kept (DESIGN.md)
      case StatusItem::highestmodseq:
        v = static_cast<uint64_t>(box.highest_modseq);
        s.condstore = true;  // RFC 7162 §3.1: a CONDSTORE-enabling command
        break;
      case StatusItem::appendlimit: v = s.options.limits.max_literal; break;
      case StatusItem::mailboxid:  // RFC 8474 §4.2
        r.atom("MAILBOXID").open().atom(mailbox_object_id(s.account(), box.id, box.uidvalidity)).close();
        continue;
    }
    r.atom(status_item_name(item)).number(v);
  }
  r.close().end();
  co_return Ok{};
}

Task<void> cmd_status(SessionContext& s, Command& c) {
  auto args = parse_status(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  auto info = co_await require_mailbox(s, c.tag, args->mailbox, "NONEXISTENT");
  if (!info) co_return;
  auto written = co_await write_status(s, *info, args->items);
  if (!written) {
    s.fail(c.tag, written.error());
    co_return;
  }
  s.ok(c.tag, "STATUS completed");
}

}  // namespace postern::imap
