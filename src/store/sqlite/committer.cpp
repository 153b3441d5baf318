// Committer thread: take everything queued, one transaction, one commit,
// then run callbacks and publish change notifications outside the lock.
#include "store/sqlite/committer.hpp"

#include <pthread.h>

#include <map>

#include "core/log.hpp"
#include "store/sqlite/mail_write.hpp"

namespace postern::store::sqlite {

namespace {
constexpr size_t kMaxBatch = 1024;
}

Committer::Committer(Db db, ChangeNotifier& notifier) : db_(std::move(db)), notifier_(notifier) {}

Committer::~Committer() { stop(); }

Status Committer::start() {
  auto w = MailWriter::create(db_);
  if (!w) return w.error();
  writer_ = std::move(*w);
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "committer");
  return Ok{};
}

void Committer::enqueue(Item item) {
  bool refused = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_) refused = true;
    else queue_.push_back(std::move(item));
  }
  if (refused) return item.done(temporary_error("store is shutting down"));
  cv_.notify_one();
}

void Committer::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Committer::Stats Committer::stats() const { return {transactions_.load(), deliveries_.load()}; }

void Committer::run() {
  for (;;) {
    std::deque<Item> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
  }
}

void Committer::commit_batch(std::deque<Item>& batch) {
  std::vector<Result<DeliveryReceipt>> results;
  results.reserve(batch.size());
  auto fail_all = [&](const Error& e) {
    for (auto& item : batch) item.done(e);
  };
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) {
    log::error("store_begin_failed", {{"error", s.error().message}});
    return fail_all(temporary_error("store busy: " + s.error().message));
  }
  for (auto& item : batch) {
    (void)db_.exec("SAVEPOINT delivery");
    auto r = writer_->apply(item.delivery, item.blob_hash);
    if (!r) (void)db_.exec("ROLLBACK TO delivery");
    (void)db_.exec("RELEASE delivery");
    results.push_back(std::move(r));
  }
  if (auto s = tx.commit(); !s) {
    log::error("store_commit_failed", {{"error", s.error().message}});
    return fail_all(temporary_error("store commit failed: " + s.error().message));
  }
  transactions_.fetch_add(1, std::memory_order_relaxed);
  deliveries_.fetch_add(batch.size(), std::memory_order_relaxed);

  // Durable now (synchronous=FULL): acknowledge, then tell the watchers.
  std::map<int64_t, int64_t> latest_modseq;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (results[i])
      for (const auto& c : results[i]->copies) latest_modseq[c.account_id] = std::max(latest_modseq[c.account_id], c.modseq);
    batch[i].done(std::move(results[i]));
  }
  for (const auto& [account, modseq] : latest_modseq) notifier_.publish(account, modseq);
}

}  // namespace postern::store::sqlite
