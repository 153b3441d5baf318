// ThreadPool: a mutex-protected FIFO drained by N threads.
#include "core/thread_pool.hpp"

#include <pthread.h>

namespace postern {

ThreadPool::ThreadPool(unsigned threads, std::string name, unsigned urgent_only) {
  if (threads == 0) threads = 1;
  if (urgent_only >= threads) urgent_only = threads - 1;
  has_reserved_ = urgent_only > 0;
  for (unsigned i = 0; i < threads; ++i) {
    bool reserved = i < urgent_only;
    threads_.emplace_back([this, reserved] { run(reserved); });
    pthread_setname_np(threads_.back().native_handle(), name.substr(0, 15).c_str());
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::post(std::function<void()> task, Priority priority) {
  {
    std::lock_guard lock(mu_);
    // Urgent tasks stay in their own arrival order at the front.
    if (priority == Priority::urgent) tasks_.insert(tasks_.begin() + static_cast<std::ptrdiff_t>(urgent_queued_++), std::move(task));
    else tasks_.push_back(std::move(task));
  }
  // With reserved threads, notify_one might wake one that cannot take a
  // normal task while a thread that could sleeps on: wake them all.
  if (has_reserved_) cv_.notify_all();
  else cv_.notify_one();
}

void ThreadPool::run(bool urgent_only) {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      if (urgent_only) {
        cv_.wait(lock, [this] { return stopping_ || urgent_queued_ > 0; });
        if (urgent_queued_ == 0) return;
      } else {
        cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
      }
      task = std::move(tasks_.front());
      tasks_.pop_front();
      if (urgent_queued_ > 0) --urgent_queued_;
    }
    task();
  }
}

}  // namespace postern
