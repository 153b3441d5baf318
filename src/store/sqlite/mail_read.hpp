// Read-only queries over the mail tables; usable on any connection (the
// server's read connection or the CLI's), never blocking writers (WAL).
#pragma once

#include "store/mail_store.hpp"
#include "store/sqlite/db.hpp"

namespace postern::store::sqlite {

Result<std::vector<MailboxInfo>> list_mailboxes(Db& db, int64_t account_id);
Result<std::vector<MessageInfo>> list_messages(Db& db, int64_t account_id, const std::string& mailbox);
// The blob hash of one message (user error when there is no such UID).
Result<std::string> find_message_blob(Db& db, int64_t account_id, const std::string& mailbox, uint32_t uid);

struct MailboxState {
  int64_t highest_modseq = 0;
  uint32_t uidnext = 0;
  uint32_t uidvalidity = 0;
  int64_t messages = 0;
};
// The mailbox's counters; a user error unless it exists and is the account's.
Result<MailboxState> mailbox_state(Db& db, int64_t account_id, int64_t mailbox_id);
// Appends the mailbox's rows, in UID order (no ownership check, no
// transaction: for callers that already did both).
Status read_rows(Db& db, int64_t mailbox_id, std::vector<MessageRow>& out);
// Appends rows and expunged UIDs with MODSEQ above `modseq` (same caveats).
Status read_changes(Db& db, int64_t mailbox_id, int64_t modseq, MailboxChanges& out);

// The same, checked and each in one read transaction.
Result<std::vector<MessageRow>> mailbox_rows(Db& db, int64_t account_id, int64_t mailbox_id);
Result<MailboxChanges> changes_since(Db& db, int64_t account_id, int64_t mailbox_id, int64_t modseq);
Result<std::vector<MessageData>> message_data(Db& db, int64_t account_id, const std::vector<int64_t>& message_ids);
// Usage from the mailboxes' counters, limit from accounts.quota_bytes;
// ErrorKind::user for an unknown account.
Result<QuotaUsage> quota_usage(Db& db, int64_t account_id);

}  // namespace postern::store::sqlite
