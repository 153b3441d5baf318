// A fixed pool of worker threads for blocking work (fsync, file reads, slow
// SQL, password hashing) that must stay off the event-loop threads. Tasks
// run in FIFO order, except that urgent ones go ahead of every queued task
// (password checks of known-good clients during a password spray), and
// some threads may be kept for urgent tasks alone, so that one is never
// stuck behind a long normal task already running.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace postern {

class ThreadPool {
 public:
  // `urgent_only` of the `threads` run urgent tasks only.
  explicit ThreadPool(unsigned threads, std::string name = "worker", unsigned urgent_only = 0);
  ~ThreadPool();  // finishes queued tasks, then joins
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  enum class Priority { normal, urgent };
  void post(std::function<void()> task, Priority priority = Priority::normal);

 private:
  void run(bool urgent_only);
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  size_t urgent_queued_ = 0;  // urgent tasks at the front of tasks_
  bool has_reserved_ = false;  // some threads take urgent tasks only
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace postern
