// Retry schedule of the outbound queue; see schedule.hpp.
#include "queue/schedule.hpp"

#include <algorithm>

namespace postern::queue {

int64_t retry_delay(const QueueConfig& config, int attempts) {
  const auto& s = config.retry_schedule_seconds;
  if (s.empty()) return 300;
  size_t i = attempts <= 1 ? 0 : static_cast<size_t>(attempts - 1);
  return s[std::min(i, s.size() - 1)];
}

bool expired(const QueueConfig& config, int64_t created_at, int64_t now) {
  return now >= created_at + static_cast<int64_t>(config.lifetime_seconds);
}

int64_t next_attempt_at(const QueueConfig& config, int64_t created_at, int attempts, int64_t now) {
  int64_t deadline = created_at + static_cast<int64_t>(config.lifetime_seconds);
  return std::min(now + retry_delay(config, attempts), std::max(deadline, now));
}

bool delay_warning_due(const QueueConfig& config, int64_t created_at, int64_t now) {
  return config.delay_warning_seconds > 0 &&
         now >= created_at + static_cast<int64_t>(config.delay_warning_seconds);
}

}  // namespace postern::queue
