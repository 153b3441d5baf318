// Entering and leaving the selected state: SELECT / EXAMINE (RFC 9051
// §6.3.2, §6.3.3; CONDSTORE parameter and HIGHESTMODSEQ RFC 7162 §3.1.8,
// §3.1.2.1; QRESYNC parameter §3.2.5), CLOSE (§6.4.1) and UNSELECT (RFC 3691 / §6.4.2).
#include <algorithm>

#include "imap/commands/command_table.hpp"
#include "imap/proto/mailbox_args.hpp"
#include "imap/proto/mutf7.hpp"
#include "imap/session/object_ids.hpp"
#include "store/flags.hpp"

namespace postern::imap {

namespace {
constexpr std::string_view kSystemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

// RFC 7162 §3.2.5.1: what changed since the client's last sync, when its
// UIDVALIDITY still holds. Expunges come from the store's expunge log
// (kept for every mailbox, so "(EARLIER)" is always exact); UIDs still in
// the fresh view are left to the normal announcements.
Task<void> resynchronize(SessionContext& s, const QresyncParams& q) {
  int64_t since = static_cast<int64_t>(q.modseq);
  auto changes = co_await s.access.changes_since(s.account(), s.selected->id, since);
  if (!changes || !s.selected) co_return;  // the client falls back to a full sync
  auto& box = *s.selected;
  std::vector<uint32_t> vanished;
  for (uint32_t uid : changes->expunged) {
    if (box.seq_of(uid)) continue;
    if (q.known_uids && !q.known_uids->contains(uid, box.uidnext)) continue;
    vanished.push_back(uid);
  }
  if (!vanished.empty())
    s.untagged().atom("VANISHED").open().atom("EARLIER").close().raw(format_number_set(vanished)).end();
  for (size_t i = 0; i < box.rows.size(); ++i) {
    const auto& row = box.rows[i];
    if (row.modseq <= since) continue;
    auto r = s.untagged();
    r.number(i + 1).atom("FETCH").open().atom("UID").number(row.uid).atom("FLAGS");
    append_flag_list(r, row.flags);
    r.atom("MODSEQ").open().number(static_cast<uint64_t>(row.modseq)).close().close().end();
  }
}
}  // namespace

Task<void> cmd_select(SessionContext& s, Command& c) {
  bool examine = c.name == "EXAMINE";
  auto args = parse_select(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  if (args->qresync && !s.qresync) {
    // RFC 7162 §3.2.5: QRESYNC parameter without ENABLE QRESYNC is BAD.
    s.bad(c.tag, "QRESYNC is not enabled");
    co_return;
  }
  auto name = mailbox_from_wire(args->mailbox, s.utf8());
  if (!name) {
    s.fail(c.tag, name.error());
    co_return;
  }
  // RFC 9051 §6.3.2: selecting deselects first, even if this SELECT fails;
  // [CLOSED] tells the client where the old mailbox's responses end.
  if (s.selected) {
    s.selected.reset();
    s.state = SessionState::authenticated;
    s.dirty = false;
    append_untagged_status(s.out, Condition::ok, "Previous mailbox is now closed", "CLOSED");
  }
  auto info = co_await find_mailbox(s, *name);
  if (!info) {
    s.fail(c.tag, info.error());
    co_return;
  }
  if (!*info) {
    s.no(c.tag, "Mailbox does not exist", "NONEXISTENT");
    co_return;
  }
  auto rows = co_await s.access.mailbox_rows(s.account(), (*info)->id);
  if (!rows) {
    s.fail(c.tag, rows.error());
    co_return;
  }
  if (args->condstore) s.condstore = true;  // RFC 7162 §3.1.8

  SelectedMailbox box;
  box.id = (*info)->id;
  box.name = (*info)->name;
  box.read_only = examine;
  box.uidvalidity = (*info)->uidvalidity;
  box.uidnext = (*info)->uidnext;
  // Changes after list_mailboxes are reported again by the first
  // changes_since and filtered there when the view already has them.
  box.highest_modseq_seen = (*info)->highest_modseq;
  // The snapshot may be newer than `info`: its rows count too.
  const auto& snapshot = **rows;
  box.highest_modseq_seen = std::max(box.highest_modseq_seen, snapshot.highest_row_modseq);
  if (!snapshot.rows.empty()) box.uidnext = std::max(box.uidnext, snapshot.rows.back().uid + 1);
  box.rows = MessageView(std::move(*rows));  // shared, in UID order

  s.untagged().atom("FLAGS").open().raw(kSystemFlags).close().end();
  if (examine) {
    append_untagged_status(s.out, Condition::ok, "No permanent flags permitted", "PERMANENTFLAGS", "()");
  } else {
    append_untagged_status(s.out, Condition::ok, "Flags permitted", "PERMANENTFLAGS",
                           std::string("(") + std::string(kSystemFlags) + " \\*)");
  }
  s.untagged().number(box.exists()).atom("EXISTS").end();
  if (!s.rev2) {
    // RFC 3501 §6.3.1: RECENT is required for rev1 clients; \Recent is not
    // kept (DESIGN.md), so it is always 0. UNSEEN: first unseen message.
    s.untagged().number(0).atom("RECENT").end();
    for (size_t i = 0; i < box.rows.size(); ++i) {
      if (!store::has_flag(box.rows[i].flags, "\\Seen")) {
        append_untagged_status(s.out, Condition::ok, "First unseen", "UNSEEN", std::to_string(i + 1));
        break;
      }
    }
  }
  append_untagged_status(s.out, Condition::ok, "UIDs valid", "UIDVALIDITY", std::to_string(box.uidvalidity));
  append_untagged_status(s.out, Condition::ok, "Predicted next UID", "UIDNEXT", std::to_string(box.uidnext));
  append_untagged_status(s.out, Condition::ok, "Highest", "HIGHESTMODSEQ", std::to_string(box.highest_modseq_seen));
  // RFC 8474 §4.1
  append_untagged_status(s.out, Condition::ok, "Ok", "MAILBOXID",
                         "(" + mailbox_object_id(s.account(), box.id, box.uidvalidity) + ")");
  if (s.rev2) {
    // RFC 9051 §6.3.2: a LIST response with the mailbox name as the server knows it.
    auto r = s.untagged();
    r.atom("LIST").open().close().string("/").astring(mailbox_to_wire(box.name, s.utf8())).end();
  }
  s.selected = std::move(box);
  s.state = SessionState::selected;
  s.dirty = false;
  if (args->qresync && args->qresync->uidvalidity == s.selected->uidvalidity) {
    co_await resynchronize(s, *args->qresync);
  }
  if (examine) {
    s.ok(c.tag, "EXAMINE completed", "READ-ONLY");
  } else {
    s.ok(c.tag, "SELECT completed", "READ-WRITE");
  }
}

// RFC 9051 §6.4.1: expunge silently (no EXPUNGE responses), then leave.
Task<void> cmd_close(SessionContext& s, Command& c) {
  if (!c.args.empty()) {
    s.bad(c.tag, "CLOSE takes no arguments");
    co_return;
  }
  if (!s.selected->read_only) {
    auto r = co_await s.access.expunge(s.account(), s.selected->id, std::nullopt);
    if (!r) {
      s.fail(c.tag, r.error());
      co_return;
    }
  }
  s.selected.reset();
  s.state = SessionState::authenticated;
  s.dirty = false;
  s.ok(c.tag, "CLOSE completed");
}

// RFC 3691 / RFC 9051 §6.4.2: leave without expunging.
Task<void> cmd_unselect(SessionContext& s, Command& c) {
  if (!c.args.empty()) {
    s.bad(c.tag, "UNSELECT takes no arguments");
    co_return;
  }
  s.selected.reset();
  s.state = SessionState::authenticated;
  s.dirty = false;
  s.ok(c.tag, "UNSELECT completed");
}

}  // namespace postern::imap
