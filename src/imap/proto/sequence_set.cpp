// Sequence-set parsing and resolution (RFC 9051 §9, RFC 5182).
#include "imap/proto/sequence_set.hpp"

#include <algorithm>
#include <string>

namespace postern::imap {
namespace {

// seq-number = nz-number / "*"
Result<uint32_t> parse_seq_number(std::string_view s, const SequenceLimits& limits) {
  if (s == "*") {
    if (!limits.allow_star) return syntax_error("'*' is not allowed in this sequence set");
    return kStar;
  }
  if (s.empty()) return syntax_error("empty number in sequence set");
  if (s[0] == '0') return syntax_error("sequence numbers start at 1 and have no leading zero");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return syntax_error("invalid character in sequence set");
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) return syntax_error("sequence number exceeds 4294967295");
  }
  return static_cast<uint32_t>(v);
}

}  // namespace

Result<SequenceSet> parse_sequence_set(std::string_view text, const SequenceLimits& limits) {
  SequenceSet set;
  if (text == "$") {
    if (!limits.allow_saved) return syntax_error("'$' (SEARCHRES) is not allowed here");
    set.saved = true;
    return set;
  }
  if (text.empty()) return syntax_error("empty sequence set");
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (set.ranges.size() >= limits.max_ranges) {
      return syntax_error("too many ranges in sequence set (max " + std::to_string(limits.max_ranges) + ")");
    }
    if (item == "$") return syntax_error("'$' must stand alone (RFC 5182)");
    size_t colon = item.find(':');
    auto first = parse_seq_number(item.substr(0, colon), limits);
    if (!first) return first.error();
    SeqRange r{*first, *first};
    if (colon != std::string_view::npos) {
      auto last = parse_seq_number(item.substr(colon + 1), limits);
      if (!last) return last.error();
      r.last = *last;
    }
    set.ranges.push_back(r);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

Result<SequenceSet> parse_sequence_set(const Node& node, const SequenceLimits& limits) {
  if (node.kind != NodeKind::number && node.kind != NodeKind::sequence_set && node.kind != NodeKind::atom) {
    return syntax_error("expected a sequence set, got a " + std::string(node_kind_name(node.kind)));
  }
  return parse_sequence_set(node.text, limits);
}

std::vector<std::pair<uint32_t, uint32_t>> SequenceSet::resolve(uint32_t largest) const {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  out.reserve(ranges.size());
  for (const auto& r : ranges) {
    uint32_t a = r.first == kStar ? largest : r.first;
    uint32_t b = r.last == kStar ? largest : r.last;
    if (a == 0 || b == 0) {
      // "*" in an empty mailbox: "*" alone is nothing; "5:*" still names 1..5
      // per the RFC ("*:5" is 5 with *=largest), but with no messages every
      // number is beyond the end anyway, so keep only the numeric end.
      uint32_t n = a == 0 ? b : a;
      if (n == 0) continue;
      a = b = n;
    }
    if (a > b) std::swap(a, b);
    out.emplace_back(a, b);
  }
  std::sort(out.begin(), out.end());
  std::vector<std::pair<uint32_t, uint32_t>> merged;
  for (const auto& r : out) {
    if (!merged.empty() && (merged.back().second == UINT32_MAX || r.first <= merged.back().second + 1)) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

bool SequenceSet::contains(uint32_t n, uint32_t largest) const {
  for (const auto& r : ranges) {
    uint32_t a = r.first == kStar ? largest : r.first;
    uint32_t b = r.last == kStar ? largest : r.last;
    if (a > b) std::swap(a, b);
    if (n >= a && n <= b && n != 0) return true;
  }
  return false;
}

bool SequenceSet::has_star() const {
  return std::any_of(ranges.begin(), ranges.end(), [](const SeqRange& r) { return r.first == kStar || r.last == kStar; });
}

}  // namespace postern::imap
