// Import summary text and the terminal progress bar.
#include "transfer/import_report.hpp"

#include <cstdio>

namespace postern::transfer {

std::string ImportReport::summary() const {
  const double mb = static_cast<double>(bytes) / 1e6;
  const double secs = seconds > 0 ? seconds : 1e-9;
  char line[256];
  std::snprintf(line, sizeof line,
                "imported %llu messages (%.1f MB) from %llu folders in %.2f s (%.0f messages/s, %.2f MB/s)\n",
                static_cast<unsigned long long>(messages), mb, static_cast<unsigned long long>(folders), seconds,
                static_cast<double>(messages) / secs, mb / secs);
  std::string out = line;
  out += "skipped " + std::to_string(duplicates) + " messages already present (same content in the same mailbox)\n";
  out += "skipped " + std::to_string(skipped.size()) + " files with errors" + (skipped.empty() ? "\n" : ":\n");
  for (const auto& s : skipped) out += "  " + s.path + ": " + s.reason + "\n";
  return out;
}

Progress::Progress(uint64_t total, bool enabled) : total_(total), enabled_(enabled) {}

void Progress::advance(uint64_t messages, const std::string& folder) {
  done_ += messages;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done_ < total_) return;
  last_draw_ = now;
  draw(folder);
}

void Progress::draw(const std::string& folder) {
  constexpr int kWidth = 30;
  const uint64_t total = total_ ? total_ : 1;
  const int filled = static_cast<int>(kWidth * (done_ > total ? total : done_) / total);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::string name = folder.size() > 30 ? folder.substr(0, 27) + "..." : folder;
  std::printf("\r[%s] %llu/%llu %-30s", bar.c_str(), static_cast<unsigned long long>(done_),
              static_cast<unsigned long long>(total_), name.c_str());
  std::fflush(stdout);
}

void Progress::finish() {
  if (!enabled_) return;
  std::printf("\r%-80s\r", "");
  std::fflush(stdout);
}

}  // namespace postern::transfer
