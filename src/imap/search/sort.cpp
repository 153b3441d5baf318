// SORT keys and their comparison (RFC 5256 §3, RFC 5957 §3).
#include "imap/search/sort.hpp"

#include <algorithm>

#include "imap/search/base_subject.hpp"
#include "imap/search/casefold.hpp"

namespace postern::imap {
namespace {

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare(const SortItem& a, const SortItem& b, SortKey key, size_t i) {
  switch (key) {
    case SortKey::arrival: return three_way(a.arrival, b.arrival);
    case SortKey::date: return three_way(a.sent, b.sent);
    case SortKey::size: return three_way(a.size, b.size);
    default: return a.strings[i].compare(b.strings[i]);
  }
}

std::string string_key(SortKey key, const mime::SortKeys& k) {
  switch (key) {
    case SortKey::subject: return base_subject(k.subject).text;
    case SortKey::from: return casefolded(k.from_mailbox);
    case SortKey::to: return casefolded(k.to_mailbox);
    case SortKey::cc: return casefolded(k.cc_mailbox);
    case SortKey::display_from: return casefolded(k.from_display);
    case SortKey::display_to: return casefolded(k.to_display);
    default: return {};
  }
}

}  // namespace

SortItem make_sort_item(uint32_t seq, uint32_t number, int64_t internal_date, uint64_t size,
                        const mime::SortKeys& keys, std::span<const SortCriterion> criteria) {
  SortItem it;
  it.seq = seq;
  it.number = number;
  it.arrival = internal_date;
  it.size = size;
  // RFC 5256 §2.2: a missing or unparseable Date: sorts by the internal date.
  it.sent = keys.date.value_or(internal_date);
  bool any = std::any_of(criteria.begin(), criteria.end(), [](const SortCriterion& c) {
    return c.key != SortKey::arrival && c.key != SortKey::date && c.key != SortKey::size;
  });
  if (any) {
    it.strings.reserve(criteria.size());
    for (const auto& c : criteria) it.strings.push_back(string_key(c.key, keys));
  }
  return it;
}

void sort_items(std::vector<SortItem>& items, std::span<const SortCriterion> criteria) {
  // Sorting indexes: an item holds several strings, too heavy to swap around.
  std::vector<uint32_t> order(items.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    const SortItem& a = items[x];
    const SortItem& b = items[y];
    for (size_t i = 0; i < criteria.size(); ++i) {
      int r = compare(a, b, criteria[i].key, i);
      if (r != 0) return criteria[i].reverse ? r > 0 : r < 0;
    }
    return a.seq < b.seq;
  });
  std::vector<SortItem> sorted;
  sorted.reserve(items.size());
  for (uint32_t i : order) sorted.push_back(std::move(items[i]));
  items = std::move(sorted);
}

}  // namespace postern::imap
