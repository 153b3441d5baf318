// DSN routing: a local sender's bounce lands in its INBOX, a remote sender's
// is queued with the null reverse-path, a null sender gets none.
#include "queue/dsn_dispatch.hpp"

#include <gtest/gtest.h>

#include "../store/test_dir.hpp"
#include "directory/directory.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"

namespace postern::queue {
namespace {

constexpr int64_t kT0 = 1700000000;

class DsnDispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory::set_password_cost_for_tests(true);
    auto s = store::sqlite::SqliteMailStore::open(dir_.path(), {.blob_io_threads = 2});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    auto db = store::sqlite::Db::open(dir_.path() + "/postern.db");
    ASSERT_TRUE(db);
    directory::Directory d(*db);
    ASSERT_TRUE(d.add_domain("example.org"));
    auto id = d.add_user("alice@example.org", "pw");
    ASSERT_TRUE(id);
    alice_ = *id;
    auto q = OutboundQueue::open(dir_.path(), QueueConfig{});
    ASSERT_TRUE(q);
    queue_ = std::move(*q);
  }

  // Queues a message from `from` and fails its only recipient permanently.
  void bounce(const std::string& from, bool is_dsn = false) {
    NewMessage m{from, {"bob@remote.example"}, "From: x\r\nSubject: original\r\n\r\nbody\r\n", is_dsn};
    ASSERT_TRUE(queue_->enqueue(m, kT0));
    auto jobs = queue_->claim_due(kT0, 10).value();
    ASSERT_EQ(jobs.size(), 1u);
    ASSERT_TRUE(queue_->complete(jobs[0], {{jobs[0].recipients[0].id, Outcome::permanent,
                                            "550 5.1.1 no such user", "5.1.1"}}, kT0 + 5));
  }

  testing::TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteMailStore> store_;
  std::unique_ptr<OutboundQueue> queue_;
  int64_t alice_ = 0;
};

TEST_F(DsnDispatchTest, LocalSenderGetsTheReportInItsInbox) {
  bounce("alice@example.org");
  DsnDispatcher d(*queue_, *store_, dir_.path() + "/postern.db", "mail.example.org");
  EXPECT_EQ(d.dispatch(kT0 + 10).value().sent, 1);
  auto msgs = store_->list_messages(alice_, "INBOX").value();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].return_path, "");
  EXPECT_EQ(msgs[0].summary.subject, "Undelivered Mail Returned to Sender");
  auto content = store_->read_message(alice_, "INBOX", msgs[0].uid).value();
  EXPECT_NE(content.find("report-type=delivery-status"), std::string::npos);
  EXPECT_NE(content.find("Final-Recipient: rfc822; bob@remote.example"), std::string::npos);
  EXPECT_NE(content.find("Diagnostic-Code: smtp; 550 5.1.1 no such user"), std::string::npos);
  EXPECT_NE(content.find("Subject: original"), std::string::npos);
  // Handed on once: the queue is empty, a second pass sends nothing.
  EXPECT_TRUE(queue_->list()->empty());
  EXPECT_EQ(d.dispatch(kT0 + 20).value().sent, 0);
  EXPECT_EQ(store_->list_messages(alice_, "INBOX")->size(), 1u);
}

TEST_F(DsnDispatchTest, RemoteSenderGetsItQueuedWithNullSender) {
  bounce("carol@elsewhere.example");
  DsnDispatcher d(*queue_, *store_, dir_.path() + "/postern.db", "mail.example.org");
  EXPECT_EQ(d.dispatch(kT0 + 10).value().sent, 1);
  auto q = queue_->list().value();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].sender, "");
  EXPECT_TRUE(q[0].is_dsn);
  ASSERT_EQ(q[0].recipients.size(), 1u);
  EXPECT_EQ(q[0].recipients[0].address, "carol@elsewhere.example");
  // If that DSN bounces too, nobody is told (RFC 5321 §6.1).
  auto jobs = queue_->claim_due(kT0 + 10, 10).value();
  ASSERT_TRUE(queue_->complete(jobs[0], {{jobs[0].recipients[0].id, Outcome::permanent, "550 no", "5.0.0"}}, kT0 + 11));
  EXPECT_EQ(d.dispatch(kT0 + 12).value().sent, 0);
  EXPECT_TRUE(queue_->list()->empty());
}

TEST_F(DsnDispatchTest, NullSenderNeverBounces) {
  bounce("");
  DsnDispatcher d(*queue_, *store_, dir_.path() + "/postern.db", "mail.example.org");
  EXPECT_EQ(d.dispatch(kT0 + 10).value().sent, 0);
  EXPECT_TRUE(queue_->list()->empty());
  EXPECT_TRUE(store_->list_messages(alice_, "INBOX")->empty());
}

}  // namespace
}  // namespace postern::queue
