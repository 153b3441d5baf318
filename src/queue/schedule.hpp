// When a deferred recipient is tried again, when it expires and when its
// sender is told about the delay. Pure functions of the config and the
// clock, so the schedule is tested without waiting.
#pragma once

#include <cstdint>

#include "core/config.hpp"

namespace postern::queue {

// Seconds to wait after the `attempts`-th failed attempt (1-based): the
// schedule's entry, the last one repeating (60, 300, 900, ... capped).
int64_t retry_delay(const QueueConfig& config, int attempts);

// The message entered the queue at `created_at`: it is given up (bounced as
// expired) once `now` reaches created_at + lifetime.
bool expired(const QueueConfig& config, int64_t created_at, int64_t now);

// The next attempt, but never after the expiry time: the last try happens
// at the deadline so that a recipient is not bounced without one.
int64_t next_attempt_at(const QueueConfig& config, int64_t created_at, int attempts, int64_t now);

// A "delayed" DSN (RFC 3464 Action: delayed) is due once.
bool delay_warning_due(const QueueConfig& config, int64_t created_at, int64_t now);

}  // namespace postern::queue
