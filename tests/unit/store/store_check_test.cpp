// check_store (`postern store check`): a store written through the real
// SqliteMailStore is clean; each kind of damage done to it on purpose (a
// deleted or changed blob, a stray file, a duplicated UID, wrong counters,
// a bad thread id, a lost queue blob, a dangling foreign key) is reported
// precisely, and nothing else is.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "store/account_setup.hpp"
#include "store/blob_store.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"
#include "store/sqlite/store_check.hpp"
#include "test_dir.hpp"

namespace postern::store {
namespace {

using sqlite::Db;
using sqlite::SqliteMailStore;

class StoreCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      auto db = open_db();
      ASSERT_TRUE(db.exec("INSERT INTO domains (name, created_at) VALUES ('example.test', 0)").ok());
      ASSERT_TRUE(db.exec("INSERT INTO accounts (domain_id, address, password_hash, created_at) "
                          "VALUES (1, 'alice@example.test', 'x', 0)").ok());
      alice_ = db.last_insert_rowid();
      sqlite::WriteTransaction tx(db);
      ASSERT_TRUE(tx.begin().ok());
      ASSERT_TRUE(create_default_mailboxes(db, alice_).ok());
      ASSERT_TRUE(tx.commit().ok());
    }
    auto s = SqliteMailStore::open(dir_.path(), {.blob_io_threads = 2});
    ASSERT_TRUE(s.ok()) << s.error().message;
    // Three messages; the second is a reply (same thread as the first).
    for (int i = 1; i <= 3; ++i) {
      Delivery d;
      d.content = "Subject: m" + std::to_string(i) + "\r\nMessage-ID: <m" + std::to_string(i) + "@x>\r\n" +
                  (i == 2 ? "In-Reply-To: <m1@x>\r\n" : "") + "\r\nbody " + std::to_string(i) + "\r\n";
      d.internal_date = 1700000000;
      d.summary.message_id = "<m" + std::to_string(i) + "@x>";
      if (i == 2) d.summary.references = {"<m1@x>"};
      d.targets.push_back({alice_, "INBOX", {}});
      std::promise<Result<DeliveryReceipt>> p;
      auto f = p.get_future();
      (*s)->deliver(std::move(d), [&p](Result<DeliveryReceipt> r) { p.set_value(std::move(r)); });
      auto r = f.get();
      ASSERT_TRUE(r.ok()) << r.error().message;
      hashes_.push_back(r->blob_hash);
    }
    s->reset();  // closed: the checks run on a stopped server's directory
  }

  Db open_db() {
    auto db = Db::open(SqliteMailStore::database_path(dir_.path()));
    EXPECT_TRUE(db.ok());
    EXPECT_TRUE(sqlite::migrate(*db).ok());
    return std::move(*db);
  }
  void sql(const std::string& statements) {
    auto db = open_db();
    auto s = db.exec(statements);
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  std::string blob_path(const std::string& hash, const std::string& sub = "") {
    return BlobStore(dir_.path() + sub).path_of(hash);
  }

  // The problems found, asserting the check itself ran.
  std::vector<std::string> problems() {
    auto r = sqlite::check_store(dir_.path());
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (!r.ok()) return {"<check failed>"};
    return r->problems;
  }
  // Exactly one problem, containing every fragment.
  void expect_one(std::initializer_list<std::string> fragments) {
    auto p = problems();
    ASSERT_EQ(p.size(), 1u) << ::testing::PrintToString(p);
    for (const auto& f : fragments) EXPECT_NE(p[0].find(f), std::string::npos) << p[0] << "\nlacks: " << f;
  }

  testing::TempDir dir_;
  int64_t alice_ = 0;
  std::vector<std::string> hashes_;
};

TEST_F(StoreCheckTest, AStoreWrittenByTheServerIsClean) {
  auto r = sqlite::check_store(dir_.path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->clean()) << ::testing::PrintToString(r->problems);
  EXPECT_EQ(r->messages, 3u);
  EXPECT_EQ(r->mailbox_rows, 3u);
  EXPECT_EQ(r->blobs, 3u);
  EXPECT_EQ(r->mailboxes, 6u);
}

TEST_F(StoreCheckTest, NoDatabaseIsAnErrorNotAProblem) {
  testing::TempDir empty;
  auto r = sqlite::check_store(empty.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no database"), std::string::npos);
}

TEST_F(StoreCheckTest, DeletedBlobIsReportedWithItsMailboxAndUid) {
  std::filesystem::remove(blob_path(hashes_[1]));
  expect_one({"alice@example.test/INBOX uid 2", hashes_[1], "missing"});
}

TEST_F(StoreCheckTest, ChangedBlobContentIsReported) {
  std::ofstream(blob_path(hashes_[0]), std::ios::app) << "tampered";
  expect_one({"alice@example.test/INBOX uid 1", hashes_[0], "content changed"});
}

TEST_F(StoreCheckTest, OrphanBlobFileIsReported) {
  auto stray = BlobStore(dir_.path()).write("nobody refers to me");
  ASSERT_TRUE(stray.ok());
  expect_one({"orphan blob file", *stray});
}

TEST_F(StoreCheckTest, DuplicatedUidIsReported) {
  // The primary key forbids a duplicate, so rebuild the table without it as
  // a damaged index would behave, then duplicate UID 3.
  sql("PRAGMA foreign_keys=OFF;"
      "CREATE TABLE mm2 AS SELECT * FROM mailbox_messages; DROP TABLE mailbox_messages;"
      "ALTER TABLE mm2 RENAME TO mailbox_messages;"
      "INSERT INTO mailbox_messages SELECT mailbox_id, uid, message_id, modseq FROM mailbox_messages WHERE uid = 3;");
  auto p = problems();
  std::string all = ::testing::PrintToString(p);
  EXPECT_NE(all.find("alice@example.test/INBOX): uid 3 appears 2 times"), std::string::npos) << all;
  // The same message twice, and the counter one short: all precise.
  EXPECT_NE(all.find("is there more than once (uids 3, 3)"), std::string::npos) << all;
  EXPECT_NE(all.find("message_count 3 but 4 messages present"), std::string::npos) << all;
}

TEST_F(StoreCheckTest, UidAtOrAboveUidnextIsReported) {
  sql("UPDATE mailboxes SET uidnext = 3 WHERE name = 'INBOX'");
  expect_one({"alice@example.test/INBOX) uid 3", "not below the mailbox's uidnext 3"});
}

TEST_F(StoreCheckTest, ModseqAboveHighestModseqIsReported) {
  sql("UPDATE mailbox_messages SET modseq = 99 WHERE uid = 1");
  expect_one({"INBOX) uid 1", "modseq 99 is above the mailbox's highestmodseq"});
}

TEST_F(StoreCheckTest, CountersThatDisagreeWithTheRowsAreReported) {
  sql("UPDATE mailboxes SET total_bytes = total_bytes + 10 WHERE name = 'INBOX'");
  expect_one({"alice@example.test/INBOX", "total_bytes", "(quota usage)"});
  sql("UPDATE mailboxes SET total_bytes = total_bytes - 10, message_count = 7 WHERE name = 'INBOX'");
  expect_one({"alice@example.test/INBOX", "message_count 7 but 3 messages present"});
}

TEST_F(StoreCheckTest, BlobRefcountMismatchIsReported) {
  sql("UPDATE blobs SET refcount = 2 WHERE hash = '" + hashes_[2] + "'");
  expect_one({"blob " + hashes_[2], "refcount 2 but 1 message rows use it"});
}

TEST_F(StoreCheckTest, ThreadIdThatIsNotAnEarlierMessageIsReported) {
  sql("UPDATE messages SET thread_id = 42 WHERE id = 1");
  expect_one({"message 1 (alice@example.test/INBOX uid 1)", "thread id 42 is not an earlier message"});
}

TEST_F(StoreCheckTest, ReplyThreadingIsValid) {
  auto db = open_db();
  auto st = db.prepare("SELECT thread_id FROM messages WHERE id = 2");
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->int64(0), 1);  // the case the thread check must accept
  EXPECT_TRUE(problems().empty());
}

TEST_F(StoreCheckTest, LeakedMessageRowIsReported) {
  sql("DELETE FROM mailbox_messages WHERE uid = 2;"
      "UPDATE mailboxes SET message_count = message_count - 1, total_bytes = total_bytes - "
      "(SELECT size FROM messages WHERE id = 2) WHERE name = 'INBOX'");
  expect_one({"message 2", "in no mailbox"});
}

TEST_F(StoreCheckTest, DanglingForeignKeyIsReported) {
  sql("PRAGMA foreign_keys=OFF; INSERT INTO sendas (address, account_id) VALUES ('pr@example.test', 77)");
  expect_one({"foreign_key_check", "sendas"});
}

TEST_F(StoreCheckTest, QueueBlobsAreCheckedAndOrphansReported) {
  BlobStore queue(dir_.path() + "/queue");
  ASSERT_TRUE(queue.open().ok());
  std::string content = "Subject: out\r\n\r\nhello\r\n";
  auto hash = queue.write(content);
  ASSERT_TRUE(hash.ok());
  sql("INSERT INTO queue_messages (id, blob_hash, sender, size, created_at) VALUES (5, '" + *hash + "', 'a@b', " +
      std::to_string(content.size()) + ", 0);"
      "INSERT INTO queue_recipients (message_id, address, domain, next_attempt) VALUES (5, 'x@remote.test', 'remote.test', 0)");
  EXPECT_TRUE(problems().empty()) << ::testing::PrintToString(problems());
  std::filesystem::remove(queue.path_of(*hash));
  expect_one({"queued message 5", *hash, "missing"});
  auto stray = queue.write("left behind");
  ASSERT_TRUE(stray.ok());
  auto p = problems();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[1].find("orphan queue blob file"), std::string::npos) << p[1];
}

TEST_F(StoreCheckTest, ChecksNextToAnOpenStoreWithoutChangingIt) {
  auto s = SqliteMailStore::open(dir_.path(), {.blob_io_threads = 2});
  ASSERT_TRUE(s.ok());
  auto before = std::filesystem::last_write_time(SqliteMailStore::database_path(dir_.path()));
  EXPECT_TRUE(problems().empty());
  EXPECT_EQ(before, std::filesystem::last_write_time(SqliteMailStore::database_path(dir_.path())));
}

}  // namespace
}  // namespace postern::store
