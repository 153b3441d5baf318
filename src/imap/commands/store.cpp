// STORE and UID STORE (RFC 9051 §6.4.6; UNCHANGEDSINCE and MODIFIED from
// RFC 7162 §3.1.3).
#include "imap/commands/command_table.hpp"
#include "imap/proto/store_args.hpp"

namespace postern::imap {

Task<void> cmd_store(SessionContext& s, Command& c) {
  auto args = parse_store(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  auto& box = *s.selected;
  if (box.read_only) {
    s.no(c.tag, "Mailbox is read-only", "READ-ONLY");  // RFC 9051 §6.3.3 EXAMINE
    co_return;
  }
  auto seqs = box.resolve(args->set, c.uid);
  if (!seqs) {
    s.fail(c.tag, seqs.error());
    co_return;
  }
  if (args->unchanged_since) s.condstore = true;  // RFC 7162 §3.1: enables CONDSTORE
  store::FlagUpdate u;
  u.op = args->mode == StoreMode::add      ? store::FlagOp::add
         : args->mode == StoreMode::remove ? store::FlagOp::remove
                                           : store::FlagOp::replace;
  u.flags = args->flags;
  if (args->unchanged_since) u.unchanged_since = static_cast<int64_t>(*args->unchanged_since);
  for (uint32_t seq : *seqs) u.uids.push_back(box.rows[seq - 1].uid);
  std::vector<uint32_t> requested = u.uids;
  auto r = co_await s.access.update_flags(s.account(), box.id, std::move(u));
  if (!r) {
    s.fail(c.tag, r.error());
    co_return;
  }
  std::vector<uint32_t> updated;
  for (const auto& row : r->updated) {
    if (auto* mine = box.row_by_uid(row.uid)) {
      mine->flags = row.flags;
      mine->modseq = row.modseq;
      updated.push_back(row.uid);
    }
  }
  // RFC 9051 §6.4.6: the new flags of every message named (also those
  // that did not change), unless .SILENT. RFC 7162 §3.1.3: with CONDSTORE
  // the MODSEQ too, and .SILENT still reports messages whose MODSEQ moved.
  for (uint32_t uid : requested) {
    bool was_updated = std::find(updated.begin(), updated.end(), uid) != updated.end();
    bool refused = std::find(r->modified.begin(), r->modified.end(), uid) != r->modified.end();
    if (refused) continue;
    if (args->silent && !(s.condstore && was_updated && args->unchanged_since)) continue;
    auto seq = box.seq_of(uid);
    if (!seq) continue;
    const auto& row = box.rows[*seq - 1];
    auto out = s.untagged();
    out.number(*seq).atom("FETCH").open();
    if (!args->silent) {
      out.atom("FLAGS");
      append_flag_list(out, row.flags);
    }
    if (c.uid) out.atom("UID").number(uid);
    if (s.condstore) out.atom("MODSEQ").open().number(static_cast<uint64_t>(row.modseq)).close();
    out.close().end();
  }
  if (!r->modified.empty()) {
    // RFC 7162 §3.1.3: MODIFIED lists what UNCHANGEDSINCE refused, as
    // sequence numbers for STORE and UIDs for UID STORE.
    std::vector<uint32_t> nums;
    for (uint32_t uid : r->modified) {
      if (c.uid) nums.push_back(uid);
      else if (auto seq = box.seq_of(uid)) nums.push_back(*seq);
    }
    std::sort(nums.begin(), nums.end());
    s.ok(c.tag, "Conditional STORE failed", "MODIFIED", format_number_set(nums));
    co_return;
  }
  s.ok(c.tag, "STORE completed");
}

}  // namespace postern::imap
