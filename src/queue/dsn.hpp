// Delivery status notifications (RFC 3464, RFC 3462 multipart/report):
// the bounce or delay warning Postern sends to a sender about recipients
// that failed permanently, expired in the queue, or are still being retried.
// Pure text building; who receives it is the runner's business (the
// sender's INBOX when local, else the queue with the null reverse-path).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postern::queue {

enum class DsnAction { failed, delayed };

struct DsnRecipient {
  std::string address;
  DsnAction action = DsnAction::failed;
  std::string status;       // RFC 3463 "5.1.1"
  std::string diagnostic;   // the remote reply ("550 5.1.1 ...") or our own reason
  int64_t last_attempt = 0; // unix seconds, 0 = never tried
  int64_t retry_until = 0;  // delayed: when the queue gives up
};

struct DsnInput {
  std::string reporting_mta;   // our hostname
  std::string sender;          // who the DSN goes to (the original envelope sender)
  int64_t arrival = 0;         // when the original entered the queue
  int64_t now = 0;
  std::string original;        // the original message (only its header is quoted)
  std::vector<DsnRecipient> recipients;
  std::string boundary_seed;   // makes the boundary and Message-ID unique (queue id, time)
};

// The complete DSN message, CRLF line ends, ready to deliver or queue.
std::string build_dsn(const DsnInput& in);

// The header section of `message` (up to the empty line), CRLF-terminated.
std::string_view header_section(std::string_view message);

}  // namespace postern::queue
