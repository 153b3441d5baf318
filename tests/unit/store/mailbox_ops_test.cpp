// The IMAP-facing store ops: mailbox create/delete/rename/subscribe, flag
// changes with UNCHANGEDSINCE, expunge with the change log, COPY and MOVE,
// and blobs released when their last message goes.
#include <gtest/gtest.h>

#include <future>

#include "store/account_setup.hpp"
#include "store/blob_store.hpp"
#include "store/flags.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"
#include "test_dir.hpp"

namespace postern::store {
namespace {

using sqlite::Db;
using sqlite::SqliteMailStore;

template <class T>
T wait(std::function<void(Done<T>)> start) {
  std::promise<T> p;
  auto f = p.get_future();
  start([&p](T v) { p.set_value(std::move(v)); });
  return f.get();
}

class MailboxOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::open(SqliteMailStore::database_path(dir_.path()));
    ASSERT_TRUE(sqlite::migrate(*db).ok());
    ASSERT_TRUE(db->exec("INSERT INTO domains (name, created_at) VALUES ('example.test', 0)").ok());
    ASSERT_TRUE(db->exec("INSERT INTO accounts (domain_id, address, password_hash, created_at) VALUES (1, 'a@example.test', 'x', 0)").ok());
    account_ = db->last_insert_rowid();
    ASSERT_TRUE(create_default_mailboxes(*db, account_).ok());
    auto s = SqliteMailStore::open(dir_.path(), {.blob_io_threads = 2});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }

  std::vector<MessageRow> rows_of(int64_t box) {
    auto r = store_->mailbox_rows(account_, box);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? (*r)->rows : std::vector<MessageRow>{};
  }

  int64_t mailbox(const std::string& name) {
    auto boxes = store_->list_mailboxes(account_);
    for (const auto& b : *boxes)
      if (b.name == name) return b.id;
    return 0;
  }

  uint32_t deliver(const std::string& body, const std::string& box = "INBOX", std::vector<std::string> flags = {}) {
    Delivery d;
    d.content = "Subject: s\r\n\r\n" + body + "\r\n";
    d.internal_date = 1;
    d.targets.push_back({account_, box, std::move(flags)});
    auto r = wait<Result<DeliveryReceipt>>([&](auto done) { store_->deliver(std::move(d), done); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r->copies.at(0).uid;
  }

  Result<FlagUpdateResult> flags(int64_t box, std::vector<uint32_t> uids, FlagOp op, std::vector<std::string> f,
                                 std::optional<int64_t> since = std::nullopt) {
    return wait<Result<FlagUpdateResult>>([&](auto done) {
      store_->update_flags(account_, box, FlagUpdate{uids, op, f, since}, done);
    });
  }

  Result<std::vector<uint32_t>> expunge(int64_t box, std::optional<std::vector<uint32_t>> only = std::nullopt) {
    return wait<Result<std::vector<uint32_t>>>([&](auto done) { store_->expunge(account_, box, only, done); });
  }

  Status create(const std::string& name, const std::string& use = "") {
    auto r = wait<Result<int64_t>>([&](auto done) { store_->create_mailbox(account_, name, use, done); });
    if (!r) return r.error();
    return Ok{};
  }

  testing::TempDir dir_;
  int64_t account_ = 0;
  std::unique_ptr<SqliteMailStore> store_;
};

TEST(Flags, CanonicalFormSortsDeduplicatesAndDropsRecent) {
  EXPECT_EQ(canonical_flags({"\\seen", "$Label", "\\Recent", "\\SEEN", "$label", "\\Flagged"}),
            "$Label \\Flagged \\Seen");
  EXPECT_EQ(apply_flags("\\Seen", FlagOp::add, {"\\Deleted"}), "\\Deleted \\Seen");
  EXPECT_EQ(apply_flags("\\Deleted \\Seen", FlagOp::remove, {"\\seen"}), "\\Deleted");
  EXPECT_EQ(apply_flags("\\Deleted \\Seen", FlagOp::replace, {"Work"}), "Work");
  EXPECT_TRUE(has_flag("\\Deleted \\Seen", "\\SEEN"));
  EXPECT_FALSE(has_flag("\\Deleted", "\\Seen"));
}

TEST_F(MailboxOpsTest, CreateMakesSuperiorsAndRefusesDuplicates) {
  ASSERT_TRUE(create("Lists/postern/dev").ok());
  EXPECT_NE(mailbox("Lists"), 0);
  EXPECT_NE(mailbox("Lists/postern"), 0);
  auto dup = create("Lists/postern");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("already exists"), std::string::npos);
  EXPECT_FALSE(create("inbox").ok());  // RFC 9051 §5.1: INBOX is case-insensitive
  EXPECT_FALSE(create("a//b").ok());
  EXPECT_FALSE(create("/a").ok());
  auto special = create("Sent2", "\\Sent");
  ASSERT_FALSE(special.ok());
  EXPECT_NE(special.error().message.find("Sent"), std::string::npos);
}

TEST_F(MailboxOpsTest, UidValidityIsNewForARecreatedName) {
  ASSERT_TRUE(create("Tmp").ok());
  auto uidvalidity = [&] {
    auto boxes = store_->list_mailboxes(account_);
    for (const auto& b : *boxes)
      if (b.name == "Tmp") return b.uidvalidity;
    return 0u;
  };
  uint32_t first = uidvalidity();
  ASSERT_TRUE(wait<Status>([&](auto done) { store_->delete_mailbox(account_, "Tmp", done); }).ok());
  ASSERT_TRUE(create("Tmp").ok());
  EXPECT_GT(uidvalidity(), first);
}

TEST_F(MailboxOpsTest, RenameMovesChildrenAndInboxRenameEmptiesInbox) {
  ASSERT_TRUE(create("Work/2025").ok());
  ASSERT_TRUE(wait<Status>([&](auto done) { store_->rename_mailbox(account_, "Work", "Old/Work", done); }).ok());
  EXPECT_EQ(mailbox("Work"), 0);
  EXPECT_NE(mailbox("Old/Work"), 0);
  EXPECT_NE(mailbox("Old/Work/2025"), 0);
  deliver("one");
  deliver("two");
  // RFC 9051 §6.3.6: renaming INBOX moves its messages and leaves it empty.
  ASSERT_TRUE(wait<Status>([&](auto done) { store_->rename_mailbox(account_, "INBOX", "Saved", done); }).ok());
  EXPECT_EQ(store_->list_messages(account_, "INBOX")->size(), 0u);
  EXPECT_EQ(store_->list_messages(account_, "Saved")->size(), 2u);
  EXPECT_NE(mailbox("INBOX"), 0);
}

TEST_F(MailboxOpsTest, DeleteRefusesInboxAndReleasesMessages) {
  EXPECT_FALSE(wait<Status>([&](auto done) { store_->delete_mailbox(account_, "INBOX", done); }).ok());
  deliver("archived", "Archive");
  auto msgs = store_->list_messages(account_, "Archive");
  std::string hash = msgs->at(0).blob_hash;
  ASSERT_TRUE(wait<Status>([&](auto done) { store_->delete_mailbox(account_, "Archive", done); }).ok());
  EXPECT_EQ(mailbox("Archive"), 0);
  EXPECT_FALSE(BlobStore(dir_.path()).exists(hash));
}

TEST_F(MailboxOpsTest, FlagChangesBumpModseqAndHonourUnchangedSince) {
  int64_t inbox = mailbox("INBOX");
  uint32_t a = deliver("a"), b = deliver("b");
  auto before = rows_of(inbox);
  int64_t base = before.back().modseq;
  auto r = flags(inbox, {a, b}, FlagOp::add, {"\\Seen"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->updated.size(), 2u);
  EXPECT_GT(r->updated[0].modseq, base);
  EXPECT_EQ(r->updated[0].flags, "\\Seen");
  // Setting a flag that is already set changes nothing and bumps nothing.
  auto again = flags(inbox, {a}, FlagOp::add, {"\\seen"});
  EXPECT_TRUE(again->updated.empty());
  // RFC 7162 §3.1.3: UNCHANGEDSINCE older than the row's MODSEQ refuses it.
  auto cond = flags(inbox, {a}, FlagOp::add, {"\\Flagged"}, base);
  ASSERT_TRUE(cond.ok());
  EXPECT_TRUE(cond->updated.empty());
  EXPECT_EQ(cond->modified, std::vector<uint32_t>{a});
  auto changes = store_->changes_since(account_, inbox, base);
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->changed.size(), 2u);
  EXPECT_EQ(changes->highest_modseq, r->updated[0].modseq);
}

TEST_F(MailboxOpsTest, ExpungeRemovesDeletedLogsVanishedAndReleasesBlobs) {
  int64_t inbox = mailbox("INBOX");
  uint32_t keep = deliver("keep"), drop1 = deliver("drop1"), drop2 = deliver("drop2");
  std::string drop_hash = store_->list_messages(account_, "INBOX")->at(1).blob_hash;
  int64_t base = rows_of(inbox).back().modseq;
  ASSERT_TRUE(flags(inbox, {drop1, drop2}, FlagOp::add, {"\\Deleted"}).ok());
  // UID EXPUNGE: only the listed \Deleted messages go.
  auto only = expunge(inbox, std::vector<uint32_t>{drop2, keep});
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(*only, std::vector<uint32_t>{drop2});
  auto all = expunge(inbox);
  EXPECT_EQ(*all, std::vector<uint32_t>{drop1});
  auto rows = rows_of(inbox);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.at(0).uid, keep);
  auto changes = store_->changes_since(account_, inbox, base);
  EXPECT_EQ(changes->expunged, (std::vector<uint32_t>{drop1, drop2}));
  EXPECT_FALSE(BlobStore(dir_.path()).exists(drop_hash));
  auto boxes = store_->list_mailboxes(account_);
  EXPECT_EQ(boxes->at(0).messages, 1u);
}

TEST_F(MailboxOpsTest, CopyMakesIndependentMessagesAndMoveKeepsTheMessage) {
  int64_t inbox = mailbox("INBOX"), archive = mailbox("Archive"), trash = mailbox("Trash");
  uint32_t a = deliver("a", "INBOX", {"\\Seen"});
  uint32_t b = deliver("b");
  auto copied = wait<Result<CopyResult>>([&](auto done) { store_->copy_messages(account_, inbox, {a, b, 999}, archive, false, done); });
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  ASSERT_EQ(copied->uids.size(), 2u);
  EXPECT_EQ(copied->uids[0], std::make_pair(a, 1u));
  auto archived = rows_of(archive);
  EXPECT_EQ(archived.at(0).flags, "\\Seen");
  // The copy has its own flags from now on.
  ASSERT_TRUE(flags(archive, {1}, FlagOp::add, {"\\Flagged"}).ok());
  EXPECT_EQ(rows_of(inbox).at(0).flags, "\\Seen");
  auto moved = wait<Result<CopyResult>>([&](auto done) { store_->copy_messages(account_, inbox, {b}, trash, true, done); });
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(rows_of(inbox).size(), 1u);
  auto in_trash = rows_of(trash);
  ASSERT_EQ(in_trash.size(), 1u);
  auto to_missing = wait<Result<CopyResult>>([&](auto done) { store_->copy_messages(account_, inbox, {a}, 987654, false, done); });
  ASSERT_FALSE(to_missing.ok());
  EXPECT_NE(to_missing.error().message.find("TRYCREATE"), std::string::npos);
}

TEST_F(MailboxOpsTest, ChangesArePublished) {
  std::promise<int64_t> seen;
  auto sub = store_->changes().subscribe(account_, [&](int64_t, int64_t m) {
    static bool once = false;
    if (!once) {
      once = true;
      seen.set_value(m);
    }
  });
  ASSERT_TRUE(create("Notified").ok());
  EXPECT_GT(seen.get_future().get(), 0);
}

}  // namespace
}  // namespace postern::store
