// LineDeadline: a start time and a limit.
#include "core/line_deadline.hpp"

#include <algorithm>

namespace postern {

LineDeadline::Clock::duration LineDeadline::read_timeout(Clock::duration timeout, Clock::time_point now) const {
  if (started_) timeout = std::min(timeout, *started_ + limit_ - now);
  return std::max<Clock::duration>(timeout, std::chrono::milliseconds(1));
}

void LineDeadline::update(bool partial, Clock::time_point now) {
  if (!partial) started_.reset();
  else if (!started_) started_ = now;
}

bool LineDeadline::expired(Clock::time_point now) const { return started_ && now - *started_ >= limit_; }

}  // namespace postern
