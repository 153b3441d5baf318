// N event-loop threads, each running its own io_context (DESIGN.md
// "Concurrency"): a session lives on one loop for its whole life, so its
// state needs no locks. Accepted sockets are spread round-robin.
#pragma once

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace postern::net {

class EventLoops {
 public:
  explicit EventLoops(unsigned threads);
  ~EventLoops();

  boost::asio::io_context& next();       // round-robin, for new sessions
  boost::asio::io_context& main() { return *contexts_[0]; }
  size_t size() const { return contexts_.size(); }

  // Runs loops 1..N-1 on their own threads and loop 0 on the caller's
  // thread; returns when every loop has been stopped and joined.
  void run();
  void stop();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace postern::net
