// SqliteMailStore: durable delivery, UID/MODSEQ assignment, group commit
// under concurrency, change notifications, crash leftovers collected.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "store/account_setup.hpp"
#include "store/blob_store.hpp"
#include "store/change_notifier.hpp"
#include "store/sqlite/mail_read.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"
#include "test_dir.hpp"

namespace postern::store {
namespace {

using sqlite::Db;
using sqlite::SqliteMailStore;

// Creates a domain and an account with default mailboxes directly in SQL,
// as the directory would.
int64_t make_account(const std::string& data_dir, const std::string& address) {
  auto db = Db::open(SqliteMailStore::database_path(data_dir));
  EXPECT_TRUE(db.ok());
  EXPECT_TRUE(sqlite::migrate(*db).ok());
  EXPECT_TRUE(db->exec("INSERT OR IGNORE INTO domains (name, created_at) VALUES ('example.test', 0)").ok());
  auto st = db->prepare("INSERT INTO accounts (domain_id, address, password_hash, created_at) "
                        "VALUES ((SELECT id FROM domains WHERE name = 'example.test'), ?, 'x', 0)");
  st->bind(1, address);
  EXPECT_TRUE(st->run().ok());
  int64_t id = db->last_insert_rowid();
  sqlite::WriteTransaction tx(*db);
  EXPECT_TRUE(tx.begin().ok());
  EXPECT_TRUE(create_default_mailboxes(*db, id).ok());
  EXPECT_TRUE(tx.commit().ok());
  return id;
}

Result<DeliveryReceipt> deliver_sync(MailStore& store, Delivery d) {
  std::promise<Result<DeliveryReceipt>> p;
  auto f = p.get_future();
  store.deliver(std::move(d), [&p](Result<DeliveryReceipt> r) { p.set_value(std::move(r)); });
  return f.get();
}

Delivery message_for(std::vector<int64_t> accounts, std::string body) {
  Delivery d;
  d.content = "Subject: test\r\n\r\n" + body + "\r\n";
  d.internal_date = 1700000000;
  d.return_path = "sender@example.org";
  d.summary.subject = "test";
  for (auto a : accounts) d.targets.push_back({a, "INBOX", {}});
  return d;
}

class MailStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The schema must exist before accounts are made, as in production
    // where the CLI creates it.
    alice_ = make_account(dir_.path(), "alice@example.test");
    bob_ = make_account(dir_.path(), "bob@example.test");
    auto s = SqliteMailStore::open(dir_.path(), {.blob_io_threads = 4});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  testing::TempDir dir_;
  int64_t alice_ = 0, bob_ = 0;
  std::unique_ptr<SqliteMailStore> store_;
};

TEST_F(MailStoreTest, NewAccountHasDefaultMailboxesWithSpecialUse) {
  auto boxes = store_->list_mailboxes(alice_);
  ASSERT_TRUE(boxes.ok());
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& b : *boxes) got.emplace_back(b.name, b.special_use);
  std::vector<std::pair<std::string, std::string>> want = {
      {"INBOX", "\\Inbox"}, {"Sent", "\\Sent"},   {"Drafts", "\\Drafts"},
      {"Junk", "\\Junk"},   {"Trash", "\\Trash"}, {"Archive", "\\Archive"}};
  EXPECT_EQ(got, want);
  for (const auto& b : *boxes) {
    EXPECT_EQ(b.uidnext, 1u);
    EXPECT_GT(b.uidvalidity, 0u);
  }
}

TEST_F(MailStoreTest, DeliveryIsReadableAndAssignsIncreasingUidsAndModseqs) {
  auto r1 = deliver_sync(*store_, message_for({alice_}, "one"));
  auto r2 = deliver_sync(*store_, message_for({alice_}, "two"));
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r1->copies.at(0).uid, 1u);
  EXPECT_EQ(r2->copies.at(0).uid, 2u);
  EXPECT_LT(r1->copies[0].modseq, r2->copies[0].modseq);
  auto content = store_->read_message(alice_, "INBOX", 2);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "Subject: test\r\n\r\ntwo\r\n");
  auto msgs = store_->list_messages(alice_, "INBOX");
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[0].return_path, "sender@example.org");
  EXPECT_EQ((*msgs)[0].summary.subject, "test");
  auto boxes = store_->list_mailboxes(alice_);
  EXPECT_EQ((*boxes)[0].messages, 2u);
  EXPECT_EQ((*boxes)[0].uidnext, 3u);
  EXPECT_EQ((*boxes)[0].highest_modseq, r2->copies[0].modseq);
}

TEST_F(MailStoreTest, OneBlobForSeveralRecipientsIsReferenceCounted) {
  auto r = deliver_sync(*store_, message_for({alice_, bob_}, "shared"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->copies.size(), 2u);
  auto db = Db::open(SqliteMailStore::database_path(dir_.path()));
  auto st = db->prepare("SELECT refcount FROM blobs WHERE hash = ?");
  st->bind(1, r->blob_hash);
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->int64(0), 2);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/blobs/" + r->blob_hash.substr(0, 2) + "/" + r->blob_hash));
  EXPECT_EQ(r->blob_hash, BlobStore::hash_of("Subject: test\r\n\r\nshared\r\n"));
}

TEST_F(MailStoreTest, SameAccountInTwoMailboxesSharesOneMessage) {
  Delivery d = message_for({alice_}, "filed twice");
  d.targets.push_back({alice_, "Archive", {"\\Seen"}});
  auto r = deliver_sync(*store_, std::move(d));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->copies.size(), 2u);
  EXPECT_EQ(r->copies[0].message_id, r->copies[1].message_id);
  EXPECT_NE(r->copies[0].mailbox_id, r->copies[1].mailbox_id);
  auto archived = store_->list_messages(alice_, "Archive");
  ASSERT_EQ(archived->size(), 1u);
  EXPECT_EQ((*archived)[0].flags, "\\Seen");
}

TEST_F(MailStoreTest, UnknownMailboxFailsOnlyThatDelivery) {
  Delivery bad = message_for({alice_}, "bad");
  bad.targets[0].mailbox = "Nope";
  std::promise<Result<DeliveryReceipt>> pb, pg;
  store_->deliver(std::move(bad), [&](Result<DeliveryReceipt> r) { pb.set_value(std::move(r)); });
  store_->deliver(message_for({bob_}, "good"), [&](Result<DeliveryReceipt> r) { pg.set_value(std::move(r)); });
  auto rb = pb.get_future().get();
  auto rg = pg.get_future().get();
  EXPECT_FALSE(rb.ok());
  EXPECT_EQ(rb.error().kind, ErrorKind::user);
  EXPECT_TRUE(rg.ok());
  EXPECT_EQ(store_->list_messages(alice_, "INBOX")->size(), 0u);
  EXPECT_EQ(store_->list_messages(bob_, "INBOX")->size(), 1u);
}

TEST_F(MailStoreTest, UnknownAccountIsAUserError) {
  auto r = deliver_sync(*store_, message_for({999999}, "nobody"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::user);
}

TEST_F(MailStoreTest, ConcurrentDeliveriesAreGroupCommittedWithUniqueUids) {
  constexpr int kThreads = 16, kPerThread = 25;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<uint32_t> uids;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = deliver_sync(*store_, message_for({alice_}, "t" + std::to_string(t) + "m" + std::to_string(i)));
        if (!r) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        uids.push_back(r->copies[0].uid);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<uint32_t> unique(uids.begin(), uids.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*unique.begin(), 1u);
  EXPECT_EQ(*unique.rbegin(), static_cast<uint32_t>(kThreads * kPerThread));
  auto stats = store_->commit_stats();
  EXPECT_EQ(stats.ops, static_cast<uint64_t>(kThreads * kPerThread));
  // Group commit: concurrent deliveries shared transactions.
  EXPECT_LT(stats.transactions, stats.ops);
  // MODSEQ strictly increases with UID in one mailbox.
  auto msgs = store_->list_messages(alice_, "INBOX");
  for (size_t i = 1; i < msgs->size(); ++i) EXPECT_LT((*msgs)[i - 1].modseq, (*msgs)[i].modseq);
}

TEST_F(MailStoreTest, ChangeNotificationFollowsCommit) {
  std::mutex mu;
  std::condition_variable cv;
  int64_t seen = 0;
  auto sub = store_->changes().subscribe(alice_, [&](int64_t account, int64_t modseq) {
    EXPECT_EQ(account, alice_);
    std::lock_guard lock(mu);
    seen = modseq;
    cv.notify_all();
  });
  auto r = deliver_sync(*store_, message_for({alice_}, "notify"));
  ASSERT_TRUE(r.ok());
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return seen != 0; }));
  EXPECT_EQ(seen, r->copies[0].modseq);
}

TEST_F(MailStoreTest, MovedSubscriptionStaysSubscribed) {
  // The committer acknowledges a delivery before it publishes the change, so
  // wait for the publish: `sentinel` counts every publish for alice, and the
  // committer publishes one commit after the other on its own thread.
  std::atomic<int> calls{0}, sentinel{0};
  auto wait_for_publishes = [&](int n) {
    for (int i = 0; i < 500 && sentinel.load() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return sentinel.load() >= n;
  };
  auto counting = store_->changes().subscribe(alice_, [&](int64_t, int64_t) { ++sentinel; });
  ChangeNotifier::Subscription kept;
  kept = store_->changes().subscribe(alice_, [&](int64_t, int64_t) { ++calls; });
  ChangeNotifier::Subscription moved(std::move(kept));
  ASSERT_TRUE(deliver_sync(*store_, message_for({alice_}, "still heard")).ok());
  ASSERT_TRUE(wait_for_publishes(1));
  for (int i = 0; i < 500 && calls.load() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(calls.load(), 1);
  moved.reset();
  ASSERT_TRUE(deliver_sync(*store_, message_for({alice_}, "not heard")).ok());
  // A third publish starts only after the second one has called everyone.
  ASSERT_TRUE(deliver_sync(*store_, message_for({alice_}, "fence")).ok());
  ASSERT_TRUE(wait_for_publishes(3));
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(MailStoreTest, UnsubscribedCallbackIsNotCalled) {
  std::atomic<int> calls{0};
  {
    auto sub = store_->changes().subscribe(bob_, [&](int64_t, int64_t) { ++calls; });
  }
  ASSERT_TRUE(deliver_sync(*store_, message_for({bob_}, "quiet")).ok());
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(MailStoreTest, ReopenCollectsOrphanBlobsAndTmpFilesButKeepsStoredMail) {
  ASSERT_TRUE(deliver_sync(*store_, message_for({alice_}, "kept")).ok());
  store_.reset();
  // Simulate a crash after a blob was renamed into place but before its
  // metadata committed, and a crash during a blob write.
  BlobStore blobs(dir_.path());
  auto orphan = blobs.write("orphan content");
  ASSERT_TRUE(orphan.ok());
  std::ofstream(dir_.path() + "/tmp/partial.1.1") << "half a mess";
  auto s = SqliteMailStore::open(dir_.path());
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(blobs.exists(*orphan));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/tmp"));
  auto msgs = (*s)->list_messages(alice_, "INBOX");
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_TRUE((*s)->read_message(alice_, "INBOX", 1).ok());
}

TEST_F(MailStoreTest, ReleasedAccountMailIsCollected) {
  auto r = deliver_sync(*store_, message_for({bob_}, "bye"));
  ASSERT_TRUE(r.ok());
  store_.reset();
  {
    auto db = Db::open(SqliteMailStore::database_path(dir_.path()));
    sqlite::WriteTransaction tx(*db);
    ASSERT_TRUE(tx.begin().ok());
    ASSERT_TRUE(release_account_mail(*db, bob_).ok());
    ASSERT_TRUE(db->exec("DELETE FROM accounts WHERE address = 'bob@example.test'").ok());
    ASSERT_TRUE(tx.commit().ok());
  }
  auto s = SqliteMailStore::open(dir_.path());
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(BlobStore(dir_.path()).exists(r->blob_hash));
}

TEST_F(MailStoreTest, DrainCommitsEverythingQueued) {
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i)
    store_->deliver(message_for({alice_}, "drain" + std::to_string(i)), [&](Result<DeliveryReceipt> r) {
      EXPECT_TRUE(r.ok());
      ++done;
    });
  store_->drain();
  EXPECT_EQ(done.load(), 50);
  auto db = Db::open(SqliteMailStore::database_path(dir_.path()));
  EXPECT_EQ(sqlite::list_messages(*db, alice_, "INBOX")->size(), 50u);
}

TEST(SchemaTest, MigrationIsIdempotentAndVersioned) {
  testing::TempDir dir;
  auto db = Db::open(dir.path() + "/x.db");
  ASSERT_TRUE(sqlite::migrate(*db).ok());
  ASSERT_TRUE(sqlite::migrate(*db).ok());
  auto st = db->prepare("SELECT MAX(version), COUNT(*) FROM schema_version");
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->int64(0), sqlite::latest_schema_version());
  EXPECT_EQ(st->int64(1), sqlite::latest_schema_version());
}

TEST(SchemaTest, RefusesNewerDatabase) {
  testing::TempDir dir;
  auto db = Db::open(dir.path() + "/x.db");
  ASSERT_TRUE(sqlite::migrate(*db).ok());
  ASSERT_TRUE(db->exec("INSERT INTO schema_version VALUES (999)").ok());
  auto s = sqlite::migrate(*db);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("newer"), std::string::npos);
}

}  // namespace
}  // namespace postern::store
