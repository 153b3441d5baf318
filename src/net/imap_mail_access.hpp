// MailAccess for IMAP sessions over the real directory and store: password
// checks and store reads on a worker pool (Argon2id and SQLite block),
// writes through the store's group committer.
#pragma once

#include <string>

#include "core/thread_pool.hpp"
#include "imap/mail_access.hpp"

namespace postern::guard {
class Guard;
}

namespace postern::net {

class ImapMailAccess final : public imap::MailAccess {
 public:
  // Store work runs on `workers`, password checks on `auth_workers` (so a
  // password spray never delays mail); `guard` ranks the checks.
  ImapMailAccess(store::MailStore& store, ThreadPool& workers, ThreadPool& auth_workers, guard::Guard* guard,
                 std::string database_path)
      : store_(store), workers_(workers), auth_workers_(auth_workers), guard_(guard),
        database_path_(std::move(database_path)) {}

  imap::Task<Result<std::optional<imap::AuthenticatedUser>>> authenticate(std::string user, std::string password,
                                                                          std::string client_address) override;
  imap::Task<Result<std::vector<store::MailboxInfo>>> list_mailboxes(int64_t account_id) override;
  imap::Task<Result<store::MailboxView>> mailbox_rows(int64_t account_id, int64_t mailbox_id) override;
  imap::Task<Result<store::MailboxChanges>> changes_since(int64_t account_id, int64_t mailbox_id, int64_t modseq) override;
  imap::Task<Result<std::vector<store::MessageData>>> message_data(int64_t account_id, std::vector<int64_t> ids) override;
  imap::Task<Result<std::string>> read_blob(std::string hash) override;
  imap::Task<Result<store::QuotaUsage>> quota(int64_t account_id) override;
  imap::Task<Status> scan_messages(int64_t account_id, std::vector<int64_t> message_ids,
                                   imap::MessageVisitor visit) override;
  imap::Task<Result<int64_t>> create_mailbox(int64_t account_id, std::string name, std::string special_use) override;
  imap::Task<Status> delete_mailbox(int64_t account_id, std::string name) override;
  imap::Task<Status> rename_mailbox(int64_t account_id, std::string from, std::string to) override;
  imap::Task<Status> set_subscribed(int64_t account_id, std::string name, bool subscribed) override;
  imap::Task<Result<store::FlagUpdateResult>> update_flags(int64_t account_id, int64_t mailbox_id,
                                                           store::FlagUpdate update) override;
  imap::Task<Result<std::vector<uint32_t>>> expunge(int64_t account_id, int64_t mailbox_id,
                                                    std::optional<std::vector<uint32_t>> only_uids) override;
  imap::Task<Result<store::CopyResult>> copy_messages(int64_t account_id, int64_t from_mailbox_id,
                                                      std::vector<uint32_t> uids, int64_t to_mailbox_id,
                                                      bool move) override;
  imap::Task<Result<std::vector<store::DeliveryReceipt>>> append(int64_t account_id, std::string mailbox,
                                                                 std::vector<imap::AppendRequest> requests) override;

 private:
  store::MailStore& store_;
  ThreadPool& workers_;
  ThreadPool& auth_workers_;
  guard::Guard* guard_;
  std::string database_path_;
};

}  // namespace postern::net
