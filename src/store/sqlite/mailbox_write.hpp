// Mailbox and message changes as committer ops (run inside the batch
// transaction on the committer thread). Each bumps the account's change
// counter once and records it in the WriteContext for notification.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/mail_store.hpp"
#include "store/sqlite/committer.hpp"

namespace postern::store::sqlite {

Result<int64_t> bump_account_modseq(Db& db, int64_t account_id);
Result<int64_t> find_mailbox_id(Db& db, int64_t account_id, const std::string& name);

Result<int64_t> create_mailbox(WriteContext& ctx, int64_t account_id, const std::string& name,
                               const std::string& special_use);
Status delete_mailbox(WriteContext& ctx, int64_t account_id, const std::string& name);
Status rename_mailbox(WriteContext& ctx, int64_t account_id, const std::string& from, const std::string& to);
Status set_subscribed(WriteContext& ctx, int64_t account_id, const std::string& name, bool subscribed);

Result<FlagUpdateResult> update_flags(WriteContext& ctx, int64_t account_id, int64_t mailbox_id,
                                      const FlagUpdate& update);
Result<std::vector<uint32_t>> expunge(WriteContext& ctx, int64_t account_id, int64_t mailbox_id,
                                      const std::optional<std::vector<uint32_t>>& only_uids);
Result<CopyResult> copy_messages(WriteContext& ctx, int64_t account_id, int64_t from_mailbox_id,
                                 const std::vector<uint32_t>& uids, int64_t to_mailbox_id, bool move);

// Removes the rows of `uids` from a mailbox, logs them as expunged at
// `modseq`, and releases messages and blobs left without references.
Status remove_rows(WriteContext& ctx, int64_t mailbox_id, const std::vector<uint32_t>& uids, int64_t modseq);

// RFC 9051 §5.1 names as we accept them: UTF-8, no empty levels, no
// leading/trailing separator, at most 1000 octets and 32 levels.
Status validate_mailbox_name(const std::string& name);

}  // namespace postern::store::sqlite
