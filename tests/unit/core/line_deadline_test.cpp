// LineDeadline: the clock starts at the first partial line, bounds reads,
// and expires whether the last read timed out or returned a byte.
#include "core/line_deadline.hpp"

#include <gtest/gtest.h>

namespace postern {
namespace {

using namespace std::chrono_literals;
using Clock = LineDeadline::Clock;

TEST(LineDeadline, NoLineBegunLeavesTheTimeoutAlone) {
  LineDeadline d(3s);
  auto t0 = Clock::now();
  EXPECT_EQ(d.read_timeout(300s, t0), Clock::duration(300s));
  d.update(false, t0);
  EXPECT_FALSE(d.expired(t0 + 1000s));
}

TEST(LineDeadline, TrickledLineIsBoundedFromItsFirstByte) {
  LineDeadline d(3s);
  auto t0 = Clock::now();
  d.update(true, t0);
  d.update(true, t0 + 1s);  // more bytes do not restart the clock
  EXPECT_EQ(d.read_timeout(300s, t0 + 1s), Clock::duration(2s));
  EXPECT_FALSE(d.expired(t0 + 2999ms));
  EXPECT_TRUE(d.expired(t0 + 3s));
  // Past the deadline reads still get a positive timeout (they end at once).
  EXPECT_EQ(d.read_timeout(300s, t0 + 10s), Clock::duration(1ms));
}

TEST(LineDeadline, CompleteLineStopsTheClock) {
  LineDeadline d(3s);
  auto t0 = Clock::now();
  d.update(true, t0);
  d.update(false, t0 + 2s);
  EXPECT_FALSE(d.expired(t0 + 100s));
  d.update(true, t0 + 100s);
  EXPECT_FALSE(d.expired(t0 + 102s));
  EXPECT_TRUE(d.expired(t0 + 103s));
}

}  // namespace
}  // namespace postern
