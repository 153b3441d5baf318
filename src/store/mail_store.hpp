// The mail store interface (DESIGN.md "Data model", "Durability contract"):
// durable delivery through a group-commit committer, reads of mailboxes and
// messages, and change notifications. Backends: sqlite/ (embedded, default);
// postgres/ later with the same interface.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace postern::store {

class ChangeNotifier;

// Header fields cached at delivery so listing and sorting never re-parse.
struct MessageSummary {
  std::string subject;
  std::string from;
  std::string message_id;       // the first "<...>" of Message-ID, or the field as sent
  std::optional<int64_t> date;  // Date: header as unix seconds, when parseable
  // msg-ids of References then In-Reply-To, for threading at delivery: the
  // message joins the thread of the last one already in the account.
  std::vector<std::string> references;
};

struct DeliveryTarget {
  int64_t account_id = 0;
  std::string mailbox = "INBOX";
  std::vector<std::string> flags;  // e.g. "\\Seen"; empty for new mail
};

struct Delivery {
  std::string content;                  // the exact bytes to store (CRLF line ends)
  std::vector<DeliveryTarget> targets;  // one copy per target; same account twice = two mailboxes
  int64_t internal_date = 0;            // unix seconds
  std::string return_path;              // envelope sender, "" for the null sender
  MessageSummary summary;
  std::string structure;                // cached parse for FETCH (mime structure codec), may be empty
};

struct DeliveredCopy {
  int64_t account_id = 0;
  int64_t mailbox_id = 0;
  int64_t message_id = 0;
  uint32_t uid = 0;
  int64_t modseq = 0;
};

struct DeliveryReceipt {
  std::string blob_hash;
  std::vector<DeliveredCopy> copies;
};

using DeliveryCallback = std::function<void(Result<DeliveryReceipt>)>;
template <class T>
using Done = std::function<void(T)>;

// One message as a mailbox sees it: the compact row a session keeps in its
// view (DESIGN.md: per-mailbox views are compact arrays).
struct MessageRow {
  uint32_t uid = 0;
  int64_t message_id = 0;
  int64_t modseq = 0;
  std::string flags;  // canonical flag set, see store/flags.hpp
};

// A mailbox's rows in ascending UID order, immutable and shared: every
// session that selects the mailbox at the same MODSEQ gets the same one.
struct MailboxSnapshot {
  std::vector<MessageRow> rows;
  int64_t highest_row_modseq = 0;  // the largest MODSEQ among `rows` (0: none)
};
using MailboxView = std::shared_ptr<const MailboxSnapshot>;

enum class FlagOp { add, remove, replace };

struct FlagUpdate {
  std::vector<uint32_t> uids;               // rows to change (absent UIDs are ignored)
  FlagOp op = FlagOp::add;
  std::vector<std::string> flags;
  std::optional<int64_t> unchanged_since;   // RFC 7162 §3.1.3 UNCHANGEDSINCE
};

struct FlagUpdateResult {
  std::vector<MessageRow> updated;          // rows whose flags changed, with their new MODSEQ
  std::vector<uint32_t> modified;           // refused by UNCHANGEDSINCE (RFC 7162 MODIFIED)
};

struct CopyResult {
  uint32_t uidvalidity = 0;                 // of the destination (RFC 4315 COPYUID)
  std::vector<std::pair<uint32_t, uint32_t>> uids;  // source UID -> destination UID
};

struct MailboxChanges {
  int64_t highest_modseq = 0;
  uint32_t uidnext = 0;
  std::vector<MessageRow> changed;          // rows with MODSEQ > since (new or flag-changed), by UID
  std::vector<uint32_t> expunged;           // UIDs expunged with MODSEQ > since, ascending
};

struct MessageData {
  int64_t message_id = 0;
  std::string blob_hash;
  int64_t size = 0;
  int64_t internal_date = 0;
  std::string structure;
  int64_t thread_id = 0;  // the thread's root message row (RFC 8474 THREADID)
};

// An account's storage quota (RFC 9208 STORAGE): octets of every message
// in every mailbox, as IMAP clients add them up; limit 0 = unlimited.
struct QuotaUsage {
  int64_t used_bytes = 0;
  int64_t messages = 0;
  int64_t limit_bytes = 0;
  bool exceeded_by(int64_t more) const { return limit_bytes > 0 && used_bytes + more > limit_bytes; }
};

struct MailboxInfo {
  int64_t id = 0;
  std::string name;
  std::string special_use;
  bool subscribed = true;
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  int64_t highest_modseq = 0;
  uint32_t messages = 0;
  int64_t bytes = 0;
};

struct MessageInfo {
  uint32_t uid = 0;
  int64_t message_id = 0;
  int64_t modseq = 0;
  int64_t size = 0;
  int64_t internal_date = 0;
  std::string flags;
  std::string blob_hash;
  std::string return_path;
  MessageSummary summary;
};

class MailStore {
 public:
  virtual ~MailStore() = default;

  // Stores one message for every target. `done` runs exactly once, on a store
  // thread, after the blob and the metadata are durable (blob and directory
  // fsynced, transaction committed), or with an error when nothing was stored
  // (ErrorKind::user for an unknown account/mailbox, temporary for I/O).
  // Never blocks the caller: safe on event-loop threads.
  virtual void deliver(Delivery delivery, DeliveryCallback done) = 0;
  // Several messages stored all or nothing, in order (IMAP MULTIAPPEND,
  // RFC 3502 §6.3.11): one receipt per delivery, or an error and nothing stored.
  virtual void deliver_all(std::vector<Delivery> deliveries, Done<Result<std::vector<DeliveryReceipt>>> done) = 0;

  // Blocking reads: call them from worker threads or the CLI, not event loops.
  virtual Result<std::vector<MailboxInfo>> list_mailboxes(int64_t account_id) = 0;
  virtual Result<std::vector<MessageInfo>> list_messages(int64_t account_id, const std::string& mailbox) = 0;
  virtual Result<std::string> read_message(int64_t account_id, const std::string& mailbox, uint32_t uid) = 0;

  virtual ChangeNotifier& changes() = 0;

  // Mailbox management (RFC 9051 §6.3). Names are UTF-8 with '/' as the
  // hierarchy separator; errors are ErrorKind::user with a message fit for
  // an IMAP NO ("mailbox already exists", "no such mailbox").
  virtual void create_mailbox(int64_t account_id, std::string name, std::string special_use,
                              Done<Result<int64_t>> done) = 0;
  // Deletes the mailbox and expunges its messages; children are kept.
  virtual void delete_mailbox(int64_t account_id, std::string name, Done<Status> done) = 0;
  // Renames the mailbox and its children. Renaming INBOX moves its messages
  // to a new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
  virtual void rename_mailbox(int64_t account_id, std::string from, std::string to, Done<Status> done) = 0;
  virtual void set_subscribed(int64_t account_id, std::string name, bool subscribed, Done<Status> done) = 0;

  // Message changes inside one mailbox; each bumps the account's MODSEQ.
  virtual void update_flags(int64_t account_id, int64_t mailbox_id, FlagUpdate update,
                            Done<Result<FlagUpdateResult>> done) = 0;
  // Expunges the \Deleted messages (only those in `only_uids` when given,
  // for UID EXPUNGE); returns the expunged UIDs, ascending.
  virtual void expunge(int64_t account_id, int64_t mailbox_id, std::optional<std::vector<uint32_t>> only_uids,
                       Done<Result<std::vector<uint32_t>>> done) = 0;
  // COPY (new messages with the same content and flags) or MOVE (the same
  // messages, new UIDs in the destination, expunged from the source).
  virtual void copy_messages(int64_t account_id, int64_t from_mailbox_id, std::vector<uint32_t> uids,
                             int64_t to_mailbox_id, bool move, Done<Result<CopyResult>> done) = 0;

  // Blocking reads for sessions (run them on a worker pool).
  // The mailbox's messages in ascending UID order.
  virtual Result<MailboxView> mailbox_rows(int64_t account_id, int64_t mailbox_id) = 0;
  virtual Result<MailboxChanges> changes_since(int64_t account_id, int64_t mailbox_id, int64_t modseq) = 0;
  virtual Result<std::vector<MessageData>> message_data(int64_t account_id, const std::vector<int64_t>& message_ids) = 0;
  virtual Result<std::string> read_blob(const std::string& hash) = 0;
  virtual Result<QuotaUsage> quota(int64_t account_id) = 0;
  // The first `max_bytes` octets of a blob (fewer when it is shorter).
  virtual Result<std::string> read_blob_prefix(const std::string& hash, uint64_t max_bytes) = 0;
  // At most `max_bytes` octets from `offset` (fewer at the end, empty past
  // it): streaming a big message (POP3 RETR) without loading it whole.
  virtual Result<std::string> read_blob_range(const std::string& hash, uint64_t offset, uint64_t max_bytes) = 0;

  // Stops accepting deliveries and waits until every queued one is committed
  // (or failed). Called on SIGTERM after the listeners are closed.
  virtual void drain() = 0;
};

}  // namespace postern::store
