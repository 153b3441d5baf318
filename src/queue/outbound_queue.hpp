// The durable outbound queue (DESIGN.md "Durability contract": accepted for
// relay = durable). A message is a blob under <data_dir>/queue/blobs plus
// rows in postern.db (schema migrations 5, 6 and 9): the message, and one
// row per recipient with its own state, attempt count, next-attempt time and
// last reply. Deliveries are grouped per (message, recipient domain) into
// jobs.
//
// Crash safety: enqueue() returns only after the blob is fsynced and the
// rows are committed. Concurrent enqueues share one transaction (group
// commit: the first caller commits for everyone who arrived meanwhile), so
// the commit's fsync is paid once per batch rather than once per message.
// claim_due() marks rows 'inflight' before the runner connects; open()
// turns leftover 'inflight' rows back into 'pending'. So a crash between a
// remote server's 250 and complete() committing means the message is sent
// again (at-least-once, as in every MTA); it is never lost, and a completed
// recipient is never tried again. Claims and outcomes are committed without
// an fsync of their own (they survive a process crash; an OS crash may undo
// the last ones, which again means a repeated attempt, never a lost
// message); only enqueue() waits for the disk.
//
// Cost: what runs per delivery (claim_due, complete, pending_notices,
// next_due) reads only the rows it is about, through indexes, with cached
// prepared statements: its cost does not grow with the queue's length.
//
// Thread-safe; every call blocks (fsync, SQLite): call from worker threads
// or the CLI, never from an event loop.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "queue/statement_cache.hpp"
#include "store/blob_store.hpp"
#include "store/sqlite/db.hpp"

namespace postern::queue {

enum class RecipientState { pending, inflight, delivered, failed, expired };
const char* to_string(RecipientState s);

struct QueueRecipient {
  int64_t id = 0;
  std::string address;
  std::string domain;
  RecipientState state = RecipientState::pending;
  int attempts = 0;
  int64_t next_attempt = 0;
  int64_t last_attempt = 0;
  std::string last_reply;
  std::string enhanced;
  bool notified = false;  // failed/expired: the DSN was handed on
};

struct QueueEntry {
  int64_t id = 0;
  std::string sender;
  std::string blob_hash;
  int64_t size = 0;
  bool eight_bit = false;
  bool smtputf8 = false;
  bool is_dsn = false;
  int64_t created_at = 0;
  bool delay_warned = false;
  std::vector<QueueRecipient> recipients;
};

struct NewMessage {
  std::string sender;                   // "" = null reverse-path (bounces)
  std::vector<std::string> recipients;  // addr-spec, each with a domain
  std::string content;                  // CRLF line ends, as it will be sent
  bool is_dsn = false;
};

// One delivery attempt: the recipients of one message at one domain.
struct Job {
  int64_t message_id = 0;
  std::string domain;
  std::string sender;
  std::string blob_hash;
  bool eight_bit = false;
  bool smtputf8 = false;
  int64_t created_at = 0;
  bool is_dsn = false;
  bool delay_warned = false;  // the "delayed" DSN went out already
  std::vector<QueueRecipient> recipients;
};

enum class Outcome { delivered, transient, permanent };

struct RecipientOutcome {
  int64_t recipient_id = 0;
  Outcome outcome = Outcome::transient;
  std::string reply;     // server reply or our own reason
  std::string enhanced;  // RFC 3463
};

// What complete() did.
struct Completion {
  // A recipient failed or expired, or a "delayed" DSN may be due now: the
  // caller should run a DSN pass. False for a plain delivery, so that the
  // common case costs no DSN work at all.
  bool notice_owed = false;
  bool finished = false;  // nothing left to do: the message left the queue
};

// A DSN the runner must send for one message.
struct Notice {
  int64_t message_id = 0;
  std::string sender;
  std::string blob_hash;
  int64_t created_at = 0;
  std::vector<QueueRecipient> failed;   // Action: failed (permanent error or expired)
  std::vector<QueueRecipient> delayed;  // Action: delayed (still being retried)
  bool silent = false;  // null sender or itself a DSN: settle the rows, send nothing
};

class OutboundQueue {
 public:
  enum class Mode {
    server,  // the one process that delivers: requeues 'inflight' rows and removes orphan blobs
    admin,   // the CLI, possibly next to a running server: touches nothing on open
  };
  // Opens (and migrates) the queue in `data_dir`.
  static Result<std::unique_ptr<OutboundQueue>> open(const std::string& data_dir, QueueConfig config,
                                                     Mode mode = Mode::server);

  // Durably queues `message`; returns its queue id. Errors: syntax (a
  // recipient without a domain, no recipients), temporary (disk).
  Result<int64_t> enqueue(const NewMessage& message, int64_t now);

  // Marks pending recipients whose message outlived the lifetime as
  // expired; returns how many (each now owes a DSN).
  Result<int> expire(int64_t now);
  // Claims due recipients (state -> inflight) as jobs, one per message and
  // domain, at most `max_jobs`, and at most `max_per_domain` jobs per domain
  // counting the `active` ones already running (Postfix's per-destination
  // concurrency limit).
  Result<std::vector<Job>> claim_due(int64_t now, size_t max_jobs, const std::map<std::string, unsigned>& active = {},
                                     unsigned max_per_domain = 1000000);
  // Records the attempt: delivered / failed / pending with the next time.
  // Recipients of `job` missing from `outcomes` go back to pending. A
  // message with nothing left to do is deleted (by id) with its blob.
  Result<Completion> complete(const Job& job, const std::vector<RecipientOutcome>& outcomes, int64_t now);
  // Earliest next_attempt of a pending recipient, if any.
  Result<std::optional<int64_t>> next_due();

  // DSNs owed: failed/expired recipients not yet notified (never for a
  // null-sender or DSN message), and delay warnings that are due. Reads
  // only the messages concerned (two partial indexes), not the queue.
  Result<std::vector<Notice>> pending_notices(int64_t now);
  // When the next "delayed" DSN falls due: the warning time of the oldest
  // message not yet warned (it may be past, when that message has had no
  // failed attempt yet); nullopt when there is none or warnings are off.
  Result<std::optional<int64_t>> next_delay_warning();
  // The notice was handed on: mark it, and drop messages that are finished.
  Status notice_sent(const Notice& notice);

  Result<std::string> read_content(const std::string& blob_hash) const;

  // Administration (postern queue ...).
  Result<std::vector<QueueEntry>> list();
  Result<std::optional<QueueEntry>> show(int64_t id);
  // Makes pending recipients of `id` (or of every message) due now. Returns
  // how many recipients were rescheduled.
  Result<int> retry(std::optional<int64_t> id, int64_t now);
  // Deletes a message without a DSN. Returns false when there is no such id.
  Result<bool> remove(int64_t id);

  // What the cached statements did so far (tests: the per-message work
  // must not grow with the queue).
  StatementCache::Counters statement_counters() const;

 private:
  OutboundQueue(store::sqlite::Db db, std::string blob_root, QueueConfig config)
      : db_(std::move(db)), blobs_(std::move(blob_root)), config_(std::move(config)) {}
  // The cached statement for `sql`; the caller holds mu_.
  Result<StatementCache::Lease> statement(std::string_view sql) { return statements_.get(sql); }
  struct PendingEnqueue;
  std::vector<Result<int64_t>> commit_batch(const std::vector<PendingEnqueue*>& batch);
  Status recover();
  Result<bool> drop_finished(int64_t message_id);
  Status drop_blob_if_unused(const std::string& hash);
  Result<std::vector<QueueRecipient>> recipients_of(int64_t message_id);

  mutable std::mutex mu_;
  // Group commit of enqueue(): callers waiting for a commit, and whether one
  // of them is committing.
  std::mutex batch_mu_;
  std::condition_variable batch_cv_;
  std::vector<PendingEnqueue*> batch_;
  bool committing_ = false;
  store::sqlite::Db db_;
  store::BlobStore blobs_;
  QueueConfig config_;
  StatementCache statements_{db_};  // after db_: destroyed (finalized) before it closes
};

}  // namespace postern::queue
