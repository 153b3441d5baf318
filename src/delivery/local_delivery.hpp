// The local delivery pipeline: an accepted message and its local recipients
// become one store::Delivery (one blob, one INBOX copy per account) with the
// header summary cached for listing and sorting. Filters (spam, Sieve,
// encryption) will slot in here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/mail_store.hpp"

namespace postern::delivery {

struct LocalMessage {
  std::string content;               // exact bytes to store (Received: already prepended)
  std::string return_path;           // envelope sender, "" for <>
  std::vector<int64_t> accounts;     // local recipients, deduplicated
  int64_t received_at = 0;           // unix seconds → INTERNALDATE
};

// Builds the store request: each account gets the message in its INBOX.
store::Delivery prepare_local_delivery(LocalMessage message);

// Subject, From, Message-ID and Date of a message, unfolded (not decoded).
store::MessageSummary summarize(std::string_view content);

}  // namespace postern::delivery
