// COPY / UID COPY (RFC 9051 §6.4.7, COPYUID RFC 4315 §3) and MOVE / UID
// MOVE (RFC 6851 §3: COPYUID in an untagged OK before the EXPUNGEs).
// COPY beyond the account's quota is NO [OVERQUOTA] (RFC 9208 §4.5).
#include <algorithm>

#include "imap/commands/command_table.hpp"
#include "imap/proto/mailbox_args.hpp"
#include "imap/proto/mutf7.hpp"

namespace postern::imap {

namespace {
Task<Status> copy_fits_quota(SessionContext& s, const std::vector<uint32_t>& seqs) {
  auto q = co_await s.access.quota(s.account());
  if (!q) co_return q.error();
  if (q->limit_bytes == 0) co_return Ok{};
  std::vector<int64_t> ids;
  for (uint32_t seq : seqs) ids.push_back(s.selected->rows[seq - 1].message_id);
  auto data = co_await s.access.message_data(s.account(), std::move(ids));
  if (!data) co_return data.error();
  int64_t total = 0;
  for (const auto& m : *data) total += m.size;
  auto fits = co_await check_quota(s, total);
  co_return fits;
}
}  // namespace

Task<void> cmd_copy(SessionContext& s, Command& c) {
  bool move = c.name == "MOVE";
  auto args = parse_copy(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  auto& box = *s.selected;
  if (move && box.read_only) {
    s.no(c.tag, "Mailbox is read-only", "READ-ONLY");
    co_return;
  }
  auto seqs = box.resolve(args->set, c.uid);
  if (!seqs) {
    s.fail(c.tag, seqs.error());
    co_return;
  }
  // RFC 9051 §6.4.7: TRYCREATE tells the client CREATE would help.
  auto dest = co_await require_mailbox(s, c.tag, args->mailbox, "TRYCREATE");
  if (!dest) co_return;
  std::string done = move ? "MOVE completed" : "COPY completed";
  if (seqs->empty()) {
    s.ok(c.tag, done);
    co_return;
  }
  std::vector<uint32_t> uids;
  for (uint32_t seq : *seqs) uids.push_back(box.rows[seq - 1].uid);
  if (!move) {
    // COPY adds the messages' size to the account (MOVE does not).
    auto room = co_await copy_fits_quota(s, *seqs);
    if (!room) {
      s.fail(c.tag, room.error(), "OVERQUOTA");
      co_return;
    }
  }
  auto r = co_await s.access.copy_messages(s.account(), box.id, std::move(uids), dest->id, move);
  if (!r) {
    s.fail(c.tag, r.error(), mailbox_error_code(r.error()));
    co_return;
  }
  auto pairs = r->uids;
  std::sort(pairs.begin(), pairs.end());
  std::vector<uint32_t> src, dst;
  for (auto [a, b] : pairs) {
    src.push_back(a);
    dst.push_back(b);
  }
  std::string copyuid;
  if (!pairs.empty()) {
    // RFC 4315 §3: the two sets correspond in order; dst may not be a run
    // sorted with src, so it is written element by element when needed.
    std::string dst_set;
    if (std::is_sorted(dst.begin(), dst.end())) {
      dst_set = format_number_set(dst);
    } else {
      for (auto d : dst) dst_set += (dst_set.empty() ? "" : ",") + std::to_string(d);
    }
    copyuid = std::to_string(r->uidvalidity) + " " + format_number_set(src) + " " + dst_set;
  }
  if (!move) {
    if (copyuid.empty()) s.ok(c.tag, done);
    else s.ok(c.tag, done, "COPYUID", copyuid);
    co_return;
  }
  if (!copyuid.empty()) append_untagged_status(s.out, Condition::ok, "Moved", "COPYUID", copyuid);
  announce_expunged(s, src);
  s.ok(c.tag, done);
}

}  // namespace postern::imap
