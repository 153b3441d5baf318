// Sequence sets (RFC 9051 §9 sequence-set; RFC 5182 "$"): parsing, limits,
// resolution with "*" and reversed ranges.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "imap/proto/sequence_set.hpp"

namespace postern::imap {
namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

struct SeqCase {
  std::string input;
  bool ok;
  Ranges resolved_at_10;  // resolve(10)
};

TEST(SequenceSet, Table) {
  const std::vector<SeqCase> cases = {
      {"1", true, {{1, 1}}},
      {"1:3,5,7:*", true, {{1, 3}, {5, 5}, {7, 10}}},
      {"*", true, {{10, 10}}},
      {"*:4", true, {{4, 10}}},              // RFC 9051 §9: "*:4" is 4:*
      {"4:2", true, {{2, 4}}},               // ranges in either order
      {"3,1,2", true, {{1, 3}}},             // merged
      {"12:15", true, {{12, 15}}},           // beyond the end: kept, callers decide
      {"4294967295", true, {{4294967295u, 4294967295u}}},
      {"1:4294967295,5", true, {{1, 4294967295u}}},
      {"4294967296", false, {}},             // RFC 9051 §9 nz-number is 32-bit
      {"0", false, {}},                      // nz-number
      {"01", false, {}},
      {"1:", false, {}},
      {":1", false, {}},
      {"1,,2", false, {}},
      {"1,", false, {}},
      {"a", false, {}},
      {"1:2:3", false, {}},
      {"1,$", false, {}},                    // RFC 5182: "$" stands alone
      {"", false, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto s = parse_sequence_set(c.input);
    ASSERT_EQ(s.ok(), c.ok) << (s ? "" : s.error().message);
    if (c.ok) {
      EXPECT_EQ(s->resolve(10), c.resolved_at_10);
    }
  }
}

TEST(SequenceSet, Saved) {
  auto s = parse_sequence_set("$");  // RFC 5182 §2.1
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->saved);
  EXPECT_TRUE(s->ranges.empty());
  SequenceLimits no_saved;
  no_saved.allow_saved = false;
  EXPECT_FALSE(parse_sequence_set("$", no_saved).ok());
}

TEST(SequenceSet, Limits) {
  SequenceLimits l;
  l.max_ranges = 3;
  EXPECT_TRUE(parse_sequence_set("1,2,3", l).ok());
  auto r = parse_sequence_set("1,2,3,4", l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "too many ranges in sequence set (max 3)");
  l.allow_star = false;  // RFC 7162 §3.2.5.2 known-uids
  EXPECT_FALSE(parse_sequence_set("1:*", l).ok());
}

TEST(SequenceSet, ContainsAndEmptyMailbox) {
  auto s = parse_sequence_set("2:4,8:*");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->contains(1, 10));
  EXPECT_TRUE(s->contains(3, 10));
  EXPECT_TRUE(s->contains(10, 10));
  EXPECT_TRUE(s->has_star());
  auto star = parse_sequence_set("*");
  EXPECT_TRUE(star->resolve(0).empty());
  EXPECT_FALSE(star->contains(0, 0));
  // RFC 9051 §6.4.4 (UID ranges): "100:*" with largest 50 includes 50.
  auto upper = parse_sequence_set("100:*");
  EXPECT_EQ(upper->resolve(50), (Ranges{{50, 100}}));
}

TEST(SequenceSet, FromNode) {
  auto c = parse_command("t FETCH 5 x");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(parse_sequence_set(c->args[0]).ok());
  Node list;
  list.kind = NodeKind::list;
  auto r = parse_sequence_set(list);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "expected a sequence set, got a list");
}

}  // namespace
}  // namespace postern::imap
