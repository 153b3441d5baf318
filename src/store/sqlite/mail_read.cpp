// Read queries of the mail store, shared by SqliteMailStore (server) and the
// CLI, which reads the same database without starting a store.
#include "store/sqlite/mail_read.hpp"

namespace postern::store::sqlite {

Result<std::vector<MailboxInfo>> list_mailboxes(Db& db, int64_t account_id) {
  auto st = db.prepare(
      "SELECT id, name, COALESCE(special_use, ''), subscribed, uidvalidity, uidnext, highest_modseq, "
      "message_count, total_bytes FROM mailboxes WHERE account_id = ? ORDER BY id");
  if (!st) return st.error();
  st->bind(1, account_id);
  std::vector<MailboxInfo> out;
  auto s = st->each_row([&](const auto& r) {
    MailboxInfo m;
    m.id = r.int64(0);
    m.name = r.text(1);
    m.special_use = r.text(2);
    m.subscribed = r.int64(3) != 0;
    m.uidvalidity = static_cast<uint32_t>(r.int64(4));
    m.uidnext = static_cast<uint32_t>(r.int64(5));
    m.highest_modseq = r.int64(6);
    m.messages = static_cast<uint32_t>(r.int64(7));
    m.bytes = r.int64(8);
    out.push_back(std::move(m));
  });
  if (!s) return s.error();
  return out;
}

Result<std::vector<MessageInfo>> list_messages(Db& db, int64_t account_id, const std::string& mailbox) {
  auto st = db.prepare(
      "SELECT mm.uid, m.id, mm.modseq, m.size, m.internal_date, m.flags, m.blob_hash, "
      "COALESCE(m.return_path, ''), COALESCE(m.subject, ''), COALESCE(m.from_header, ''), "
      "COALESCE(m.message_id_header, ''), m.date_header "
      "FROM mailboxes b JOIN mailbox_messages mm ON mm.mailbox_id = b.id JOIN messages m ON m.id = mm.message_id "
      "WHERE b.account_id = ? AND b.name = ? ORDER BY mm.uid");
  if (!st) return st.error();
  st->bind(1, account_id).bind(2, mailbox);
  std::vector<MessageInfo> out;
  auto s = st->each_row([&](const auto& r) {
    MessageInfo m;
    m.uid = static_cast<uint32_t>(r.int64(0));
    m.message_id = r.int64(1);
    m.modseq = r.int64(2);
    m.size = r.int64(3);
    m.internal_date = r.int64(4);
    m.flags = r.text(5);
    m.blob_hash = r.text(6);
    m.return_path = r.text(7);
    m.summary.subject = r.text(8);
    m.summary.from = r.text(9);
    m.summary.message_id = r.text(10);
    if (!r.is_null(11)) m.summary.date = r.int64(11);
    out.push_back(std::move(m));
  });
  if (!s) return s.error();
  return out;
}

Result<std::string> find_message_blob(Db& db, int64_t account_id, const std::string& mailbox, uint32_t uid) {
  auto st = db.prepare(
      "SELECT m.blob_hash FROM mailboxes b JOIN mailbox_messages mm ON mm.mailbox_id = b.id "
      "JOIN messages m ON m.id = mm.message_id WHERE b.account_id = ? AND b.name = ? AND mm.uid = ?");
  if (!st) return st.error();
  st->bind(1, account_id).bind(2, mailbox).bind(3, static_cast<int64_t>(uid));
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return user_error("no message with UID " + std::to_string(uid) + " in " + mailbox);
  return st->text(0);
}

Result<MailboxState> mailbox_state(Db& db, int64_t account_id, int64_t mailbox_id) {
  auto st = db.prepare(
      "SELECT highest_modseq, uidnext, uidvalidity, message_count FROM mailboxes WHERE id = ? AND account_id = ?");
  if (!st) return st.error();
  st->bind(1, mailbox_id).bind(2, account_id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return user_error("no such mailbox");
  return MailboxState{st->int64(0), static_cast<uint32_t>(st->int64(1)), static_cast<uint32_t>(st->int64(2)),
                      st->int64(3)};
}

namespace {
MessageRow row_of(const Statement& r) {
  return {static_cast<uint32_t>(r.int64(0)), r.int64(1), r.int64(2), r.text(3)};
}
}  // namespace

Status read_rows(Db& db, int64_t mailbox_id, std::vector<MessageRow>& out) {
  auto st = db.prepare(
      "SELECT mm.uid, mm.message_id, mm.modseq, m.flags FROM mailbox_messages mm "
      "JOIN messages m ON m.id = mm.message_id WHERE mm.mailbox_id = ? ORDER BY mm.uid");
  if (!st) return st.error();
  st->bind(1, mailbox_id);
  return st->each_row([&](const Statement& r) { out.push_back(row_of(r)); });
}

Status read_changes(Db& db, int64_t mailbox_id, int64_t modseq, MailboxChanges& out) {
  // Both walk the (mailbox_id, modseq) indexes, so only what changed is
  // read. Named: for "ORDER BY uid" SQLite would rather walk the primary
  // key, i.e. every row of the mailbox, to spare itself a sort of a few.
  auto st = db.prepare(
      "SELECT mm.uid, mm.message_id, mm.modseq, m.flags FROM mailbox_messages mm "
      "INDEXED BY mailbox_messages_by_modseq JOIN messages m ON m.id = mm.message_id "
      "WHERE mm.mailbox_id = ? AND mm.modseq > ? ORDER BY mm.uid");
  if (!st) return st.error();
  st->bind(1, mailbox_id).bind(2, modseq);
  if (auto s = st->each_row([&](const Statement& r) { out.changed.push_back(row_of(r)); }); !s) return s;
  auto ex = db.prepare(
      "SELECT uid FROM expunged INDEXED BY expunged_by_modseq WHERE mailbox_id = ? AND modseq > ? ORDER BY uid");
  if (!ex) return ex.error();
  ex->bind(1, mailbox_id).bind(2, modseq);
  return ex->each_row([&](const Statement& r) { out.expunged.push_back(static_cast<uint32_t>(r.int64(0))); });
}

Result<std::vector<MessageRow>> mailbox_rows(Db& db, int64_t account_id, int64_t mailbox_id) {
  ReadTransaction tx(db);
  if (auto s = tx.begin(); !s) return s.error();
  if (auto state = mailbox_state(db, account_id, mailbox_id); !state) return state.error();
  std::vector<MessageRow> out;
  if (auto s = read_rows(db, mailbox_id, out); !s) return s.error();
  return out;
}

Result<MailboxChanges> changes_since(Db& db, int64_t account_id, int64_t mailbox_id, int64_t modseq) {
  ReadTransaction tx(db);
  if (auto s = tx.begin(); !s) return s.error();
  auto state = mailbox_state(db, account_id, mailbox_id);
  if (!state) return state.error();
  MailboxChanges out;
  out.highest_modseq = state->highest_modseq;
  out.uidnext = state->uidnext;
  // Every change (flags, new message, expunge) raises the mailbox's
  // highest_modseq in the same transaction: when it is not above `modseq`,
  // there is nothing to read. This makes a client's poll (NOOP, the check
  // after each command, IDLE wake-ups for other mailboxes) one row lookup.
  if (state->highest_modseq <= modseq) return out;
  if (auto s = read_changes(db, mailbox_id, modseq, out); !s) return s.error();
  return out;
}

Result<std::vector<MessageData>> message_data(Db& db, int64_t account_id, const std::vector<int64_t>& message_ids) {
  auto st = db.prepare(
      "SELECT id, blob_hash, size, internal_date, structure, COALESCE(thread_id, id) FROM messages "
      "WHERE id = ? AND account_id = ?");
  if (!st) return st.error();
  std::vector<MessageData> out;
  out.reserve(message_ids.size());
  // One read transaction for the batch: otherwise SQLite takes and drops
  // its WAL read lock (fcntl) around every row, which dominated SEARCH and
  // FETCH over large mailboxes.
  if (auto s = db.exec("BEGIN"); !s) return s.error();
  for (int64_t id : message_ids) {
    st->bind(1, id).bind(2, account_id);
    auto row = st->step();
    if (!row) {
      (void)db.exec("ROLLBACK");
      return row.error();
    }
    if (*row) out.push_back({st->int64(0), st->text(1), st->int64(2), st->int64(3), st->text(4), st->int64(5)});
    st->reset();
  }
  if (auto s = db.exec("COMMIT"); !s) return s.error();
  return out;
}

Result<QuotaUsage> quota_usage(Db& db, int64_t account_id) {
  auto st = db.prepare(
      "SELECT a.quota_bytes, COALESCE(SUM(m.total_bytes), 0), COALESCE(SUM(m.message_count), 0) "
      "FROM accounts a LEFT JOIN mailboxes m ON m.account_id = a.id WHERE a.id = ? GROUP BY a.id");
  if (!st) return st.error();
  st->bind(1, account_id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return user_error("unknown account " + std::to_string(account_id));
  return QuotaUsage{st->int64(1), st->int64(2), st->int64(0)};
}

}  // namespace postern::store::sqlite
