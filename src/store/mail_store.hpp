// The mail store interface (DESIGN.md "Data model", "Durability contract"):
// durable delivery through a group-commit committer, reads of mailboxes and
// messages, and change notifications. Backends: sqlite/ (embedded, default);
// postgres/ later with the same interface.
#pragma once

#include <cstdint>
#include <functional>
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
  std::string message_id;
  std::optional<int64_t> date;  // Date: header as unix seconds, when parseable
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

  // Blocking reads: call them from worker threads or the CLI, not event loops.
  virtual Result<std::vector<MailboxInfo>> list_mailboxes(int64_t account_id) = 0;
  virtual Result<std::vector<MessageInfo>> list_messages(int64_t account_id, const std::string& mailbox) = 0;
  virtual Result<std::string> read_message(int64_t account_id, const std::string& mailbox, uint32_t uid) = 0;

  virtual ChangeNotifier& changes() = 0;

  // Stops accepting deliveries and waits until every queued one is committed
  // (or failed). Called on SIGTERM after the listeners are closed.
  virtual void drain() = 0;
};

}  // namespace postern::store
