// The embedded MailStore: SQLite (WAL, synchronous=FULL) metadata in
// <data_dir>/postern.db and blob files under <data_dir>/blobs. Blobs are
// written and fsynced in parallel on a small I/O pool; metadata goes through
// the group-commit Committer.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/thread_pool.hpp"
#include "store/blob_store.hpp"
#include "store/change_notifier.hpp"
#include "store/mail_store.hpp"
#include "store/sqlite/committer.hpp"
#include "store/sqlite/db.hpp"
#include "store/sqlite/read_pool.hpp"
#include "store/sqlite/view_cache.hpp"

namespace postern::store::sqlite {

struct StoreOptions {
  unsigned blob_io_threads = 16;  // concurrent blob fsyncs (the kernel batches them)
  // Remove orphan blob files at open. Only the server may: a CLI import
  // running beside it would take blobs the server has written but not yet
  // committed for orphans.
  bool collect_garbage = true;
  // Reading connections: sessions' queries run side by side on as many.
  unsigned read_connections = 4;
  // Views of mailboxes with at least this many messages are kept between
  // SELECTs, up to this many rows in all (~60 bytes each).
  size_t view_cache_min_rows = 2000;
  size_t view_cache_max_rows = 1000000;
};

struct GarbageReport {
  uint64_t orphan_files = 0;      // blob files no metadata refers to (crash leftovers)
  uint64_t released_blobs = 0;    // blobs whose last reference was removed
};

class SqliteMailStore final : public MailStore {
 public:
  // Opens (creating and migrating) the store under `data_dir` and collects
  // garbage left by a crash. Call once per process, before serving.
  static Result<std::unique_ptr<SqliteMailStore>> open(const std::string& data_dir, StoreOptions options = {});
  ~SqliteMailStore() override;

  void deliver(Delivery delivery, DeliveryCallback done) override;
  void deliver_all(std::vector<Delivery> deliveries, Done<Result<std::vector<DeliveryReceipt>>> done) override;
  Result<std::vector<MailboxInfo>> list_mailboxes(int64_t account_id) override;
  Result<std::vector<MessageInfo>> list_messages(int64_t account_id, const std::string& mailbox) override;
  Result<std::string> read_message(int64_t account_id, const std::string& mailbox, uint32_t uid) override;
  ChangeNotifier& changes() override { return notifier_; }
  void drain() override;

  void create_mailbox(int64_t account_id, std::string name, std::string special_use,
                      Done<Result<int64_t>> done) override;
  void delete_mailbox(int64_t account_id, std::string name, Done<Status> done) override;
  void rename_mailbox(int64_t account_id, std::string from, std::string to, Done<Status> done) override;
  void set_subscribed(int64_t account_id, std::string name, bool subscribed, Done<Status> done) override;
  void update_flags(int64_t account_id, int64_t mailbox_id, FlagUpdate update,
                    Done<Result<FlagUpdateResult>> done) override;
  void expunge(int64_t account_id, int64_t mailbox_id, std::optional<std::vector<uint32_t>> only_uids,
               Done<Result<std::vector<uint32_t>>> done) override;
  void copy_messages(int64_t account_id, int64_t from_mailbox_id, std::vector<uint32_t> uids, int64_t to_mailbox_id,
                     bool move, Done<Result<CopyResult>> done) override;
  Result<MailboxView> mailbox_rows(int64_t account_id, int64_t mailbox_id) override;
  Result<MailboxChanges> changes_since(int64_t account_id, int64_t mailbox_id, int64_t modseq) override;
  Result<std::vector<MessageData>> message_data(int64_t account_id, const std::vector<int64_t>& message_ids) override;
  Result<QuotaUsage> quota(int64_t account_id) override;
  Result<std::string> read_blob(const std::string& hash) override { return blobs_.read(hash); }
  Result<std::string> read_blob_prefix(const std::string& hash, uint64_t max_bytes) override {
    return blobs_.read(hash, max_bytes);
  }
  Result<std::string> read_blob_range(const std::string& hash, uint64_t offset, uint64_t max_bytes) override {
    return blobs_.read_range(hash, offset, max_bytes);
  }

  // Removes orphan blob files and unreferenced blobs. Safe only while no
  // delivery is in flight (startup).
  Result<GarbageReport> collect_garbage();
  Committer::Stats commit_stats() const { return committer_->stats(); }
  MailboxViewCache::Stats view_cache_stats() const { return views_->stats(); }
  static std::string database_path(const std::string& data_dir) { return data_dir + "/postern.db"; }

 private:
  SqliteMailStore(std::string data_dir, StoreOptions options);
  // Queues `op` (run on the committer thread inside the batch transaction)
  // and hands its value to `done` after the commit.
  template <class T, class Fn>
  void submit(Fn op, Done<Result<T>> done);
  template <class Fn>
  void submit_status(Fn op, Done<Status> done);

  std::string data_dir_;
  StoreOptions options_;
  BlobStore blobs_;
  ChangeNotifier notifier_;
  std::unique_ptr<ReadPool> readers_;
  std::unique_ptr<MailboxViewCache> views_;
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<ThreadPool> io_pool_;
};

}  // namespace postern::store::sqlite
