// The group-commit committer (DESIGN.md "Durability contract"): one thread
// owns the write connection; deliveries queued while a transaction commits
// are applied together in the next one, so N concurrent deliveries cost one
// WAL fsync. Each delivery runs under its own SAVEPOINT: one bad delivery
// fails alone without failing its batch.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "store/change_notifier.hpp"
#include "store/mail_store.hpp"
#include "store/sqlite/db.hpp"

namespace postern::store::sqlite {

class MailWriter;

class Committer {
 public:
  struct Item {
    Delivery delivery;
    std::string blob_hash;  // already durable in the blob store
    DeliveryCallback done;
  };

  struct Stats {
    uint64_t transactions = 0;
    uint64_t deliveries = 0;
  };

  Committer(Db db, ChangeNotifier& notifier);
  ~Committer();

  Status start();
  void enqueue(Item item);
  // Commits everything queued so far, then stops the thread. Idempotent.
  void stop();
  Stats stats() const;

 private:
  void run();
  void commit_batch(std::deque<Item>& batch);

  Db db_;
  ChangeNotifier& notifier_;
  std::unique_ptr<MailWriter> writer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<uint64_t> transactions_{0}, deliveries_{0};
};

}  // namespace postern::store::sqlite
