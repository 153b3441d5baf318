// Automatic bans: addresses and networks, thresholds in a window, escalation,
// the allowlist, account slowdown, durations, and bans kept in postern.db.
#include "guard/guard.hpp"

#include <gtest/gtest.h>

#include "../store/test_dir.hpp"
#include "guard/sqlite_ban_store.hpp"

namespace postern::guard {
namespace {

constexpr int64_t kT0 = 1700000000;

TEST(Network, ParsesMatchesAndKeysIpv6ByPrefix64) {
  auto n = IpNetwork::parse("10.1.2.3/8");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->str(), "10.0.0.0/8");
  EXPECT_TRUE(n->contains(*IpAddress::parse("10.200.0.1")));
  EXPECT_FALSE(n->contains(*IpAddress::parse("11.0.0.1")));
  EXPECT_FALSE(n->contains(*IpAddress::parse("::ffff:10.0.0.1")));
  auto v6 = IpNetwork::parse("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*IpAddress::parse("2001:db8:ffff::1")));
  EXPECT_TRUE(IpNetwork::parse("::1"));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "x", "10.0.0.1/", "10.0.0.1/-1", "1.2.3.4/8x"})
    EXPECT_FALSE(IpNetwork::parse(bad)) << bad;
  EXPECT_EQ(source_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(source_key("2001:db8:1:2:aaaa::5"), "2001:db8:1:2::/64");
  EXPECT_EQ(source_key("2001:db8:1:2:bbbb::9"), source_key("2001:db8:1:2:aaaa::5"));
  EXPECT_NE(source_key("2001:db8:1:3::1"), source_key("2001:db8:1:2::1"));
}

GuardConfig test_config() {
  GuardConfig c;
  c.auth_failures = 3;
  c.abuse_events = 5;
  c.window_seconds = 60;
  c.ban_seconds = 100;
  c.escalation = 4;
  c.max_ban_seconds = 1000;
  c.allowlist = {"192.0.2.0/24"};
  return c;
}

TEST(Network, RefusesEmbeddedNul) {
  using namespace std::string_view_literals;
  EXPECT_FALSE(IpAddress::parse("192.0.2.7\0junk"sv));
  EXPECT_FALSE(IpNetwork::parse("10.0.0.0\0/8"sv));
  EXPECT_FALSE(IpNetwork::parse("10.0.0.0/8\0"sv));
  EXPECT_EQ(source_key("192.0.2.7\0x"sv), "192.0.2.7\0x"sv);  // not an address: kept as given
}

TEST(Guard, BansAtTheThresholdWithinTheWindowOnly) {
  Guard g(test_config(), nullptr);
  // Failures spread wider than the window never add up to a ban.
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(g.record("198.51.100.1", Offense::auth_failure, 1, "u", kT0 + i * 40));
  EXPECT_FALSE(g.banned("198.51.100.1", kT0 + 400));
  EXPECT_FALSE(g.record("198.51.100.2", Offense::auth_failure, 1, "", kT0));
  EXPECT_FALSE(g.record("198.51.100.2", Offense::auth_failure, 1, "", kT0 + 1));
  auto ban = g.record("198.51.100.2", Offense::auth_failure, 1, "alice@example.org", kT0 + 2);
  ASSERT_TRUE(ban);
  EXPECT_EQ(ban->until, kT0 + 2 + 100);
  EXPECT_NE(ban->reason.find("3 failed logins"), std::string::npos) << ban->reason;
  EXPECT_TRUE(g.banned("198.51.100.2", kT0 + 50));
  EXPECT_FALSE(g.banned("198.51.100.2", kT0 + 102));
  EXPECT_FALSE(g.banned("198.51.100.3", kT0 + 50));
}

TEST(Guard, AbuseCountsSeparatelyAndByWeight) {
  Guard g(test_config(), nullptr);
  EXPECT_FALSE(g.record("203.0.113.9", Offense::protocol_error, 4, "", kT0));
  EXPECT_FALSE(g.record("203.0.113.9", Offense::auth_failure, 2, "", kT0));
  EXPECT_TRUE(g.record("203.0.113.9", Offense::unknown_recipient, 1, "", kT0));
}

TEST(Guard, RepeatBansEscalateUpToTheMaximum) {
  Guard g(test_config(), nullptr);
  int64_t t = kT0;
  std::vector<int64_t> lengths;
  for (int round = 0; round < 4; ++round) {
    std::optional<Ban> ban;
    for (int i = 0; i < 3; ++i) ban = g.record("2001:db8::" + std::to_string(i + 1), Offense::auth_failure, 1, "", t);
    ASSERT_TRUE(ban) << round;  // three hosts of one /64 are one source
    lengths.push_back(ban->until - ban->created);
    EXPECT_EQ(ban->strikes, static_cast<unsigned>(round + 1));
    t = ban->until + 1;
  }
  EXPECT_EQ(lengths, (std::vector<int64_t>{100, 400, 1000, 1000}));
}

TEST(Guard, AllowlistedSourcesAreNeverBanned) {
  Guard g(test_config(), nullptr);
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(g.record("192.0.2.50", Offense::auth_failure, 1, "", kT0));
  EXPECT_FALSE(g.banned("192.0.2.50", kT0));
}

TEST(Guard, DisabledDoesNothing) {
  auto c = test_config();
  c.enabled = false;
  Guard g(c, nullptr);
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(g.record("198.51.100.1", Offense::auth_failure, 1, "", kT0));
  EXPECT_FALSE(g.banned("198.51.100.1", kT0));
}

TEST(Guard, AccountFailuresSlowDownUpToACap) {
  auto c = test_config();
  c.account_delay_ms = 500;
  c.max_account_delay_ms = 2000;
  Guard g(c, nullptr);
  EXPECT_EQ(g.account_failure("Alice@Example.org", kT0).count(), 500);
  EXPECT_EQ(g.account_failure("alice@example.org", kT0).count(), 1000);
  for (int i = 0; i < 10; ++i) g.account_failure("alice@example.org", kT0);
  EXPECT_EQ(g.account_failure("alice@example.org", kT0).count(), 2000);
  EXPECT_EQ(g.account_failure("alice@example.org", kT0 + 1000).count(), 500);  // the window moved on
  EXPECT_EQ(g.account_failure("bob@example.org", kT0).count(), 500);
}

TEST(Guard, Durations) {
  EXPECT_EQ(parse_duration("90"), 90);
  EXPECT_EQ(parse_duration("45s"), 45);
  EXPECT_EQ(parse_duration("30m"), 1800);
  EXPECT_EQ(parse_duration("2h"), 7200);
  EXPECT_EQ(parse_duration("1d"), 86400);
  EXPECT_EQ(parse_duration("1w"), 7 * 86400);
  for (const char* bad : {"", "h", "-5", "0", "5x", "1.5h", "99999999999d"}) EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(SqliteBanStore, BansSurviveReopenAndCarryStrikes) {
  testing::TempDir dir;
  {
    auto store = SqliteBanStore::open(dir.path());
    ASSERT_TRUE(store) << store.error().message;
    Guard g(test_config(), store->get());
    for (int i = 0; i < 3; ++i) g.record("198.51.100.7", Offense::auth_failure, 1, "", kT0);
    EXPECT_TRUE(g.banned("198.51.100.7", kT0 + 1));
  }
  auto store = SqliteBanStore::open(dir.path());
  ASSERT_TRUE(store);
  Guard g(test_config(), store->get());
  EXPECT_FALSE(g.banned("198.51.100.7", kT0 + 1));  // not loaded yet
  ASSERT_TRUE(g.reload(kT0 + 1));
  EXPECT_TRUE(g.banned("198.51.100.7", kT0 + 1));
  // After it expires, the next ban is the second strike: four times longer.
  std::optional<Ban> ban;
  for (int i = 0; i < 3; ++i) ban = g.record("198.51.100.7", Offense::auth_failure, 1, "", kT0 + 200);
  ASSERT_TRUE(ban);
  EXPECT_EQ(ban->strikes, 2u);
  EXPECT_EQ(ban->until, kT0 + 200 + 400);
  // Removed in the store (the CLI), gone after the next reload.
  ASSERT_TRUE((*store)->remove("198.51.100.7"));
  ASSERT_TRUE(g.reload(kT0 + 201));
  EXPECT_FALSE(g.banned("198.51.100.7", kT0 + 201));
}

TEST(Guard, ASourceWithARecentLoginAndNoFailuresIsTrusted) {
  Guard g(test_config(), nullptr);
  EXPECT_FALSE(g.trusted_source("192.0.2.7", kT0));
  g.record_login("192.0.2.7", kT0);
  EXPECT_TRUE(g.trusted_source("192.0.2.7", kT0 + 10));
  // Keyed like bans: the rest of an IPv6 /64 counts as the same source.
  g.record_login("2001:db8:1:2::5", kT0);
  EXPECT_TRUE(g.trusted_source("2001:db8:1:2::77", kT0 + 10));
  EXPECT_FALSE(g.trusted_source("2001:db8:1:3::5", kT0 + 10));
  // A failed login from it ends the trust until it leaves the window.
  g.record("192.0.2.7", Offense::auth_failure, 1, "", kT0 + 20);
  EXPECT_FALSE(g.trusted_source("192.0.2.7", kT0 + 21));
  EXPECT_TRUE(g.trusted_source("192.0.2.7", kT0 + 20 + test_config().window_seconds + 1));
  // Thirty days after the last login it is a stranger again.
  EXPECT_FALSE(g.trusted_source("192.0.2.7", kT0 + 31 * 86400));
}

}  // namespace
}  // namespace postern::guard
