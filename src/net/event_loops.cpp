// EventLoops: io_contexts kept alive by work guards until stop().
#include "net/event_loops.hpp"

#include <pthread.h>

#include <string>

namespace postern::net {

EventLoops::EventLoops(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    // concurrency_hint 1: each context is driven by exactly one thread.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.push_back(std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
        contexts_.back()->get_executor()));
  }
}

EventLoops::~EventLoops() {
  stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

boost::asio::io_context& EventLoops::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void EventLoops::run() {
  for (size_t i = 1; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] { contexts_[i]->run(); });
    pthread_setname_np(threads_.back().native_handle(), ("loop-" + std::to_string(i)).c_str());
  }
  contexts_[0]->run();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void EventLoops::stop() {
  guards_.clear();
  for (auto& c : contexts_) c->stop();
}

}  // namespace postern::net
