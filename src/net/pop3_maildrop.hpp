// What POP3 sessions share in the server process: the per-account maildrop
// lock (RFC 1939 §4: one POP3 session at a time per maildrop; a second
// login gets [IN-USE], RFC 2449 §8.1.1) and the INBOX snapshot taken at
// login. IMAP sessions do not take the lock: they see POP3's deletions as
// ordinary expunges.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "core/result.hpp"
#include "pop3/maildrop.hpp"
#include "store/mail_store.hpp"

namespace postern::net {

class MaildropLocks {
 public:
  // Held while the returned handle lives; nullptr when another session
  // holds the account's maildrop. Thread-safe. The handle must not outlive
  // this object.
  std::shared_ptr<void> try_lock(int64_t account_id);
  bool locked(int64_t account_id) const;

 private:
  void release(int64_t account_id);
  mutable std::mutex mu_;
  std::unordered_set<int64_t> held_;
};

// INBOX of `account_id` as a POP3 maildrop: its id, UIDVALIDITY and every
// message with its size and blob, by UID. Blocking: run on a worker thread.
Result<pop3::MaildropSnapshot> load_maildrop(store::MailStore& store, int64_t account_id);

}  // namespace postern::net
