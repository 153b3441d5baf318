// IMAP sequence sets (RFC 9051 §9 sequence-set, seq-range; RFC 5182 "$"):
// parsing with limits, and resolution against the mailbox's current size.
// Parses untrusted input.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "imap/proto/parse_tree.hpp"

namespace postern::imap {

constexpr uint32_t kStar = 0;  // "*": the largest number in use (0 is never a valid seq-number)

struct SeqRange {
  uint32_t first = 1;  // as written; either end may be kStar; "5:1" is kept as written
  uint32_t last = 1;
};

struct SequenceSet {
  bool saved = false;            // "$": the result saved by SEARCH RETURN (SAVE) (RFC 5182 §2.1)
  std::vector<SeqRange> ranges;  // empty iff saved

  // Sorted, merged, inclusive [first, last] ranges with "*" replaced by
  // `largest` and ranges in either order normalized (RFC 9051 §9: "2:4" and
  // "4:2" are equivalent). Numbers above `largest` are kept: callers drop them
  // (UIDs) or reject them (sequence numbers, RFC 9051 §6.4.5: BAD/NO is theirs
  // to choose). With largest == 0 (empty mailbox) "*" resolves to nothing.
  // Precondition: !saved (resolve "$" against the saved result instead).
  std::vector<std::pair<uint32_t, uint32_t>> resolve(uint32_t largest) const;

  // True when `n` is in the set, with "*" meaning `largest`.
  bool contains(uint32_t n, uint32_t largest) const;

  // True when any range mentions "*".
  bool has_star() const;
};

struct SequenceLimits {
  size_t max_ranges = 10000;
  bool allow_saved = true;  // "$" allowed here (after SEARCHRES is advertised)
  bool allow_star = true;   // RFC 7162 known-uids forbid "*"
};

// Parses "1:3,5,7:*" or "$". Numbers are 1..4294967295 (RFC 9051 §9
// nz-number fits 32 bits).
Result<SequenceSet> parse_sequence_set(std::string_view text, const SequenceLimits& limits = {});

// Same, from a node: a number, a sequence_set word, or (leniently) an atom.
Result<SequenceSet> parse_sequence_set(const Node& node, const SequenceLimits& limits = {});

}  // namespace postern::imap
