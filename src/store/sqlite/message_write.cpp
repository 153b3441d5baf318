// Message ops inside one account: flag changes (with UNCHANGEDSINCE),
// expunge (logged for QRESYNC VANISHED), COPY and MOVE.
#include <algorithm>
#include <map>

#include "store/flags.hpp"
#include "store/sqlite/mailbox_write.hpp"

namespace postern::store::sqlite {
namespace {

struct RowInfo {
  uint32_t uid;
  int64_t message_id;
  int64_t modseq;
  std::string flags;
  int64_t size;
};

// The rows of `uids` (ascending, absent ones skipped) in a mailbox of the account.
Result<std::vector<RowInfo>> load_rows(Db& db, int64_t account_id, int64_t mailbox_id, std::vector<uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  auto st = db.prepare(
      "SELECT mm.uid, mm.message_id, mm.modseq, m.flags, m.size FROM mailbox_messages mm "
      "JOIN messages m ON m.id = mm.message_id JOIN mailboxes b ON b.id = mm.mailbox_id "
      "WHERE mm.mailbox_id = ? AND mm.uid = ? AND b.account_id = ?");
  if (!st) return st.error();
  std::vector<RowInfo> out;
  for (uint32_t uid : uids) {
    st->bind(1, mailbox_id).bind(2, static_cast<int64_t>(uid)).bind(3, account_id);
    auto row = st->step();
    if (!row) return row.error();
    if (*row) out.push_back({uid, st->int64(1), st->int64(2), st->text(3), st->int64(4)});
    st->reset();
  }
  return out;
}

Status check_mailbox(Db& db, int64_t account_id, int64_t mailbox_id) {
  auto st = db.prepare("SELECT 1 FROM mailboxes WHERE id = ? AND account_id = ?");
  if (!st) return st.error();
  st->bind(1, mailbox_id).bind(2, account_id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return user_error("no such mailbox");
  return Ok{};
}

Result<uint32_t> allocate_uid(Db& db, int64_t mailbox_id, int64_t modseq, int64_t size) {
  auto st = db.prepare(
      "UPDATE mailboxes SET uidnext = uidnext + 1, highest_modseq = max(highest_modseq, ?), "
      "message_count = message_count + 1, total_bytes = total_bytes + ? WHERE id = ? RETURNING uidnext - 1");
  if (!st) return st.error();
  st->bind(1, modseq).bind(2, size).bind(3, mailbox_id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return user_error("no such mailbox");
  auto uid = static_cast<uint32_t>(st->int64(0));
  st->reset();
  return uid;
}

}  // namespace

Result<FlagUpdateResult> update_flags(WriteContext& ctx, int64_t account_id, int64_t mailbox_id,
                                      const FlagUpdate& update) {
  if (auto s = check_mailbox(ctx.db, account_id, mailbox_id); !s) return s.error();
  auto rows = load_rows(ctx.db, account_id, mailbox_id, update.uids);
  if (!rows) return rows.error();
  FlagUpdateResult result;
  std::vector<std::pair<const RowInfo*, std::string>> changes;
  for (const auto& r : *rows) {
    // RFC 7162 §3.1.3: a row modified after UNCHANGEDSINCE is not touched.
    if (update.unchanged_since && r.modseq > *update.unchanged_since) {
      result.modified.push_back(r.uid);
      continue;
    }
    std::string next = apply_flags(r.flags, update.op, update.flags);
    if (next != r.flags) changes.emplace_back(&r, std::move(next));
  }
  if (changes.empty()) return result;
  auto modseq = bump_account_modseq(ctx.db, account_id);
  if (!modseq) return modseq.error();
  auto set_flags = ctx.db.prepare("UPDATE messages SET flags = ? WHERE id = ?");
  // The flags live on the message, so every mailbox holding it changes.
  auto set_rows = ctx.db.prepare("UPDATE mailbox_messages SET modseq = ? WHERE message_id = ?");
  auto set_highest = ctx.db.prepare(
      "UPDATE mailboxes SET highest_modseq = ? WHERE id IN (SELECT mailbox_id FROM mailbox_messages WHERE message_id = ?)");
  if (!set_flags) return set_flags.error();
  if (!set_rows) return set_rows.error();
  if (!set_highest) return set_highest.error();
  for (const auto& [row, flags] : changes) {
    set_flags->bind(1, flags).bind(2, row->message_id);
    if (auto s = set_flags->run(); !s) return s.error();
    set_rows->bind(1, *modseq).bind(2, row->message_id);
    if (auto s = set_rows->run(); !s) return s.error();
    set_highest->bind(1, *modseq).bind(2, row->message_id);
    if (auto s = set_highest->run(); !s) return s.error();
    result.updated.push_back({row->uid, row->message_id, *modseq, flags});
  }
  ctx.changed.emplace_back(account_id, *modseq);
  return result;
}

Status remove_rows(WriteContext& ctx, int64_t mailbox_id, const std::vector<uint32_t>& uids, int64_t modseq) {
  auto find = ctx.db.prepare(
      "SELECT mm.message_id, m.size, m.blob_hash FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id "
      "WHERE mm.mailbox_id = ? AND mm.uid = ?");
  auto del_row = ctx.db.prepare("DELETE FROM mailbox_messages WHERE mailbox_id = ? AND uid = ?");
  auto log = ctx.db.prepare("INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)");
  auto still_used = ctx.db.prepare("SELECT 1 FROM mailbox_messages WHERE message_id = ? LIMIT 1");
  auto del_msg = ctx.db.prepare("DELETE FROM messages WHERE id = ?");
  auto unref = ctx.db.prepare("UPDATE blobs SET refcount = refcount - 1 WHERE hash = ? RETURNING refcount");
  auto del_blob = ctx.db.prepare("DELETE FROM blobs WHERE hash = ?");
  auto counts = ctx.db.prepare(
      "UPDATE mailboxes SET message_count = message_count - 1, total_bytes = total_bytes - ?, "
      "highest_modseq = max(highest_modseq, ?) WHERE id = ?");
  for (auto* st : {&find, &del_row, &log, &still_used, &del_msg, &unref, &del_blob, &counts})
    if (!*st) return st->error();
  for (uint32_t uid : uids) {
    find->bind(1, mailbox_id).bind(2, static_cast<int64_t>(uid));
    auto row = find->step();
    if (!row) return row.error();
    if (!*row) {
      find->reset();
      continue;
    }
    int64_t message_id = find->int64(0), size = find->int64(1);
    std::string hash = find->text(2);
    find->reset();
    del_row->bind(1, mailbox_id).bind(2, static_cast<int64_t>(uid));
    if (auto s = del_row->run(); !s) return s;
    log->bind(1, mailbox_id).bind(2, static_cast<int64_t>(uid)).bind(3, modseq);
    if (auto s = log->run(); !s) return s;
    counts->bind(1, size).bind(2, modseq).bind(3, mailbox_id);
    if (auto s = counts->run(); !s) return s;
    still_used->bind(1, message_id);
    auto used = still_used->step();
    if (!used) return used.error();
    bool in_use = *used;
    still_used->reset();
    if (in_use) continue;
    del_msg->bind(1, message_id);
    if (auto s = del_msg->run(); !s) return s;
    unref->bind(1, hash);
    auto left = unref->step();
    if (!left) return left.error();
    int64_t refs = *left ? unref->int64(0) : 0;
    unref->reset();
    if (refs <= 0) {
      del_blob->bind(1, hash);
      if (auto s = del_blob->run(); !s) return s;
      ctx.released_blobs.push_back(hash);
    }
  }
  return Ok{};
}

Result<std::vector<uint32_t>> expunge(WriteContext& ctx, int64_t account_id, int64_t mailbox_id,
                                      const std::optional<std::vector<uint32_t>>& only_uids) {
  if (auto s = check_mailbox(ctx.db, account_id, mailbox_id); !s) return s.error();
  std::vector<uint32_t> doomed;
  if (only_uids) {
    auto rows = load_rows(ctx.db, account_id, mailbox_id, *only_uids);
    if (!rows) return rows.error();
    for (const auto& r : *rows)
      if (has_flag(r.flags, "\\Deleted")) doomed.push_back(r.uid);
  } else {
    auto st = ctx.db.prepare(
        "SELECT mm.uid, m.flags FROM mailbox_messages mm JOIN messages m ON m.id = mm.message_id "
        "WHERE mm.mailbox_id = ? ORDER BY mm.uid");
    if (!st) return st.error();
    st->bind(1, mailbox_id);
    auto s = st->each_row([&](const auto& r) {
      if (has_flag(r.text(1), "\\Deleted")) doomed.push_back(static_cast<uint32_t>(r.int64(0)));
    });
    if (!s) return s.error();
  }
  if (doomed.empty()) return doomed;
  auto modseq = bump_account_modseq(ctx.db, account_id);
  if (!modseq) return modseq.error();
  if (auto s = remove_rows(ctx, mailbox_id, doomed, *modseq); !s) return s.error();
  ctx.changed.emplace_back(account_id, *modseq);
  return doomed;
}

Result<CopyResult> copy_messages(WriteContext& ctx, int64_t account_id, int64_t from_mailbox_id,
                                 const std::vector<uint32_t>& uids, int64_t to_mailbox_id, bool move) {
  if (auto s = check_mailbox(ctx.db, account_id, from_mailbox_id); !s) return s.error();
  if (auto s = check_mailbox(ctx.db, account_id, to_mailbox_id); !s) return user_error("[TRYCREATE] no such mailbox");
  auto rows = load_rows(ctx.db, account_id, from_mailbox_id, uids);
  if (!rows) return rows.error();
  CopyResult result;
  {
    auto st = ctx.db.prepare("SELECT uidvalidity FROM mailboxes WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, to_mailbox_id);
    auto row = st->step();
    if (!row) return row.error();
    result.uidvalidity = static_cast<uint32_t>(st->int64(0));
  }
  if (rows->empty()) return result;
  auto modseq = bump_account_modseq(ctx.db, account_id);
  if (!modseq) return modseq.error();
  auto clone = ctx.db.prepare(
      "INSERT INTO messages (account_id, blob_hash, size, internal_date, flags, return_path, subject, from_header, "
      "message_id_header, date_header, structure, thread_id) SELECT account_id, blob_hash, size, internal_date, "
      "flags, return_path, subject, from_header, message_id_header, date_header, structure, COALESCE(thread_id, id) "
      "FROM messages WHERE id = ?");
  auto ref = ctx.db.prepare("UPDATE blobs SET refcount = refcount + 1 WHERE hash = (SELECT blob_hash FROM messages WHERE id = ?)");
  auto add = ctx.db.prepare("INSERT INTO mailbox_messages (mailbox_id, uid, message_id, modseq) VALUES (?, ?, ?, ?)");
  if (!clone) return clone.error();
  if (!ref) return ref.error();
  if (!add) return add.error();
  std::vector<uint32_t> moved;
  for (const auto& r : *rows) {
    int64_t message_id = r.message_id;
    if (!move) {
      // COPY makes a new message (its own flags from now on) sharing the blob.
      clone->bind(1, r.message_id);
      if (auto s = clone->run(); !s) return s.error();
      message_id = ctx.db.last_insert_rowid();
      ref->bind(1, message_id);
      if (auto s = ref->run(); !s) return s.error();
    }
    auto uid = allocate_uid(ctx.db, to_mailbox_id, *modseq, r.size);
    if (!uid) return uid.error();
    add->bind(1, to_mailbox_id).bind(2, static_cast<int64_t>(*uid)).bind(3, message_id).bind(4, *modseq);
    if (auto s = add->run(); !s) return s.error();
    result.uids.emplace_back(r.uid, *uid);
    moved.push_back(r.uid);
  }
  // MOVE: the source rows go (logged as expunged); the message lives on in
  // the destination, so nothing is released.
  if (move)
    if (auto s = remove_rows(ctx, from_mailbox_id, moved, *modseq); !s) return s.error();
  ctx.changed.emplace_back(account_id, *modseq);
  return result;
}

}  // namespace postern::store::sqlite
