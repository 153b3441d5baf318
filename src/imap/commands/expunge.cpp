// EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1, RFC 9051
// §6.4.9): removes \Deleted messages and answers "* n EXPUNGE" for each,
// in ascending order with the sequence numbers as they are at that moment.
#include "imap/commands/command_table.hpp"

namespace postern::imap {

Task<void> cmd_expunge(SessionContext& s, Command& c) {
  auto& box = *s.selected;
  std::optional<std::vector<uint32_t>> only;
  if (c.uid) {
    if (c.args.size() != 1) {
      s.bad(c.tag, "UID EXPUNGE needs one UID set");
      co_return;
    }
    auto set = parse_sequence_set(c.args[0]);
    if (!set) {
      s.fail(c.tag, set.error());
      co_return;
    }
    only.emplace();
    for (uint32_t seq : box.resolve_uid(*set)) only->push_back(box.rows[seq - 1].uid);
  } else if (!c.args.empty()) {
    s.bad(c.tag, "EXPUNGE takes no arguments");
    co_return;
  }
  if (box.read_only) {
    s.no(c.tag, "Mailbox is read-only", "READ-ONLY");
    co_return;
  }
  if (only && only->empty()) {
    s.ok(c.tag, "EXPUNGE completed");
    co_return;
  }
  auto r = co_await s.access.expunge(s.account(), box.id, std::move(only));
  if (!r) {
    s.fail(c.tag, r.error());
    co_return;
  }
  announce_expunged(s, std::move(*r));
  s.ok(c.tag, "EXPUNGE completed");
}

}  // namespace postern::imap
