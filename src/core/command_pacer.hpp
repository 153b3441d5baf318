// Command-rate limit of one session, shared by the SMTP, IMAP and POP3
// adapters: a token bucket of `burst` commands refilled at `per_second`.
// A client over the rate is slowed down, not refused: the adapter waits
// before reading its next input, so a flood costs the flooder time and
// the server nothing, while a legitimate client (a sync tool pipelining
// hundreds of commands) only ever notices a short pause.
#pragma once

#include <chrono>
#include <cstdint>

namespace postern {

class CommandPacer {
 public:
  using Clock = std::chrono::steady_clock;

  // per_second = 0 disables pacing.
  CommandPacer(unsigned per_second, unsigned burst, Clock::time_point now = Clock::now());

  // Records that the session has now executed `total` commands in all
  // (a running count: the adapter passes the session's counter). Returns how
  // long to wait before reading more input: zero while within the rate.
  Clock::duration record(uint64_t total, Clock::time_point now = Clock::now());

  // Times record() asked for a wait (for the log: once per session is enough).
  uint64_t throttled() const { return throttled_; }

 private:
  double per_second_;
  double burst_;
  double tokens_;
  Clock::time_point refilled_;
  uint64_t seen_ = 0;
  uint64_t throttled_ = 0;
};

}  // namespace postern
