// MailWriter: the SQL of a delivery. UIDs come from mailboxes.uidnext, the
// MODSEQ from the account's change counter, both bumped in the same
// transaction, so they are strictly increasing and never reused.
#include "store/sqlite/mail_write.hpp"

#include <map>

#include "store/flags.hpp"

namespace postern::store::sqlite {

Result<std::unique_ptr<MailWriter>> MailWriter::create(Db& db) {
  std::unique_ptr<MailWriter> w(new MailWriter(db));
  struct {
    Statement* target;
    const char* sql;
  } stmts[] = {
      {&w->find_mailbox_, "SELECT id FROM mailboxes WHERE account_id = ? AND name = ?"},
      {&w->add_blob_,
       "INSERT INTO blobs (hash, size, refcount) VALUES (?, ?, ?) "
       "ON CONFLICT(hash) DO UPDATE SET refcount = refcount + excluded.refcount"},
      {&w->add_message_,
       "INSERT INTO messages (account_id, blob_hash, size, internal_date, flags, return_path, subject, "
       "from_header, message_id_header, date_header, structure, thread_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&w->find_thread_,
       "SELECT COALESCE(thread_id, id) FROM messages WHERE account_id = ? AND message_id_header = ? "
       "ORDER BY id LIMIT 1"},
      {&w->bump_account_, "UPDATE accounts SET modseq = modseq + 1 WHERE id = ? RETURNING modseq"},
      {&w->alloc_uid_,
       "UPDATE mailboxes SET uidnext = uidnext + 1, highest_modseq = ?, message_count = message_count + 1, "
       "total_bytes = total_bytes + ? WHERE id = ? RETURNING uidnext - 1"},
      {&w->add_row_, "INSERT INTO mailbox_messages (mailbox_id, uid, message_id, modseq) VALUES (?, ?, ?, ?)"},
  };
  for (auto& s : stmts) {
    auto st = db.prepare(s.sql);
    if (!st) return st.error();
    *s.target = std::move(*st);
  }
  return w;
}

namespace {
// Runs a statement expected to return exactly one integer row.
Result<int64_t> one_int(Statement& st, std::string_view what) {
  auto row = st.step();
  if (!row) {
    st.reset();
    return row.error();
  }
  if (!*row) {
    st.reset();
    return user_error(std::string(what));
  }
  int64_t v = st.int64(0);
  st.reset();
  return v;
}
}  // namespace

Result<std::optional<int64_t>> MailWriter::find_thread(int64_t account, const std::vector<std::string>& references) {
  // The closest ancestor first: References lists the oldest first and
  // In-Reply-To (the parent) was appended last.
  for (auto it = references.rbegin(); it != references.rend(); ++it) {
    find_thread_.bind(1, account).bind(2, *it);
    auto row = find_thread_.step();
    if (!row) {
      find_thread_.reset();
      return row.error();
    }
    if (*row) {
      int64_t thread = find_thread_.int64(0);
      find_thread_.reset();
      return std::optional<int64_t>(thread);
    }
    find_thread_.reset();
  }
  return std::optional<int64_t>();
}

Result<DeliveryReceipt> MailWriter::apply(const Delivery& d, const std::string& blob_hash) {
  if (d.targets.empty()) return user_error("delivery without targets");
  // One message row per account; the same account in several mailboxes
  // shares it (a message can be in several mailboxes).
  std::map<int64_t, std::vector<const DeliveryTarget*>> by_account;
  for (const auto& t : d.targets) by_account[t.account_id].push_back(&t);

  add_blob_.bind(1, blob_hash).bind(2, static_cast<int64_t>(d.content.size()))
      .bind(3, static_cast<int64_t>(by_account.size()));
  if (auto s = add_blob_.run(); !s) return s.error();

  DeliveryReceipt receipt;
  receipt.blob_hash = blob_hash;
  auto size = static_cast<int64_t>(d.content.size());
  for (const auto& [account, targets] : by_account) {
    std::vector<std::string> all_flags;
    for (const auto* t : targets) all_flags.insert(all_flags.end(), t->flags.begin(), t->flags.end());
    std::string flags = canonical_flags(all_flags);
    add_message_.bind(1, account).bind(2, blob_hash).bind(3, size).bind(4, d.internal_date).bind(5, flags)
        .bind(6, d.return_path).bind(7, d.summary.subject).bind(8, d.summary.from).bind(9, d.summary.message_id);
    if (d.summary.date) add_message_.bind(10, *d.summary.date);
    else add_message_.bind(10, std::nullopt);
    if (d.structure.empty()) add_message_.bind(11, std::nullopt);
    else add_message_.bind_blob(11, d.structure);
    auto thread = find_thread(account, d.summary.references);
    if (!thread) return thread.error();
    if (*thread) add_message_.bind(12, **thread);
    else add_message_.bind(12, std::nullopt);
    if (auto s = add_message_.run(); !s) {
      if (s.error().kind == ErrorKind::user) return user_error("unknown account " + std::to_string(account));
      return s.error();
    }
    int64_t message_id = db_.last_insert_rowid();

    bump_account_.bind(1, account);
    auto modseq = one_int(bump_account_, "unknown account " + std::to_string(account));
    if (!modseq) return modseq.error();

    for (const auto* t : targets) {
      find_mailbox_.bind(1, account).bind(2, t->mailbox);
      auto mailbox = one_int(find_mailbox_, "no mailbox '" + t->mailbox + "' for account " + std::to_string(account));
      if (!mailbox) return mailbox.error();
      alloc_uid_.bind(1, *modseq).bind(2, size).bind(3, *mailbox);
      auto uid = one_int(alloc_uid_, "mailbox vanished");
      if (!uid) return uid.error();
      add_row_.bind(1, *mailbox).bind(2, *uid).bind(3, message_id).bind(4, *modseq);
      if (auto s = add_row_.run(); !s) return s.error();
      receipt.copies.push_back({account, *mailbox, message_id, static_cast<uint32_t>(*uid), *modseq});
    }
  }
  return receipt;
}

}  // namespace postern::store::sqlite
