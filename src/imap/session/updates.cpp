// Announcing changes made by others to the selected mailbox (RFC 9051
// §7.5.1, §7.4.1; RFC 7162 §3.1.4 MODSEQ in unsolicited FETCH, §3.2.10
// VANISHED).
#include <algorithm>

#include "imap/session/context.hpp"

namespace postern::imap {

void announce_expunged(SessionContext& s, std::vector<uint32_t> uids) {
  if (!s.selected || uids.empty()) return;
  auto& box = *s.selected;
  std::sort(uids.begin(), uids.end());
  std::vector<uint32_t> vanished;
  for (uint32_t uid : uids) {
    auto seq = box.remove(uid);
    if (!seq) continue;
    if (s.qresync) {
      vanished.push_back(uid);
    } else {
      s.untagged().number(*seq).atom("EXPUNGE").end();
    }
  }
  if (!vanished.empty()) s.untagged().atom("VANISHED").raw(format_number_set(vanished)).end();
}

Task<void> announce_changes(SessionContext& s, bool allow_expunge) {
  if (!s.selected) {
    s.dirty = false;
    co_return;
  }
  // Cleared before waiting: a notification arriving meanwhile sets it again.
  s.dirty = false;
  auto changes = co_await s.access.changes_since(s.account(), s.selected->id, s.selected->highest_modseq_seen);
  // The session may have left the mailbox while we waited.
  if (!s.selected) co_return;
  if (!changes) {
    s.dirty = true;  // try again later
    co_return;
  }
  auto& box = *s.selected;
  box.highest_modseq_seen = std::max(box.highest_modseq_seen, changes->highest_modseq);
  if (changes->uidnext > box.uidnext) box.uidnext = changes->uidnext;

  for (uint32_t uid : changes->expunged) {
    if (box.seq_of(uid) && std::find(box.pending_expunges.begin(), box.pending_expunges.end(), uid) ==
                               box.pending_expunges.end())
      box.pending_expunges.push_back(uid);
  }

  uint32_t old_exists = box.exists();
  for (auto& row : changes->changed) {
    if (std::find(box.pending_expunges.begin(), box.pending_expunges.end(), row.uid) != box.pending_expunges.end())
      continue;
    if (const auto* seen = box.find(row.uid)) {
      // Our own STORE already updated the view: nothing new to say.
      if (seen->flags == row.flags && seen->modseq >= row.modseq) continue;
      auto* mine = box.row_by_uid(row.uid);
      mine->flags = row.flags;
      mine->modseq = row.modseq;
      auto r = s.untagged();
      r.number(*box.seq_of(row.uid)).atom("FETCH").open().atom("UID").number(row.uid).atom("FLAGS");
      append_flag_list(r, row.flags);
      if (s.condstore) r.atom("MODSEQ").open().number(static_cast<uint64_t>(row.modseq)).close();
      r.close().end();
    } else if (row.uid > box.max_uid()) {
      box.rows.push_back(row);  // new message (UIDs only grow, RFC 9051 §2.3.1.1)
    }
    // An old UID we never saw was expunged before we selected: ignore.
  }
  if (box.exists() != old_exists) s.untagged().number(box.exists()).atom("EXISTS").end();

  if (allow_expunge) {
    auto pending = std::move(box.pending_expunges);
    box.pending_expunges.clear();
    announce_expunged(s, std::move(pending));
  }
  if (!box.pending_expunges.empty()) s.dirty = true;
}

}  // namespace postern::imap
