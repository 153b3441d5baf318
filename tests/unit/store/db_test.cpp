// The connection wrapper's statement reuse: a statement comes back for the
// same SQL, reset (a half-read SELECT keeps no read snapshot that would
// block a checkpoint) and with its bindings cleared; the pool is bounded;
// a statement outliving its connection is finalized, not returned.
#include "store/sqlite/db.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "test_dir.hpp"

namespace postern::store::sqlite {
namespace {

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::open(dir_.path() + "/t.db");
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_TRUE(db_.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)").ok());
  }
  testing::TempDir dir_;
  Db db_;
};

TEST_F(DbTest, SameSqlReusesOneStatementResetAndUnbound) {
  const char* sql = "SELECT COUNT(*) FROM t WHERE x >= ?";
  {
    auto st = db_.prepare(sql);
    ASSERT_TRUE(st.ok());
    st->bind(1, int64_t{2});
    ASSERT_TRUE(*st->step());
    EXPECT_EQ(st->int64(0), 2);
  }
  EXPECT_EQ(db_.idle_statements(), 1u);
  auto again = db_.prepare(sql);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(db_.idle_statements(), 0u) << "handed out again";
  ASSERT_TRUE(*again->step());
  EXPECT_EQ(again->int64(0), 0) << "the old binding (2) is cleared: NULL compares false";
}

TEST_F(DbTest, AHalfReadStatementKeepsNoSnapshot) {
  auto other = Db::open(dir_.path() + "/t.db");
  ASSERT_TRUE(other.ok());
  {
    auto st = db_.prepare("SELECT x FROM t");
    ASSERT_TRUE(*st->step());  // one row read, two left: a read transaction is open
  }
  ASSERT_TRUE(other->exec("INSERT INTO t VALUES (4)").ok());
  int log = -1, done = -1;
  ASSERT_EQ(sqlite3_wal_checkpoint_v2(other->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log, &done), SQLITE_OK);
  EXPECT_EQ(log, 0) << "the WAL was truncated: no reader held it";
}

TEST_F(DbTest, PoolIsBoundedPerTextAndInAll) {
  {
    std::vector<Statement> alive;
    for (int i = 0; i < 10; ++i) {
      auto st = db_.prepare("SELECT 1");
      ASSERT_TRUE(st.ok());
      alive.push_back(std::move(*st));
    }
  }
  EXPECT_EQ(db_.idle_statements(), 4u) << "at most four idle copies of one text";
  for (int i = 0; i < 400; ++i) {
    auto st = db_.prepare("SELECT " + std::to_string(i));
    ASSERT_TRUE(st.ok());
  }
  EXPECT_LE(db_.idle_statements(), 256u);
}

TEST_F(DbTest, StatementOutlivingItsConnectionIsFinalized) {
  Statement kept;
  {
    auto db = Db::open(dir_.path() + "/t.db");
    ASSERT_TRUE(db.ok());
    auto st = db->prepare("SELECT x FROM t");
    ASSERT_TRUE(st.ok());
    kept = std::move(*st);
  }
  // The connection is a zombie until this statement goes; it must still run.
  auto row = kept.step();
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(*row);
}

}  // namespace
}  // namespace postern::store::sqlite
