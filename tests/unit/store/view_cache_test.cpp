// The mailbox view cache and the reading-connection pool: after any mix of
// deliveries, flag changes, expunges, copies and moves, a cached view is
// exactly what a fresh read of the database gives; small mailboxes are not
// kept; the row budget evicts the least recently used; a reused mailbox id
// never serves an old view; readers run side by side up to the cap.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <random>
#include <thread>

#include "store/account_setup.hpp"
#include "store/sqlite/mail_read.hpp"
#include "store/sqlite/read_pool.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"
#include "test_dir.hpp"

namespace postern::store {
namespace {

using sqlite::Db;
using sqlite::SqliteMailStore;

template <class T>
T wait_for(std::function<void(Done<T>)> start) {
  std::promise<T> p;
  auto f = p.get_future();
  start([&p](T v) { p.set_value(std::move(v)); });
  return f.get();
}

bool same_rows(const std::vector<MessageRow>& a, const std::vector<MessageRow>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].uid != b[i].uid || a[i].message_id != b[i].message_id || a[i].modseq != b[i].modseq ||
        a[i].flags != b[i].flags)
      return false;
  return true;
}

class ViewCacheTest : public ::testing::Test {
 protected:
  void open(size_t min_rows, size_t max_rows) {
    auto db = Db::open(SqliteMailStore::database_path(dir_.path()));
    ASSERT_TRUE(sqlite::migrate(*db).ok());
    ASSERT_TRUE(db->exec("INSERT INTO domains (name, created_at) VALUES ('example.test', 0)").ok());
    ASSERT_TRUE(db->exec("INSERT INTO accounts (domain_id, address, password_hash, created_at) "
                         "VALUES (1, 'a@example.test', 'x', 0)")
                    .ok());
    account_ = db->last_insert_rowid();
    ASSERT_TRUE(create_default_mailboxes(*db, account_).ok());
    auto s = SqliteMailStore::open(dir_.path(), {.blob_io_threads = 2,
                                                 .read_connections = 2,
                                                 .view_cache_min_rows = min_rows,
                                                 .view_cache_max_rows = max_rows});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    auto check = Db::open(SqliteMailStore::database_path(dir_.path()));
    ASSERT_TRUE(check.ok());
    check_db_ = std::move(*check);
  }

  int64_t mailbox(const std::string& name) {
    auto boxes = store_->list_mailboxes(account_);
    EXPECT_TRUE(boxes.ok());
    if (boxes.ok())
      for (const auto& b : *boxes)
        if (b.name == name) return b.id;
    return 0;
  }

  void deliver(int n, const std::string& box = "INBOX") {
    std::vector<Delivery> all;
    for (int i = 0; i < n; ++i) {
      Delivery d;
      d.content = "Subject: s\r\n\r\nbody " + std::to_string(next_++) + "\r\n";
      d.internal_date = 1;
      d.targets.push_back({account_, box, {}});
      all.push_back(std::move(d));
    }
    auto r = wait_for<Result<std::vector<DeliveryReceipt>>>(
        [&](auto done) { store_->deliver_all(std::move(all), done); });
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  // The view through the cache must equal an uncached read.
  void expect_fresh(int64_t box) {
    auto cached = store_->mailbox_rows(account_, box);
    ASSERT_TRUE(cached.ok()) << cached.error().message;
    auto fresh = sqlite::mailbox_rows(check_db_, account_, box);
    ASSERT_TRUE(fresh.ok());
    // Never below a row's MODSEQ (SELECT's HIGHESTMODSEQ), never above the mailbox's.
    int64_t top = 0;
    for (const auto& r : *fresh) top = std::max(top, r.modseq);
    EXPECT_GE((*cached)->highest_row_modseq, top);
    auto state = sqlite::mailbox_state(check_db_, account_, box);
    ASSERT_TRUE(state.ok());
    EXPECT_LE((*cached)->highest_row_modseq, state->highest_modseq);
    ASSERT_TRUE(same_rows((*cached)->rows, *fresh)) << "cached " << (*cached)->rows.size() << " rows, fresh " << fresh->size();
  }

  testing::TempDir dir_;
  int64_t account_ = 0;
  int next_ = 0;
  std::unique_ptr<SqliteMailStore> store_;
  Db check_db_;
};

TEST_F(ViewCacheTest, CachedViewFollowsEveryKindOfChange) {
  open(5, 100000);
  int64_t inbox = mailbox("INBOX"), archive = mailbox("Archive");
  ASSERT_NE(archive, 0);
  deliver(40);
  expect_fresh(inbox);  // loaded
  std::mt19937 rng(7);
  for (int step = 0; step < 150; ++step) {
    auto rows = (*store_->mailbox_rows(account_, inbox))->rows;
    std::vector<uint32_t> some;
    for (const auto& r : rows)
      if (rng() % 4 == 0) some.push_back(r.uid);
    switch (rng() % 6) {
      case 0: deliver(1 + static_cast<int>(rng() % 3)); break;
      case 1:
      case 2: {
        auto op = std::array{FlagOp::add, FlagOp::remove, FlagOp::replace}[rng() % 3];
        auto f = std::array{"\\Seen", "\\Flagged", "$label"}[rng() % 3];
        auto r = wait_for<Result<FlagUpdateResult>>(
            [&](auto done) { store_->update_flags(account_, inbox, FlagUpdate{some, op, {f}, {}}, done); });
        ASSERT_TRUE(r.ok());
        break;
      }
      case 3: {
        if (some.size() > 3) some.resize(3);
        auto r = wait_for<Result<std::vector<uint32_t>>>(
            [&](auto done) { store_->expunge(account_, inbox, some, done); });
        ASSERT_TRUE(r.ok());
        break;
      }
      case 4: {  // MOVE out, or COPY back in from the archive
        bool move = rng() % 2;
        int64_t from = move ? inbox : archive, to = move ? archive : inbox;
        auto src = (*store_->mailbox_rows(account_, from))->rows;
        std::vector<uint32_t> uids;
        for (size_t i = 0; i < src.size() && uids.size() < 2; i += 3) uids.push_back(src[i].uid);
        auto r = wait_for<Result<CopyResult>>(
            [&](auto done) { store_->copy_messages(account_, from, uids, to, move, done); });
        ASSERT_TRUE(r.ok());
        break;
      }
      default: break;  // nothing changed: served as cached
    }
    expect_fresh(inbox);
    expect_fresh(archive);
  }
  auto st = store_->view_cache_stats();
  EXPECT_GT(st.hits, 10u);
  EXPECT_GT(st.updates, 50u);
  EXPECT_GE(st.loads, 1u);
}

TEST_F(ViewCacheTest, SmallMailboxesAreReadNotKept) {
  open(10, 100000);
  int64_t inbox = mailbox("INBOX");
  deliver(9);
  expect_fresh(inbox);
  expect_fresh(inbox);
  auto st = store_->view_cache_stats();
  EXPECT_EQ(st.direct, 2u);
  EXPECT_EQ(st.rows, 0u);
  deliver(1);
  expect_fresh(inbox);
  EXPECT_EQ(store_->view_cache_stats().rows, 10u);
}

TEST_F(ViewCacheTest, RowBudgetEvictsLeastRecentlyUsed) {
  open(5, 25);
  int64_t inbox = mailbox("INBOX"), archive = mailbox("Archive"), sent = mailbox("Sent");
  deliver(10, "INBOX");
  deliver(10, "Archive");
  deliver(10, "Sent");
  expect_fresh(inbox);
  expect_fresh(archive);
  EXPECT_EQ(store_->view_cache_stats().rows, 20u);
  expect_fresh(sent);  // 30 > 25: the INBOX, least recently used, goes
  EXPECT_EQ(store_->view_cache_stats().rows, 20u);
  auto before = store_->view_cache_stats();
  expect_fresh(archive);  // still kept
  expect_fresh(inbox);    // read whole again
  auto after = store_->view_cache_stats();
  EXPECT_EQ(after.hits, before.hits + 1);
  EXPECT_EQ(after.loads, before.loads + 1);
}

TEST_F(ViewCacheTest, RecreatedMailboxWithTheSameIdIsNotServedTheOldView) {
  open(3, 100000);
  ASSERT_TRUE(wait_for<Result<int64_t>>([&](auto done) { store_->create_mailbox(account_, "Zed", "", done); }).ok());
  int64_t zed = mailbox("Zed");
  deliver(5, "Zed");
  expect_fresh(zed);
  ASSERT_TRUE(wait_for<Status>([&](auto done) { store_->delete_mailbox(account_, "Zed", done); }).ok());
  ASSERT_TRUE(wait_for<Result<int64_t>>([&](auto done) { store_->create_mailbox(account_, "Zed", "", done); }).ok());
  int64_t again = mailbox("Zed");
  deliver(4, "Zed");
  expect_fresh(again);
  EXPECT_EQ((*store_->mailbox_rows(account_, again))->rows.size(), 4u) << "old id " << zed << ", new id " << again;
}

TEST_F(ViewCacheTest, OtherAccountsCannotReadAMailboxThroughTheCache) {
  open(3, 100000);
  int64_t inbox = mailbox("INBOX");
  deliver(5);
  expect_fresh(inbox);
  auto stranger = store_->mailbox_rows(account_ + 1000, inbox);
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().kind, ErrorKind::user);
}

TEST_F(ViewCacheTest, SessionsShareOneSnapshotAndKeepItWhileTheMailboxChanges) {
  open(3, 100000);
  int64_t inbox = mailbox("INBOX");
  deliver(10);
  auto first = *store_->mailbox_rows(account_, inbox);
  auto second = *store_->mailbox_rows(account_, inbox);
  EXPECT_EQ(first.get(), second.get()) << "an unchanged mailbox is one shared snapshot";
  auto held = first->rows;
  uint32_t uid = held.at(3).uid;
  auto r = wait_for<Result<FlagUpdateResult>>([&](auto done) {
    store_->update_flags(account_, inbox, FlagUpdate{{uid}, FlagOp::add, {"\\Flagged"}, {}}, done);
  });
  ASSERT_TRUE(r.ok());
  auto after = *store_->mailbox_rows(account_, inbox);
  EXPECT_NE(after.get(), first.get()) << "a snapshot a session holds is never changed under it";
  EXPECT_TRUE(same_rows(first->rows, held));
  EXPECT_EQ(after->rows.at(3).flags, "\\Flagged");
  EXPECT_EQ(after->highest_row_modseq, after->rows.at(3).modseq);
  EXPECT_GT(after->highest_row_modseq, first->highest_row_modseq);
  expect_fresh(inbox);
}

TEST(ReadPool, ReadersRunSideBySideUpToTheCap) {
  testing::TempDir dir;
  auto path = dir.path() + "/t.db";
  {
    auto db = Db::open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER)").ok());
  }
  sqlite::ReadPool pool(path, 2, 0);
  auto a = pool.acquire();
  auto b = pool.acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(pool.open_connections(), 2u);
  std::atomic<bool> got{false};
  std::thread third([&] {
    auto c = pool.acquire();
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->db().exec("SELECT COUNT(*) FROM t").ok());
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(got) << "a third reader must wait for a free connection";
  { auto done = std::move(*a); }  // released
  third.join();
  EXPECT_TRUE(got);
  EXPECT_EQ(pool.open_connections(), 2u);
}

}  // namespace
}  // namespace postern::store
