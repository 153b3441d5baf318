// MessageView: a session's rows over a shared snapshot behave exactly like
// a private vector under any mix of appends, flag changes and removals
// (checked against one, step by step), leave the snapshot untouched, and
// switch to a private copy only past the difference budget.
#include "imap/session/message_view.hpp"

#include <gtest/gtest.h>

#include <random>

namespace postern::imap {
namespace {

store::MessageRow row(uint32_t uid) { return {uid, int64_t{uid} * 10, int64_t{uid}, uid % 3 ? "" : "\\Seen"}; }

void expect_same(const MessageView& v, const std::vector<store::MessageRow>& want) {
  ASSERT_EQ(v.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(v[i].uid, want[i].uid) << "row " << i;
    ASSERT_EQ(v[i].flags, want[i].flags) << "row " << i;
    ASSERT_EQ(v[i].modseq, want[i].modseq) << "row " << i;
  }
  size_t n = 0;
  for (const auto& r : v) EXPECT_EQ(r.uid, want[n++].uid);
  EXPECT_EQ(n, want.size());
}

TEST(MessageView, BehavesLikeAPrivateVectorAndNeverTouchesTheSnapshot) {
  auto snap = std::make_shared<store::MailboxSnapshot>();
  auto* base = &snap->rows;
  for (uint32_t uid = 1; uid <= 3000; uid += 1 + uid % 4) base->push_back(row(uid));
  const auto pristine = *base;
  MessageView view(snap);
  std::vector<store::MessageRow> want = *base;
  std::mt19937 rng(11);
  uint32_t next_uid = 4000;
  bool copied = false;
  for (int step = 0; step < 3000; ++step) {
    switch (rng() % 4) {
      case 0:
        view.push_back(row(next_uid));
        want.push_back(row(next_uid++));
        break;
      case 1:
      case 2:
        if (!want.empty()) {
          size_t i = rng() % want.size();
          auto& r = view.mutable_at(i);
          r.flags = "$step" + std::to_string(step);
          r.modseq = 100000 + step;
          want[i].flags = r.flags;
          want[i].modseq = r.modseq;
        }
        break;
      default:
        if (!want.empty()) {
          size_t i = rng() % want.size();
          view.erase_at(i);
          want.erase(want.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }
    if (!view.shares_snapshot()) copied = true;
    if (step % 97 == 0) expect_same(view, want);
    // lower_bound finds present UIDs and the place of absent ones.
    uint32_t probe = static_cast<uint32_t>(rng() % (next_uid + 2));
    size_t at = view.lower_bound(probe);
    size_t expect = static_cast<size_t>(std::lower_bound(want.begin(), want.end(), probe,
                                                         [](const auto& r, uint32_t u) { return r.uid < u; }) -
                                        want.begin());
    ASSERT_EQ(at, expect) << "uid " << probe;
  }
  expect_same(view, want);
  EXPECT_TRUE(copied) << "3,000 differences on ~1,200 shared rows exceed the budget";
  ASSERT_EQ(base->size(), pristine.size());
  for (size_t i = 0; i < pristine.size(); ++i) EXPECT_EQ((*base)[i].flags, pristine[i].flags);
}

TEST(MessageView, AFewDifferencesKeepSharing) {
  auto snap = std::make_shared<store::MailboxSnapshot>();
  auto* base = &snap->rows;
  for (uint32_t uid = 1; uid <= 100000; ++uid) base->push_back(row(uid));
  MessageView view(snap);
  view.erase_at(10);
  view.erase_at(500);
  view.mutable_at(7).flags = "\\Flagged";
  view.push_back(row(100001));
  EXPECT_TRUE(view.shares_snapshot());
  EXPECT_EQ(view.size(), 99999u);
  EXPECT_EQ(view[10].uid, 12u);
  EXPECT_EQ(view[499].uid, 501u);  // 11 and then 502 (then at index 500) removed
  EXPECT_EQ(view[500].uid, 503u);
  EXPECT_EQ(view[7].flags, "\\Flagged");
  EXPECT_EQ((*base)[7].flags, row(8).flags);
  EXPECT_EQ(view.back().uid, 100001u);
  EXPECT_EQ(view.lower_bound(11), 10u);  // UID 11 is gone: the next one
}

TEST(MessageView, EmptyAndNullSnapshots) {
  MessageView none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.lower_bound(5), 0u);
  MessageView null_base{store::MailboxView{}};
  EXPECT_EQ(null_base.size(), 0u);
  null_base.push_back(row(1));
  EXPECT_EQ(null_base[0].uid, 1u);
}

}  // namespace
}  // namespace postern::imap
