// The durable outbound queue: enqueue, claim, outcomes, backoff, expiry,
// DSN notices, administration, and crash safety (reopen after a "crash").
#include "queue/outbound_queue.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "../store/test_dir.hpp"
#include "queue/schedule.hpp"

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

NewMessage message(std::vector<std::string> to, std::string from = "alice@example.org") {
  return {std::move(from), std::move(to), "Subject: t\r\n\r\nbody\r\n", false};
}

size_t blob_files(const std::string& dir) {
  size_t n = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir + "/queue/blobs"))
    if (e.is_regular_file()) ++n;
  return n;
}

TEST(Schedule, BackoffCapsAtTheLastStep) {
  QueueConfig c = test_config();
  EXPECT_EQ(retry_delay(c, 1), 60);
  EXPECT_EQ(retry_delay(c, 2), 300);
  EXPECT_EQ(retry_delay(c, 3), 900);
  EXPECT_EQ(retry_delay(c, 10), 900);
  // Never scheduled past the lifetime: the last try is at the deadline.
  EXPECT_EQ(next_attempt_at(c, kT0, 3, kT0 + 3000), kT0 + 3600);
  EXPECT_FALSE(expired(c, kT0, kT0 + 3599));
  EXPECT_TRUE(expired(c, kT0, kT0 + 3600));
  EXPECT_FALSE(delay_warning_due(c, kT0, kT0 + 599));
  EXPECT_TRUE(delay_warning_due(c, kT0, kT0 + 600));
  c.delay_warning_seconds = 0;
  EXPECT_FALSE(delay_warning_due(c, kT0, kT0 + 100000));
}

TEST(OutboundQueue, GroupsRecipientsByDomainAndRecordsOutcomes) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config());
  ASSERT_TRUE(q) << q.error().message;
  auto id = (*q)->enqueue(message({"a@one.example", "b@ONE.example", "c@two.example"}), kT0);
  ASSERT_TRUE(id) << id.error().message;
  auto jobs = (*q)->claim_due(kT0, 10);
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 2u);
  const Job& one = (*jobs)[0].domain == "one.example" ? (*jobs)[0] : (*jobs)[1];
  const Job& two = (*jobs)[0].domain == "one.example" ? (*jobs)[1] : (*jobs)[0];
  EXPECT_EQ(one.recipients.size(), 2u);
  EXPECT_EQ(two.recipients.size(), 1u);
  EXPECT_EQ((*q)->read_content(one.blob_hash).value(), "Subject: t\r\n\r\nbody\r\n");
  // Claimed rows are not handed out twice.
  EXPECT_TRUE((*q)->claim_due(kT0, 10)->empty());

  ASSERT_TRUE((*q)->complete(one, {{one.recipients[0].id, Outcome::delivered, "250 ok", "2.0.0"},
                                   {one.recipients[1].id, Outcome::permanent, "550 5.1.1 unknown", "5.1.1"}},
                             kT0 + 1));
  ASSERT_TRUE((*q)->complete(two, {{two.recipients[0].id, Outcome::transient, "451 later", "4.0.0"}}, kT0 + 1));
  auto e = (*q)->show(*id);
  ASSERT_TRUE(e && *e);
  auto& rs = (*e)->recipients;
  EXPECT_EQ(rs[0].state, RecipientState::delivered);
  EXPECT_EQ(rs[1].state, RecipientState::failed);
  EXPECT_EQ(rs[1].last_reply, "550 5.1.1 unknown");
  EXPECT_EQ(rs[2].state, RecipientState::pending);
  EXPECT_EQ(rs[2].attempts, 1);
  EXPECT_EQ(rs[2].next_attempt, kT0 + 1 + 60);
  EXPECT_EQ((*q)->next_due().value(), std::optional<int64_t>(kT0 + 61));
  // Not due before its time, due after.
  EXPECT_TRUE((*q)->claim_due(kT0 + 60, 10)->empty());
  auto again = (*q)->claim_due(kT0 + 61, 10);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].recipients[0].attempts, 1);
  ASSERT_TRUE((*q)->complete((*again)[0], {{(*again)[0].recipients[0].id, Outcome::transient, "451", "4.0.0"}},
                             kT0 + 61));
  EXPECT_EQ((*q)->show(*id).value().value().recipients[2].next_attempt, kT0 + 61 + 300);
}

// Group commit: many threads enqueueing at once each get their own id, and
// every message is listed with its own sender and recipients.
TEST(OutboundQueue, ConcurrentEnqueuesShareCommitsAndKeepEveryMessage) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config());
  ASSERT_TRUE(q) << q.error().message;
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::vector<int64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto m = message({"to" + std::to_string(i) + "@t" + std::to_string(t) + ".example"},
                         "from" + std::to_string(t) + "@example.org");
        m.content = "Subject: " + std::to_string(t) + "/" + std::to_string(i) + "\r\n\r\nbody\r\n";
        auto id = (*q)->enqueue(m, kT0);
        ASSERT_TRUE(id) << id.error().message;
        ids[t].push_back(*id);
      }
    });
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  for (int t = 0; t < kThreads; ++t) {
    auto e = (*q)->show(ids[t][3]);
    ASSERT_TRUE(e && *e);
    EXPECT_EQ((*e)->sender, "from" + std::to_string(t) + "@example.org");
    ASSERT_EQ((*e)->recipients.size(), 1u);
    EXPECT_EQ((*e)->recipients[0].address, "to3@t" + std::to_string(t) + ".example");
  }
  EXPECT_EQ(blob_files(dir.path()), static_cast<size_t>(kThreads * kEach));
}

TEST(OutboundQueue, BusyDomainsAndJobLimit) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  ASSERT_TRUE(q->enqueue(message({"a@one.example"}), kT0));
  ASSERT_TRUE(q->enqueue(message({"b@two.example"}), kT0));
  ASSERT_TRUE(q->enqueue(message({"c@three.example"}), kT0));
  auto jobs = q->claim_due(kT0, 1, {{"one.example", 1}}, 1);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].domain, "two.example");
  // Two more messages to one.example: one job per domain at a time.
  ASSERT_TRUE(q->enqueue(message({"d@one.example"}), kT0));
  auto more = q->claim_due(kT0, 10, {}, 1).value();
  ASSERT_EQ(more.size(), 2u);  // one.example once, three.example once
  EXPECT_NE(more[0].domain, more[1].domain);
}

TEST(OutboundQueue, FinishedMessagesAndTheirBlobsAreRemoved) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  ASSERT_TRUE(q->enqueue(message({"a@one.example"}), kT0));
  EXPECT_EQ(blob_files(dir.path()), 1u);
  auto jobs = q->claim_due(kT0, 10).value();
  ASSERT_TRUE(q->complete(jobs[0], {{jobs[0].recipients[0].id, Outcome::delivered, "250 ok", "2.0.0"}}, kT0));
  EXPECT_TRUE(q->list()->empty());
  EXPECT_EQ(blob_files(dir.path()), 0u);
}

TEST(OutboundQueue, PermanentFailureOwesOneDsnThenFinishes) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  ASSERT_TRUE(q->enqueue(message({"a@one.example"}), kT0));
  auto jobs = q->claim_due(kT0, 10).value();
  ASSERT_TRUE(q->complete(jobs[0], {{jobs[0].recipients[0].id, Outcome::permanent, "550 no", "5.0.0"}}, kT0));
  auto notices = q->pending_notices(kT0).value();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_FALSE(notices[0].silent);
  EXPECT_EQ(notices[0].sender, "alice@example.org");
  ASSERT_EQ(notices[0].failed.size(), 1u);
  EXPECT_EQ(notices[0].failed[0].last_reply, "550 no");
  EXPECT_EQ(q->list()->size(), 1u);  // kept until the DSN is handed on
  ASSERT_TRUE(q->notice_sent(notices[0]));
  EXPECT_TRUE(q->pending_notices(kT0)->empty());
  EXPECT_TRUE(q->list()->empty());
}

TEST(OutboundQueue, NullSenderNeverGetsADsn) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  ASSERT_TRUE(q->enqueue(message({"a@one.example"}, ""), kT0));
  auto jobs = q->claim_due(kT0, 10).value();
  ASSERT_TRUE(q->complete(jobs[0], {{jobs[0].recipients[0].id, Outcome::permanent, "550 no", "5.0.0"}}, kT0));
  auto notices = q->pending_notices(kT0).value();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_TRUE(notices[0].silent);
  ASSERT_TRUE(q->notice_sent(notices[0]));
  EXPECT_TRUE(q->list()->empty());
}

TEST(OutboundQueue, ExpiryAndDelayWarning) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  ASSERT_TRUE(q->enqueue(message({"a@one.example"}), kT0));
  auto jobs = q->claim_due(kT0, 10).value();
  ASSERT_TRUE(q->complete(jobs[0], {{jobs[0].recipients[0].id, Outcome::transient, "421 busy", "4.0.0"}}, kT0));
  EXPECT_TRUE(q->pending_notices(kT0 + 599)->empty());
  auto warn = q->pending_notices(kT0 + 600).value();
  ASSERT_EQ(warn.size(), 1u);
  EXPECT_TRUE(warn[0].failed.empty());
  ASSERT_EQ(warn[0].delayed.size(), 1u);
  ASSERT_TRUE(q->notice_sent(warn[0]));
  EXPECT_TRUE(q->pending_notices(kT0 + 700)->empty());  // once only
  ASSERT_TRUE(q->expire(kT0 + 3600));
  auto gone = q->pending_notices(kT0 + 3600).value();
  ASSERT_EQ(gone.size(), 1u);
  ASSERT_EQ(gone[0].failed.size(), 1u);
  EXPECT_EQ(gone[0].failed[0].state, RecipientState::expired);
  EXPECT_EQ(gone[0].failed[0].enhanced, "4.4.7");
  EXPECT_EQ(gone[0].failed[0].last_reply, "421 busy");
}

TEST(OutboundQueue, CrashWhileInFlightRetriesOnReopenAndLosesNothing) {
  testing::TempDir dir;
  int64_t id = 0;
  {
    auto q = OutboundQueue::open(dir.path(), test_config()).value();
    id = q->enqueue(message({"a@one.example", "b@two.example"}), kT0).value();
    auto jobs = q->claim_due(kT0, 10).value();
    ASSERT_EQ(jobs.size(), 2u);
    // one.example finished before the "crash"; two.example was in flight.
    const Job& done = jobs[0].domain == "one.example" ? jobs[0] : jobs[1];
    ASSERT_TRUE(q->complete(done, {{done.recipients[0].id, Outcome::delivered, "250 ok", "2.0.0"}}, kT0));
  }  // the process dies here without completing two.example
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  auto e = q->show(id).value();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->recipients[0].state, RecipientState::delivered);
  EXPECT_EQ(e->recipients[1].state, RecipientState::pending);
  auto jobs = q->claim_due(kT0, 10).value();
  ASSERT_EQ(jobs.size(), 1u);  // only the unfinished one: nothing is delivered twice
  EXPECT_EQ(jobs[0].domain, "two.example");
  EXPECT_EQ(q->read_content(jobs[0].blob_hash).value(), "Subject: t\r\n\r\nbody\r\n");
}

TEST(OutboundQueue, OrphanBlobFromAnUncommittedEnqueueIsCollected) {
  testing::TempDir dir;
  {
    auto q = OutboundQueue::open(dir.path(), test_config()).value();
    store::BlobStore blobs(dir.path() + "/queue");
    ASSERT_TRUE(blobs.write("half-enqueued"));  // blob written, rows never committed
    ASSERT_TRUE(q->enqueue(message({"a@one.example"}), kT0));
    EXPECT_EQ(blob_files(dir.path()), 2u);
  }
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  EXPECT_EQ(blob_files(dir.path()), 1u);
  EXPECT_EQ(q->list()->size(), 1u);
}

TEST(OutboundQueue, AdminRetryAndRemove) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  int64_t id = q->enqueue(message({"a@one.example"}), kT0).value();
  auto jobs = q->claim_due(kT0, 10).value();
  ASSERT_TRUE(q->complete(jobs[0], {{jobs[0].recipients[0].id, Outcome::transient, "451", "4.0.0"}}, kT0));
  EXPECT_TRUE(q->claim_due(kT0 + 1, 10)->empty());
  EXPECT_EQ(q->retry(id, kT0 + 1).value(), 1);
  auto now = q->claim_due(kT0 + 1, 10).value();
  ASSERT_EQ(now.size(), 1u);
  ASSERT_TRUE(q->complete(now[0], {}, kT0 + 1));  // unfinished attempt: back to pending
  EXPECT_EQ(q->show(id).value()->recipients[0].state, RecipientState::pending);
  EXPECT_TRUE(q->remove(id).value());
  EXPECT_FALSE(q->remove(id).value());
  EXPECT_EQ(blob_files(dir.path()), 0u);
}

TEST(OutboundQueue, RefusesBadInputAndClassifiesContent) {
  testing::TempDir dir;
  auto q = OutboundQueue::open(dir.path(), test_config()).value();
  EXPECT_EQ(q->enqueue(message({}), kT0).error().kind, ErrorKind::syntax);
  EXPECT_EQ(q->enqueue(message({"nodomain"}), kT0).error().kind, ErrorKind::syntax);
  NewMessage utf8{"a@example.org", {"b@example.com"}, "Subject: caf\xc3\xa9\r\n\r\nx\r\n", false};
  NewMessage eight{"a@example.org", {"b@example.com"}, "Subject: x\r\n\r\ncaf\xc3\xa9\r\n", false};
  auto a = q->enqueue(utf8, kT0).value();
  auto b = q->enqueue(eight, kT0).value();
  EXPECT_TRUE(q->show(a).value()->smtputf8);
  EXPECT_FALSE(q->show(b).value()->smtputf8);
  EXPECT_TRUE(q->show(b).value()->eight_bit);
}

}  // namespace
}  // namespace postern::queue
