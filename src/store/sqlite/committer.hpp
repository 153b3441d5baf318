// The group-commit committer (DESIGN.md "Durability contract"): one thread
// owns the write connection; every write (deliveries, flag changes,
// expunges, mailbox changes) queued while a transaction commits is applied
// in the next one, so N concurrent writes cost one WAL fsync. Each write
// runs under its own SAVEPOINT: one failing write fails alone.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/change_notifier.hpp"
#include "store/sqlite/db.hpp"

namespace postern::store::sqlite {

class MailWriter;

// What a write op sees while it runs on the committer thread.
struct WriteContext {
  Db& db;
  MailWriter& writer;
  // Accounts whose change counter moved (account, new modseq): published
  // to the ChangeNotifier after the commit.
  std::vector<std::pair<int64_t, int64_t>> changed;
  // Blob files to unlink after the commit (their last reference is gone).
  std::vector<std::string> released_blobs;
};

class Committer {
 public:
  struct Op {
    // Runs inside the batch transaction; an error rolls back this op only.
    std::function<Status(WriteContext&)> apply;
    // Runs after the commit with the op's outcome (an error when apply
    // failed or the commit did). On the committer thread: must not block.
    std::function<void(const Status&)> finish;
  };

  struct Stats {
    uint64_t transactions = 0;
    uint64_t ops = 0;
  };

  // `unlink_blob` removes a released blob's file; it runs on the committer
  // thread between batches, so a later op that still finds the file may use it.
  Committer(Db db, ChangeNotifier& notifier, std::function<void(const std::string&)> unlink_blob);
  ~Committer();

  Status start();
  void enqueue(Op op);
  // Commits everything queued so far, then stops the thread. Idempotent.
  void stop();
  Stats stats() const;

 private:
  void run();
  void commit_batch(std::deque<Op>& batch);

  Db db_;
  ChangeNotifier& notifier_;
  std::function<void(const std::string&)> unlink_blob_;
  std::unique_ptr<MailWriter> writer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op> queue_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<uint64_t> transactions_{0}, ops_{0};
};

}  // namespace postern::store::sqlite
