// Committer thread: take everything queued, one transaction, one commit,
// then unlink released blobs, run completions and publish change
// notifications outside the lock.
#include "store/sqlite/committer.hpp"

#include <pthread.h>

#include <map>

#include "core/log.hpp"
#include "store/sqlite/mail_write.hpp"

namespace postern::store::sqlite {

namespace {
constexpr size_t kMaxBatch = 1024;
}

Committer::Committer(Db db, ChangeNotifier& notifier, std::function<void(const std::string&)> unlink_blob)
    : db_(std::move(db)), notifier_(notifier), unlink_blob_(std::move(unlink_blob)) {}

Committer::~Committer() { stop(); }

Status Committer::start() {
  auto w = MailWriter::create(db_);
  if (!w) return w.error();
  writer_ = std::move(*w);
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "committer");
  return Ok{};
}

void Committer::enqueue(Op op) {
  bool refused = false;
  {
    std::lock_guard lock(mu_);
    if (stopping_) refused = true;
    else queue_.push_back(std::move(op));
  }
  if (refused) return op.finish(temporary_error("store is shutting down"));
  cv_.notify_one();
}

void Committer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Committer::Stats Committer::stats() const { return {transactions_.load(), ops_.load()}; }

void Committer::run() {
  for (;;) {
    std::deque<Op> batch;
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

void Committer::commit_batch(std::deque<Op>& batch) {
  auto fail_all = [&](const Error& e) {
    for (auto& op : batch) op.finish(e);
  };
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) {
    log::error("store_begin_failed", {{"error", s.error().message}});
    return fail_all(temporary_error("store busy: " + s.error().message));
  }
  WriteContext ctx{db_, *writer_, {}, {}};
  std::vector<Status> results;
  results.reserve(batch.size());
  for (auto& op : batch) {
    size_t changed_mark = ctx.changed.size(), released_mark = ctx.released_blobs.size();
    (void)db_.exec("SAVEPOINT op");
    Status s = op.apply(ctx);
    if (!s) {
      (void)db_.exec("ROLLBACK TO op");
      ctx.changed.resize(changed_mark);
      ctx.released_blobs.resize(released_mark);
    }
    (void)db_.exec("RELEASE op");
    results.push_back(std::move(s));
  }
  if (auto s = tx.commit(); !s) {
    log::error("store_commit_failed", {{"error", s.error().message}});
    return fail_all(temporary_error("store commit failed: " + s.error().message));
  }
  transactions_.fetch_add(1, std::memory_order_relaxed);
  ops_.fetch_add(batch.size(), std::memory_order_relaxed);
  // Before the next batch is applied, so a delivery there that found the
  // file earlier sees it gone and fails cleanly instead of referencing it.
  for (const auto& hash : ctx.released_blobs) unlink_blob_(hash);
  // Durable now (synchronous=FULL): acknowledge, then tell the watchers.
  for (size_t i = 0; i < batch.size(); ++i) batch[i].finish(results[i]);
  std::map<int64_t, int64_t> latest;
  for (const auto& [account, modseq] : ctx.changed) latest[account] = std::max(latest[account], modseq);
  for (const auto& [account, modseq] : latest) notifier_.publish(account, modseq);
}

}  // namespace postern::store::sqlite
