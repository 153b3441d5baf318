// Default mailboxes of a new account and release of a removed account's mail.
#include "store/account_setup.hpp"

#include <chrono>

namespace postern::store {
namespace {

struct DefaultMailbox {
  const char* name;
  const char* special_use;
};
// RFC 6154 special-use attributes; INBOX is special by name (RFC 9051 §5.1).
constexpr DefaultMailbox kDefaults[] = {
    {"INBOX", "\\Inbox"}, {"Sent", "\\Sent"},   {"Drafts", "\\Drafts"},
    {"Junk", "\\Junk"},   {"Trash", "\\Trash"}, {"Archive", "\\Archive"},
};

}  // namespace

Status create_default_mailboxes(sqlite::Db& db, int64_t account_id) {
  // UIDVALIDITY from the clock keeps it unique across delete/recreate.
  auto uidvalidity = static_cast<int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() &
      0x7fffffff);
  auto mark = db.prepare("UPDATE accounts SET last_uidvalidity = max(last_uidvalidity, ?) WHERE id = ?");
  if (!mark) return mark.error();
  mark->bind(1, uidvalidity).bind(2, account_id);
  if (auto s = mark->run(); !s) return s;
  auto st = db.prepare(
      "INSERT INTO mailboxes (account_id, name, special_use, subscribed, uidvalidity) VALUES (?, ?, ?, 1, ?)");
  if (!st) return st.error();
  for (const auto& mb : kDefaults) {
    st->bind(1, account_id).bind(2, mb.name).bind(3, mb.special_use).bind(4, uidvalidity);
    if (auto s = st->run(); !s) return s;
  }
  return Ok{};
}

Status release_account_mail(sqlite::Db& db, int64_t account_id) {
  const char* steps[] = {
      "UPDATE blobs SET refcount = refcount - (SELECT COUNT(*) FROM messages m "
      "WHERE m.blob_hash = blobs.hash AND m.account_id = ?1) "
      "WHERE hash IN (SELECT blob_hash FROM messages WHERE account_id = ?1)",
      "DELETE FROM mailbox_messages WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = ?1)",
      "DELETE FROM expunged WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = ?1)",
      "DELETE FROM messages WHERE account_id = ?1",
      "DELETE FROM mailboxes WHERE account_id = ?1",
  };
  for (const char* sql : steps) {
    auto st = db.prepare(sql);
    if (!st) return st.error();
    st->bind(1, account_id);
    if (auto s = st->run(); !s) return s;
  }
  return Ok{};
}

}  // namespace postern::store
