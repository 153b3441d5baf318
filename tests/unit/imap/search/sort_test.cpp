// SORT order (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO).
#include <gtest/gtest.h>

#include "imap/search/sort.hpp"

namespace postern::imap {
namespace {

struct Msg {
  int64_t arrival;
  std::optional<int64_t> date;
  uint64_t size;
  const char* subject;
  const char* from;
  const char* from_display;
  const char* to;
  const char* cc;
};

std::vector<uint32_t> order(std::vector<SortCriterion> criteria, std::initializer_list<Msg> list) {
  std::vector<SortItem> items;
  uint32_t seq = 0;
  for (const auto& m : list) {
    mime::SortKeys k;
    k.date = m.date;
    k.subject = m.subject;
    k.from_mailbox = m.from;
    k.from_display = m.from_display;
    k.to_mailbox = m.to;
    k.to_display = m.to;
    k.cc_mailbox = m.cc;
    ++seq;
    items.push_back(make_sort_item(seq, seq * 10, m.arrival, m.size, k, criteria));
  }
  sort_items(items, criteria);
  std::vector<uint32_t> out;
  for (const auto& it : items) out.push_back(it.number);
  return out;
}

using V = std::vector<uint32_t>;
const SortCriterion kArrival{SortKey::arrival, false}, kDate{SortKey::date, false}, kSize{SortKey::size, false},
    kSubject{SortKey::subject, false}, kFrom{SortKey::from, false}, kTo{SortKey::to, false}, kCc{SortKey::cc, false},
    kDisplayFrom{SortKey::display_from, false}, kRevSize{SortKey::size, true}, kRevDate{SortKey::date, true};

TEST(SortTest, EachKey) {
  std::initializer_list<Msg> box = {
      {300, 30, 5, "Re: beta", "zed", "Alice", "b", ""},
      {100, std::nullopt, 7, "alpha", "Bob", "charlie", "a", "x"},  // no Date: uses arrival (100)
      {200, 10, 5, "[list] Alpha", "carol", "bob", "C", "y"},
  };
  EXPECT_EQ(order({kArrival}, box), (V{20, 30, 10}));
  EXPECT_EQ(order({kDate}, box), (V{30, 10, 20}));  // 10, 30, 100
  EXPECT_EQ(order({kSize}, box), (V{10, 30, 20}));  // ties by sequence number
  EXPECT_EQ(order({kRevSize}, box), (V{20, 10, 30}));  // REVERSE does not reverse the tie-break
  EXPECT_EQ(order({kSubject}, box), (V{20, 30, 10}));  // base subjects: alpha, alpha, beta
  EXPECT_EQ(order({kSubject, kRevDate}, box), (V{20, 30, 10}));
  EXPECT_EQ(order({kFrom}, box), (V{20, 30, 10}));  // case-insensitive: bob, carol, zed
  EXPECT_EQ(order({kDisplayFrom}, box), (V{10, 30, 20}));  // alice, bob, charlie
  EXPECT_EQ(order({kTo}, box), (V{20, 10, 30}));
  EXPECT_EQ(order({kCc}, box), (V{10, 20, 30}));  // an empty key sorts first
  EXPECT_EQ(order({kSize, kSubject}, box), (V{30, 10, 20}));
}

}  // namespace
}  // namespace postern::imap
