// The slowloris defence shared by the SMTP, IMAP and POP3 adapters: a
// command line, once its first byte has arrived, must be complete within a
// fixed time however slowly the rest trickles in. A plain read timeout is
// not enough, because every byte would restart it.
#pragma once

#include <chrono>
#include <optional>

namespace postern {

class LineDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LineDeadline(std::chrono::seconds limit) : limit_(limit) {}

  // The timeout for the next read: `timeout`, shortened so that the read
  // ends no later than the unfinished line's deadline (never below 1 ms).
  Clock::duration read_timeout(Clock::duration timeout, Clock::time_point now = Clock::now()) const;

  // After input was consumed: `partial` says whether an unfinished line is
  // pending. The clock starts at the first partial state and stops when the
  // line is complete.
  void update(bool partial, Clock::time_point now = Clock::now());

  // An unfinished line has been arriving for the limit or longer: the
  // adapter answers with its protocol's timeout reply and closes. Checked
  // after a read that timed out as well as after one that returned bytes,
  // since which of the two comes first is a race.
  bool expired(Clock::time_point now = Clock::now()) const;

  void reset() { started_.reset(); }

 private:
  std::chrono::seconds limit_;
  std::optional<Clock::time_point> started_;  // first byte of the unfinished line
};

}  // namespace postern
