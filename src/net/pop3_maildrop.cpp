// Maildrop locks and the INBOX snapshot for POP3 logins.
#include "net/pop3_maildrop.hpp"

namespace postern::net {

std::shared_ptr<void> MaildropLocks::try_lock(int64_t account_id) {
  std::lock_guard lock(mu_);
  if (!held_.insert(account_id).second) return nullptr;
  // The deleter releases the lock when the last copy of the handle goes.
  return std::shared_ptr<void>(this, [account_id](MaildropLocks* self) { self->release(account_id); });
}

bool MaildropLocks::locked(int64_t account_id) const {
  std::lock_guard lock(mu_);
  return held_.count(account_id) > 0;
}

void MaildropLocks::release(int64_t account_id) {
  std::lock_guard lock(mu_);
  held_.erase(account_id);
}

Result<pop3::MaildropSnapshot> load_maildrop(store::MailStore& store, int64_t account_id) {
  auto boxes = store.list_mailboxes(account_id);
  if (!boxes) return boxes.error();
  pop3::MaildropSnapshot snap;
  bool found = false;
  for (const auto& b : *boxes) {
    if (b.name != "INBOX") continue;
    snap.mailbox_id = b.id;
    snap.uidvalidity = b.uidvalidity;
    found = true;
  }
  if (!found) return temporary_error("the account has no INBOX");
  auto messages = store.list_messages(account_id, "INBOX");
  if (!messages) return messages.error();
  snap.messages.reserve(messages->size());
  for (auto& m : *messages)
    snap.messages.push_back({m.uid, m.message_id, static_cast<uint64_t>(m.size), std::move(m.blob_hash)});
  return snap;
}

}  // namespace postern::net
