// SORT keys and their comparison (RFC 5256 §3, RFC 5957 §3).
#include "imap/search/sort.hpp"

#include <algorithm>

#include "imap/search/base_subject.hpp"
#include "imap/search/casefold.hpp"

namespace postern::imap {
namespace {

bool uses(std::span<const SortCriterion> criteria, SortKey k) {
  return std::any_of(criteria.begin(), criteria.end(), [k](const SortCriterion& c) { return c.key == k; });
}

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int compare(const SortItem& a, const SortItem& b, SortKey key) {
  switch (key) {
    case SortKey::arrival: return three_way(a.arrival, b.arrival);
    case SortKey::date: return three_way(a.sent, b.sent);
    case SortKey::size: return three_way(a.size, b.size);
    case SortKey::subject: return a.subject.compare(b.subject);
    case SortKey::from: return a.from.compare(b.from);
    case SortKey::to: return a.to.compare(b.to);
    case SortKey::cc: return a.cc.compare(b.cc);
    case SortKey::display_from: return a.display_from.compare(b.display_from);
    case SortKey::display_to: return a.display_to.compare(b.display_to);
  }
  return 0;
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
  if (uses(criteria, SortKey::subject)) it.subject = base_subject(keys.subject).text;
  if (uses(criteria, SortKey::from)) it.from = casefolded(keys.from_mailbox);
  if (uses(criteria, SortKey::to)) it.to = casefolded(keys.to_mailbox);
  if (uses(criteria, SortKey::cc)) it.cc = casefolded(keys.cc_mailbox);
  if (uses(criteria, SortKey::display_from)) it.display_from = casefolded(keys.from_display);
  if (uses(criteria, SortKey::display_to)) it.display_to = casefolded(keys.to_display);
  return it;
}

void sort_items(std::vector<SortItem>& items, std::span<const SortCriterion> criteria) {
  // Sorting indexes: an item holds several strings, too heavy to swap around.
  std::vector<uint32_t> order(items.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    const SortItem& a = items[x];
    const SortItem& b = items[y];
    for (const auto& c : criteria) {
      int r = compare(a, b, c.key);
      if (r != 0) return c.reverse ? r > 0 : r < 0;
    }
    return a.seq < b.seq;
  });
  std::vector<SortItem> sorted;
  sorted.reserve(items.size());
  for (uint32_t i : order) sorted.push_back(std::move(items[i]));
  items = std::move(sorted);
}

}  // namespace postern::imap
