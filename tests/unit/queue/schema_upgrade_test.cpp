// A queue written by a version before migration 9 (the hot-path indexes)
// keeps working after the upgrade: its messages are claimed and delivered,
// its owed DSNs and delay warnings are found, and the new indexes exist.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "../store/test_dir.hpp"
#include "queue/outbound_queue.hpp"
#include "store/blob_store.hpp"
#include "store/sqlite/db.hpp"
#include "store/sqlite/schema.hpp"

namespace postern::queue {
namespace {

constexpr int64_t kT0 = 1700000000;
constexpr int kBeforeHotPathIndexes = 8;

std::set<std::string> queue_indexes(store::sqlite::Db& db) {
  std::set<std::string> out;
  auto st = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'queue_%'");
  EXPECT_TRUE(st);
  EXPECT_TRUE(st->each_row([&](store::sqlite::Statement& row) { out.insert(row.text(0)); }));
  return out;
}

TEST(QueueSchemaUpgrade, AnOlderQueueIsMigratedAndKeepsWorking) {
  testing::TempDir dir;
  std::string blob;
  {
    // The database as the previous release left it, with rows written the
    // way it wrote them (plain SQL: that release's code is gone).
    auto db = store::sqlite::Db::open(dir.path() + "/postern.db").value();
    ASSERT_TRUE(store::sqlite::migrate(db, kBeforeHotPathIndexes));
    EXPECT_EQ(queue_indexes(db).count("queue_recipients_owed"), 0u);
    store::BlobStore blobs(dir.path() + "/queue");
    ASSERT_TRUE(blobs.open());
    blob = blobs.write("Subject: old\r\n\r\nqueued before the upgrade\r\n").value();
    ASSERT_TRUE(db.exec(
        "INSERT INTO queue_messages (id, blob_hash, sender, size, created_at) VALUES "
        "(1, '" + blob + "', 'alice@example.org', 45, " + std::to_string(kT0) + "), "
        "(2, '" + blob + "', 'alice@example.org', 45, " + std::to_string(kT0) + "), "
        "(3, '" + blob + "', 'bob@example.org', 45, " + std::to_string(kT0) + ");"
        // 1: waiting for its first attempt; 2: one recipient failed (DSN owed),
        // one delivered; 3: deferred once, old enough for a delay warning.
        "INSERT INTO queue_recipients (message_id, address, domain, state, attempts, next_attempt) VALUES "
        "(1, 'x@one.example', 'one.example', 'pending', 0, " + std::to_string(kT0) + "), "
        "(2, 'y@two.example', 'two.example', 'failed', 1, " + std::to_string(kT0) + "), "
        "(2, 'z@two.example', 'two.example', 'delivered', 1, " + std::to_string(kT0) + "), "
        "(3, 'w@three.example', 'three.example', 'pending', 1, " + std::to_string(kT0 + 300) + ");"));
  }
  QueueConfig config;
  config.delay_warning_seconds = 600;
  auto q = OutboundQueue::open(dir.path(), config);
  ASSERT_TRUE(q) << q.error().message;
  {
    auto db = store::sqlite::Db::open(dir.path() + "/postern.db").value();
    auto idx = queue_indexes(db);
    for (const char* name : {"queue_recipients_owed", "queue_messages_unwarned", "queue_messages_by_age",
                             "queue_recipients_due", "queue_recipients_by_message", "queue_messages_by_blob"})
      EXPECT_EQ(idx.count(name), 1u) << name;
    auto v = db.prepare("SELECT MAX(version) FROM schema_version").value();
    ASSERT_TRUE(v.step().value());
    EXPECT_EQ(v.int64(0), store::sqlite::latest_schema_version());
  }
  // The owed DSN and the delay warning, from the old rows.
  auto notices = (*q)->pending_notices(kT0 + 600).value();
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].message_id, 2);
  ASSERT_EQ(notices[0].failed.size(), 1u);
  EXPECT_EQ(notices[0].failed[0].address, "y@two.example");
  EXPECT_EQ(notices[1].message_id, 3);
  ASSERT_EQ(notices[1].delayed.size(), 1u);
  // The waiting messages are claimed (through the rebuilt due index) and finish.
  auto jobs = (*q)->claim_due(kT0 + 600, 10).value();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].message_id, 1);
  EXPECT_EQ((*q)->read_content(jobs[0].blob_hash).value(), "Subject: old\r\n\r\nqueued before the upgrade\r\n");
  for (const auto& j : jobs)
    ASSERT_TRUE((*q)->complete(j, {{j.recipients[0].id, Outcome::delivered, "250 ok", "2.0.0"}}, kT0 + 601));
  for (const auto& n : notices) ASSERT_TRUE((*q)->notice_sent(n));
  EXPECT_TRUE((*q)->list()->empty());
}

}  // namespace
}  // namespace postern::queue
