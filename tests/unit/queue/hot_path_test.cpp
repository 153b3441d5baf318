// The queue's per-delivery work: complete() says when a DSN can be owed (so
// the runner skips DSN passes otherwise), owed DSNs and due delay warnings
// are found through their indexes, a finished message is deleted by id,
// claims stop at the free slots and skip busy domains, and none of it grows
// with the length of the queue (counted in SQLite's own statement counters).
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "../store/test_dir.hpp"
#include "queue/outbound_queue.hpp"

namespace postern::queue {
namespace {

constexpr int64_t kT0 = 1700000000;

QueueConfig test_config() {
  QueueConfig c;
  c.lifetime_seconds = 3600;
  c.delay_warning_seconds = 600;
  c.retry_schedule_seconds = {60, 300, 900};
  return c;
}

NewMessage message(std::string to, std::string from = "alice@example.org") {
  return {std::move(from), {std::move(to)}, "Subject: t\r\n\r\nbody\r\n", false};
}

Job claim_one(OutboundQueue& q, int64_t now) {
  auto jobs = q.claim_due(now, 1);
  EXPECT_TRUE(jobs) << jobs.error().message;
  EXPECT_EQ(jobs->size(), 1u);
  return jobs->empty() ? Job{} : (*jobs)[0];
}

Completion finish(OutboundQueue& q, const Job& j, Outcome o, int64_t now) {
  auto c = q.complete(j, {{j.recipients.at(0).id, o, o == Outcome::delivered ? "250 ok" : "4xx/5xx", ""}}, now);
  EXPECT_TRUE(c) << c.error().message;
  return c ? *c : Completion{};
}

// The table the runner relies on: which outcomes may owe a DSN.
TEST(QueueHotPath, CompleteSaysWhenADsnCanBeOwed) {
  struct Case {
    const char* name;
    std::string sender;
    Outcome outcome;
    int64_t age;  // seconds since enqueue at the attempt
    bool owed;
    bool finished;
  };
  const Case cases[] = {
      {"delivered", "alice@example.org", Outcome::delivered, 0, false, true},
      {"permanent failure", "alice@example.org", Outcome::permanent, 0, true, false},
      {"deferred, young", "alice@example.org", Outcome::transient, 599, false, false},
      {"deferred, warning age", "alice@example.org", Outcome::transient, 600, true, false},
      {"deferred past the lifetime: expired", "alice@example.org", Outcome::transient, 3600, true, false},
      {"deferred, null sender: never warned", "", Outcome::transient, 600, false, false},
      {"permanent, null sender: settled silently", "", Outcome::permanent, 0, true, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    testing::TempDir dir;
    auto q = OutboundQueue::open(dir.path(), test_config()).value();
    ASSERT_TRUE(q->enqueue(message("a@one.example", c.sender), kT0));
    Job j = claim_one(*q, kT0 + c.age);
    Completion done = finish(*q, j, c.outcome, kT0 + c.age);
    EXPECT_EQ(done.notice_owed, c.owed);
    EXPECT_EQ(done.finished, c.finished);
  }
}

TEST(QueueHotPath, ADelayWarningIsOwedOnce) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  ASSERT_TRUE(q->enqueue(message("a@one.example"), kT0));
  EXPECT_EQ(q->next_delay_warning().value(), std::optional<int64_t>(kT0 + 600));
  Job j = claim_one(*q, kT0);
  EXPECT_FALSE(finish(*q, j, Outcome::transient, kT0).notice_owed);
  // Found by its age alone (the partial index), not by walking the queue.
  EXPECT_TRUE(q->pending_notices(kT0 + 599)->empty());
  auto warn = q->pending_notices(kT0 + 600).value();
  ASSERT_EQ(warn.size(), 1u);
  ASSERT_EQ(warn[0].delayed.size(), 1u);
  ASSERT_TRUE(q->notice_sent(warn[0]));
  // Warned: no longer a candidate, and later deferrals owe nothing.
  EXPECT_EQ(q->next_delay_warning().value(), std::nullopt);
  Job again = claim_one(*q, kT0 + 700);
  EXPECT_TRUE(again.delay_warned);
  EXPECT_FALSE(finish(*q, again, Outcome::transient, kT0 + 700).notice_owed);
  EXPECT_TRUE(q->pending_notices(kT0 + 800)->empty());
}

TEST(QueueHotPath, BouncesAndDsnsAreNeverDelayWarningCandidates) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  ASSERT_TRUE(q->enqueue(message("a@one.example", ""), kT0));
  NewMessage dsn = message("b@two.example", "");
  dsn.is_dsn = true;
  ASSERT_TRUE(q->enqueue(dsn, kT0));
  EXPECT_EQ(q->next_delay_warning().value(), std::nullopt);
  QueueConfig off = test_config();
  off.delay_warning_seconds = 0;
  testing::TempDir dir2;
  auto q2 = OutboundQueue::open(dir2.path(), off).value();
  ASSERT_TRUE(q2->enqueue(message("a@one.example"), kT0));
  EXPECT_EQ(q2->next_delay_warning().value(), std::nullopt);
}

TEST(QueueHotPath, OwedFailuresAreFoundAmongManyQueuedMessages) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(q->enqueue(message("u" + std::to_string(i) + "@one.example"), kT0));
  auto jobs = q->claim_due(kT0, 3).value();
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_FALSE(finish(*q, jobs[0], Outcome::delivered, kT0).notice_owed);
  EXPECT_TRUE(finish(*q, jobs[1], Outcome::permanent, kT0).notice_owed);
  EXPECT_FALSE(finish(*q, jobs[2], Outcome::transient, kT0).notice_owed);
  auto notices = q->pending_notices(kT0 + 1).value();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].message_id, jobs[1].message_id);
  ASSERT_EQ(notices[0].failed.size(), 1u);
  EXPECT_TRUE(notices[0].delayed.empty());
  ASSERT_TRUE(q->notice_sent(notices[0]));
  EXPECT_TRUE(q->pending_notices(kT0 + 2)->empty());
}

TEST(QueueHotPath, CompleteDeletesTheFinishedMessageOnly) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  int64_t a = q->enqueue(message("a@one.example"), kT0).value();
  int64_t b = q->enqueue(message("b@one.example"), kT0).value();
  // Two recipients at two domains: the message stays until both are done.
  int64_t c = q->enqueue({"alice@example.org", {"c@one.example", "d@two.example"}, "x\r\n", false}, kT0).value();
  auto jobs = q->claim_due(kT0, 10).value();
  ASSERT_EQ(jobs.size(), 4u);
  for (const auto& j : jobs) {
    if (j.message_id == a) {
      EXPECT_TRUE(finish(*q, j, Outcome::delivered, kT0).finished);
    } else if (j.message_id == c && j.domain == "one.example") {
      EXPECT_FALSE(finish(*q, j, Outcome::delivered, kT0).finished);
    }
  }
  EXPECT_FALSE(q->show(a).value());
  EXPECT_TRUE(q->show(b).value());
  EXPECT_TRUE(q->show(c).value());
  for (const auto& j : jobs) {
    if (j.message_id == c && j.domain == "two.example") {
      EXPECT_TRUE(finish(*q, j, Outcome::delivered, kT0).finished);
    }
  }
  EXPECT_FALSE(q->show(c).value());
  EXPECT_EQ(q->list()->size(), 1u);  // b, still in flight
}

TEST(QueueHotPath, ClaimTakesOnlyTheFreeSlotsOldestFirst) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  std::vector<int64_t> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(q->enqueue(message("u" + std::to_string(i) + "@one.example"), kT0 + i).value());
  auto jobs = q->claim_due(kT0 + 100, 2).value();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].message_id, ids[0]);
  EXPECT_EQ(jobs[1].message_id, ids[1]);
  // The rest stays pending, untouched.
  EXPECT_EQ(q->show(ids[2]).value()->recipients[0].state, RecipientState::pending);
  EXPECT_EQ(q->claim_due(kT0 + 100, 28).value().size(), 28u);
  EXPECT_TRUE(q->claim_due(kT0 + 100, 5)->empty());
}

// A domain at its concurrency limit with a long backlog must not hide the
// mail of another domain queued after it (head-of-line blocking).
TEST(QueueHotPath, ABusyDomainsBacklogDoesNotHideOtherDomains) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(q->enqueue(message("u" + std::to_string(i) + "@busy.example"), kT0));
  int64_t other = q->enqueue(message("x@other.example"), kT0 + 1).value();
  auto jobs = q->claim_due(kT0 + 10, 1, {{"busy.example", 4}}, 4).value();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].message_id, other);
  // One free slot for busy.example: exactly one of its jobs, then other domains only.
  auto more = q->claim_due(kT0 + 10, 5, {{"busy.example", 3}}, 4).value();
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].domain, "busy.example");
}

// What one delivery costs the database, measured in SQLite's virtual
// machine steps over the cached statements: claim one job, record its
// outcome, look for owed DSNs, find the next due time. With 40 or with 4000
// messages waiting it must be the same work, and no table is scanned.
TEST(QueueHotPath, PerDeliveryWorkDoesNotGrowWithTheQueue) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  auto one_delivery = [&](int64_t now) {
    auto before = q->statement_counters();
    Job j = claim_one(*q, now);
    EXPECT_TRUE(finish(*q, j, Outcome::delivered, now).finished);
    EXPECT_TRUE(q->pending_notices(now)->empty());
    EXPECT_TRUE(q->next_due().value());
    auto after = q->statement_counters();
    return StatementCache::Counters{after.full_scan_steps - before.full_scan_steps, after.vm_steps - before.vm_steps};
  };
  auto fill = [&](int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(q->enqueue(message("u" + std::to_string(i) + "@one.example"), kT0));
  };
  fill(40);
  (void)one_delivery(kT0);  // prepares the statements
  auto small = one_delivery(kT0);
  fill(4000);
  auto large = one_delivery(kT0);
  EXPECT_EQ(small.full_scan_steps, 0);
  EXPECT_EQ(large.full_scan_steps, 0);
  EXPECT_GT(small.vm_steps, 0);
  EXPECT_LT(large.vm_steps, small.vm_steps * 3 / 2) << "small " << small.vm_steps << ", large " << large.vm_steps;
  std::cout << "vm steps per delivery: " << small.vm_steps << " (40 queued), " << large.vm_steps << " (4000 queued)\n";
}

}  // namespace
}  // namespace postern::queue
