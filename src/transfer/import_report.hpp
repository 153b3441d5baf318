// What an import did, for the summary printed at its end, and the progress
// bar shown while it runs (only when stdout is a terminal, so scripts and
// logs get the summary alone).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace postern::transfer {

struct Skipped {
  std::string path;    // the source file (or "FILE@offset" inside an mbox)
  std::string reason;
};

struct ImportReport {
  uint64_t folders = 0;          // source folders read
  uint64_t messages = 0;         // messages stored
  uint64_t bytes = 0;            // octets stored (CRLF form, as IMAP counts them)
  uint64_t duplicates = 0;       // already in the target mailbox (earlier import)
  std::vector<Skipped> skipped;  // unreadable or unstorable files, with the reason
  double seconds = 0;

  // "imported N messages (X MB) into F folders in S s (R messages/s, M MB/s)",
  // then the duplicates and every skipped file with its reason.
  std::string summary() const;
};

class Progress {
 public:
  // Draws only when `enabled` (the caller checks isatty(stdout)).
  Progress(uint64_t total_messages, bool enabled);
  void advance(uint64_t messages, const std::string& folder);
  void finish();  // clears the bar

 private:
  void draw(const std::string& folder);
  uint64_t total_, done_ = 0;
  bool enabled_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace postern::transfer
