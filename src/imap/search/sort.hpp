// SORT ordering (RFC 5256 §3 sort-key, RFC 5957 DISPLAYFROM/DISPLAYTO):
// the per-message keys, built once from the structure cached at delivery,
// and the comparison. Plain data; no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "imap/proto/search_args.hpp"
#include "mime/message_structure.hpp"

namespace postern::imap {

struct SortItem {
  uint32_t seq = 0;     // the final tie-breaker (RFC 5256 §3)
  uint32_t number = 0;  // what the response lists: seq or UID
  int64_t arrival = 0;  // internal date
  int64_t sent = 0;     // RFC 5256 §2.2 sent date: Date: header, else the internal date
  uint64_t size = 0;
  // For each criterion in order, its string key when it has one: the base
  // subject (RFC 5256 §2.1), the addr-mailbox of the first From/To/Cc
  // address (RFC 5256 §3) or the display name (RFC 5957 §3); folded
  // (casefold.hpp) for case-insensitive comparison. Empty for ARRIVAL,
  // DATE and SIZE, so an item costs little when no string key is used.
  std::vector<std::string> strings;
};

// Keys of one message for `criteria` (built for every match: 100,000
// messages sorted by ARRIVAL carry no strings).
SortItem make_sort_item(uint32_t seq, uint32_t number, int64_t internal_date, uint64_t size,
                        const mime::SortKeys& keys, std::span<const SortCriterion> criteria);

// `items` in SORT order: each criterion in turn (REVERSE inverts that one
// criterion only), then ascending sequence number.
void sort_items(std::vector<SortItem>& items, std::span<const SortCriterion> criteria);

}  // namespace postern::imap
