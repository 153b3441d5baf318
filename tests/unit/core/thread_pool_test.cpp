// ThreadPool: every task runs; urgent tasks overtake queued normal ones but
// keep their own order among themselves.
#include "core/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace postern {
namespace {

TEST(ThreadPool, UrgentTasksGoAheadOfQueuedOnesInTheirOwnOrder) {
  std::vector<int> order;
  std::mutex mu;
  std::promise<void> release;
  auto gate = release.get_future().share();
  {
    ThreadPool pool(1, "test");
    // The only thread is held while the queue fills up.
    pool.post([gate] { gate.wait(); });
    auto note = [&](int n) {
      return [&, n] {
        std::lock_guard lock(mu);
        order.push_back(n);
      };
    };
    pool.post(note(1));
    pool.post(note(2));
    pool.post(note(10), ThreadPool::Priority::urgent);
    pool.post(note(3));
    pool.post(note(11), ThreadPool::Priority::urgent);
    release.set_value();
  }  // the destructor finishes every queued task
  EXPECT_EQ(order, (std::vector<int>{10, 11, 1, 2, 3}));
}

TEST(ThreadPool, ManyThreadsRunEveryTask) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(4, "test");
    for (int i = 0; i < 1000; ++i)
      pool.post([&] { ++done; }, i % 3 ? ThreadPool::Priority::normal : ThreadPool::Priority::urgent);
  }
  EXPECT_EQ(done.load(), 1000);
}

TEST(ThreadPool, AReservedThreadRunsUrgentWorkWhileTheOthersAreBusy) {
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> urgent_ran;
  ThreadPool pool(2, "test", 1);
  // The one normal thread is busy, and more normal work waits behind it.
  pool.post([gate] { gate.wait(); });
  std::atomic<int> normal{0};
  for (int i = 0; i < 5; ++i) pool.post([&] { ++normal; });
  pool.post([&] { urgent_ran.set_value(); }, ThreadPool::Priority::urgent);
  EXPECT_EQ(urgent_ran.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(normal.load(), 0);  // the reserved thread took none of it
  release.set_value();
  for (int i = 0; i < 1000 && normal.load() < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(normal.load(), 5);
}

}  // namespace
}  // namespace postern
