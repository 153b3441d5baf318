// CommandPacer: a burst passes untouched, a sustained flood is slowed to
// the configured rate, and idle time refills the bucket up to the burst.
#include "core/command_pacer.hpp"

#include <gtest/gtest.h>

namespace postern {
namespace {

using namespace std::chrono_literals;
using Clock = CommandPacer::Clock;

TEST(CommandPacer, BurstPassesThenTheRateApplies) {
  auto t0 = Clock::now();
  CommandPacer p(10, 50, t0);
  EXPECT_EQ(p.record(50, t0), Clock::duration::zero());
  // Ten more at once: one second of debt at 10/s.
  auto wait = p.record(60, t0);
  EXPECT_NEAR(std::chrono::duration<double>(wait).count(), 1.0, 1e-6);
  EXPECT_EQ(p.throttled(), 1u);
  // After waiting that second the debt is paid; the next one is 0.1 s.
  EXPECT_EQ(p.record(60, t0 + 1s), Clock::duration::zero());
  wait = p.record(61, t0 + 1s);
  EXPECT_NEAR(std::chrono::duration<double>(wait).count(), 0.1, 1e-6);
}

TEST(CommandPacer, IdleRefillsOnlyUpToTheBurst) {
  auto t0 = Clock::now();
  CommandPacer p(10, 20, t0);
  EXPECT_EQ(p.record(20, t0), Clock::duration::zero());
  // An hour idle gives back 20 tokens, not 36000.
  EXPECT_EQ(p.record(40, t0 + 3600s), Clock::duration::zero());
  EXPECT_GT(p.record(41, t0 + 3600s), Clock::duration::zero());
}

TEST(CommandPacer, SteadyClientWithinTheRateIsNeverSlowed) {
  auto t0 = Clock::now();
  CommandPacer p(10, 20, t0);
  for (int i = 1; i <= 1000; ++i) EXPECT_EQ(p.record(i, t0 + i * 100ms), Clock::duration::zero()) << i;
  EXPECT_EQ(p.throttled(), 0u);
}

TEST(CommandPacer, ZeroRateDisablesIt) {
  auto t0 = Clock::now();
  CommandPacer p(0, 0, t0);
  EXPECT_EQ(p.record(1000000, t0), Clock::duration::zero());
}

}  // namespace
}  // namespace postern
