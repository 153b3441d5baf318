// The maildrop of a POP3 session (RFC 1939 §4-§6): a snapshot of INBOX
// taken at login, numbered 1..n, with the session's deletion marks. Sizes
// are octets as RETR sends them (the store keeps CRLF line ends). UIDL
// strings are derived from INBOX's UIDVALIDITY and the message's IMAP UID
// ("%08X%08X", as Dovecot's default "%08Xv%08Xu"), so they are stable across
// sessions and restarts and match the IMAP view of the same messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace postern::pop3 {

struct MaildropMessage {
  uint32_t uid = 0;
  int64_t message_id = 0;
  uint64_t size = 0;
  std::string blob_hash;
};

struct MaildropSnapshot {
  int64_t mailbox_id = 0;
  uint32_t uidvalidity = 0;
  std::vector<MaildropMessage> messages;  // ascending UID
};

std::string unique_id(uint32_t uidvalidity, uint32_t uid);

class Maildrop {
 public:
  Maildrop() = default;
  explicit Maildrop(MaildropSnapshot snapshot);

  // Messages not marked deleted, and their octets (STAT, RFC 1939 §5).
  size_t count() const { return snapshot_.messages.size() - deleted_count_; }
  uint64_t octets() const { return octets_; }
  size_t size() const { return snapshot_.messages.size(); }

  // The message numbered `n` (1-based) unless it is marked deleted.
  const MaildropMessage* find(uint32_t n) const;
  bool exists(uint32_t n) const { return n >= 1 && n <= snapshot_.messages.size(); }
  bool deleted(uint32_t n) const { return deleted_[n - 1]; }
  const MaildropMessage& at(uint32_t n) const { return snapshot_.messages[n - 1]; }
  std::string uidl(uint32_t n) const { return unique_id(snapshot_.uidvalidity, at(n).uid); }

  void mark_deleted(uint32_t n);
  void reset();  // RSET: unmark all
  // UIDs of the messages marked deleted, ascending (for the UPDATE state).
  std::vector<uint32_t> deleted_uids() const;
  int64_t mailbox_id() const { return snapshot_.mailbox_id; }

 private:
  MaildropSnapshot snapshot_;
  std::vector<bool> deleted_;
  size_t deleted_count_ = 0;
  uint64_t octets_ = 0;
  uint64_t all_octets_ = 0;
};

}  // namespace postern::pop3
