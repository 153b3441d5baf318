// What an IMAP session needs from the rest of the server, as awaitable
// calls: authentication and the mail store. The implementation (net/)
// runs blocking reads on a worker pool and writes through the store's
// committer, and resumes the session on its own event loop. Only
// <boost/asio/awaitable.hpp> is included (DESIGN.md principle 3).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "imap/search/evaluator.hpp"
#include "store/mail_store.hpp"

namespace postern::imap {

template <class T>
using Task = boost::asio::awaitable<T>;

struct AuthenticatedUser {
  int64_t account_id = 0;
  std::string address;
};

// One message visited by MailAccess::scan_messages, on a worker thread:
// its index in the request, its stored data (nullptr when it no longer
// exists) and a reader for its blob.
using MessageVisitor = std::function<void(size_t index, const store::MessageData* data, BlobReader& blobs)>;

struct AppendRequest {
  std::string content;
  std::vector<std::string> flags;
  int64_t internal_date = 0;
};

class MailAccess {
 public:
  virtual ~MailAccess() = default;

  // nullopt when the credentials are wrong. `client_address` is the
  // connection's source: checks for known-good sources may go first.
  virtual Task<Result<std::optional<AuthenticatedUser>>> authenticate(std::string user, std::string password,
                                                                      std::string client_address) = 0;

  virtual Task<Result<std::vector<store::MailboxInfo>>> list_mailboxes(int64_t account_id) = 0;
  // Shared and immutable (store::MailboxView): copied by nobody.
  virtual Task<Result<store::MailboxView>> mailbox_rows(int64_t account_id, int64_t mailbox_id) = 0;
  virtual Task<Result<store::MailboxChanges>> changes_since(int64_t account_id, int64_t mailbox_id, int64_t modseq) = 0;
  virtual Task<Result<std::vector<store::MessageData>>> message_data(int64_t account_id,
                                                                     std::vector<int64_t> message_ids) = 0;
  virtual Task<Result<std::string>> read_blob(std::string hash) = 0;
  virtual Task<Result<store::QuotaUsage>> quota(int64_t account_id) = 0;
  // SEARCH / SORT / THREAD over many messages: loads the data of each of
  // `message_ids` and calls `visit` for it on worker threads, several
  // messages at once (in chunks, so other sessions' reads interleave), and
  // completes once every message was visited. `visit` runs concurrently for
  // different indexes: it may only write state of its own index, and must
  // own (shared_ptr) whatever it uses, since it may outlive the awaiting
  // session if that is torn down. Error: the store failed (some messages
  // may not have been visited).
  virtual Task<Status> scan_messages(int64_t account_id, std::vector<int64_t> message_ids, MessageVisitor visit) = 0;

  virtual Task<Result<int64_t>> create_mailbox(int64_t account_id, std::string name, std::string special_use) = 0;
  virtual Task<Status> delete_mailbox(int64_t account_id, std::string name) = 0;
  virtual Task<Status> rename_mailbox(int64_t account_id, std::string from, std::string to) = 0;
  virtual Task<Status> set_subscribed(int64_t account_id, std::string name, bool subscribed) = 0;
  virtual Task<Result<store::FlagUpdateResult>> update_flags(int64_t account_id, int64_t mailbox_id,
                                                             store::FlagUpdate update) = 0;
  virtual Task<Result<std::vector<uint32_t>>> expunge(int64_t account_id, int64_t mailbox_id,
                                                      std::optional<std::vector<uint32_t>> only_uids) = 0;
  virtual Task<Result<store::CopyResult>> copy_messages(int64_t account_id, int64_t from_mailbox_id,
                                                        std::vector<uint32_t> uids, int64_t to_mailbox_id,
                                                        bool move) = 0;
  // APPEND / MULTIAPPEND: stores every message into `mailbox`, all or
  // nothing (RFC 3502); one receipt per message, in order.
  virtual Task<Result<std::vector<store::DeliveryReceipt>>> append(int64_t account_id, std::string mailbox,
                                                                   std::vector<AppendRequest> requests) = 0;
};

}  // namespace postern::imap
