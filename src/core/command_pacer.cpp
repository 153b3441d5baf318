// CommandPacer: tokens may go negative; the debt divided by the rate is the
// wait that brings the session back within its budget.
#include "core/command_pacer.hpp"

#include <algorithm>

namespace postern {

CommandPacer::CommandPacer(unsigned per_second, unsigned burst, Clock::time_point now)
    : per_second_(per_second), burst_(std::max(burst, per_second)), tokens_(burst_), refilled_(now) {}

CommandPacer::Clock::duration CommandPacer::record(uint64_t total, Clock::time_point now) {
  if (per_second_ <= 0 || total <= seen_) return Clock::duration::zero();
  double elapsed = std::chrono::duration<double>(now - refilled_).count();
  refilled_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * per_second_);
  tokens_ -= static_cast<double>(total - seen_);
  seen_ = total;
  if (tokens_ >= 0) return Clock::duration::zero();
  ++throttled_;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / per_second_));
}

}  // namespace postern
