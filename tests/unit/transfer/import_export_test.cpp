// Import and export against a real SqliteMailStore in a temporary
// directory: a small Maildir++ tree (flags, keywords, special-use folders,
// a duplicate, a bad file) is imported, imported again (adds nothing),
// exported and imported into a second account with the same result; mbox
// import and export round-trip quoted From_ lines.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "../store/test_dir.hpp"
#include "store/account_setup.hpp"
#include "store/flags.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"
#include "transfer/exporters.hpp"
#include "transfer/importers.hpp"

namespace fs = std::filesystem;

namespace postern::transfer {
namespace {

using store::sqlite::Db;
using store::sqlite::SqliteMailStore;

int64_t make_account(const std::string& data_dir, const std::string& address) {
  auto db = Db::open(SqliteMailStore::database_path(data_dir));
  EXPECT_TRUE(db.ok());
  EXPECT_TRUE(store::sqlite::migrate(*db).ok());
  EXPECT_TRUE(db->exec("INSERT OR IGNORE INTO domains (name, created_at) VALUES ('example.test', 0)").ok());
  auto st = db->prepare("INSERT INTO accounts (domain_id, address, password_hash, created_at) "
                        "VALUES ((SELECT id FROM domains WHERE name = 'example.test'), ?, 'x', 0)");
  st->bind(1, address);
  EXPECT_TRUE(st->run().ok());
  int64_t id = db->last_insert_rowid();
  store::sqlite::WriteTransaction tx(*db);
  EXPECT_TRUE(tx.begin().ok());
  EXPECT_TRUE(store::create_default_mailboxes(*db, id).ok());
  EXPECT_TRUE(tx.commit().ok());
  return id;
}

void write(const fs::path& p, const std::string& text, int64_t mtime = 0) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  if (mtime) {
    struct timespec t[2] = {{mtime, 0}, {mtime, 0}};
    utimensat(AT_FDCWD, p.c_str(), t, 0);
  }
}

// mailbox -> sorted list of "flags|date|content"
using View = std::map<std::string, std::multiset<std::string>>;

View view_of(SqliteMailStore& s, int64_t account) {
  View v;
  auto boxes = s.list_mailboxes(account);
  EXPECT_TRUE(boxes);
  for (const auto& b : *boxes) {
    auto msgs = s.list_messages(account, b.name);
    EXPECT_TRUE(msgs);
    for (const auto& m : *msgs) {
      auto content = s.read_blob(m.blob_hash);
      v[b.name + " " + b.special_use].insert(m.flags + "|" + std::to_string(m.internal_date) + "|" + *content);
    }
    if (msgs->empty()) v[b.name + " " + b.special_use];
  }
  return v;
}

class ImportExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/data";
    fs::create_directories(data_);
    a_ = make_account(data_, "a@example.test");
    b_ = make_account(data_, "b@example.test");
    store::sqlite::StoreOptions o;
    o.blob_io_threads = 2;
    auto s = SqliteMailStore::open(data_, o);
    ASSERT_TRUE(s);
    store_ = std::move(*s);
  }
  ImportTarget target(int64_t account) { return ImportTarget{*store_, data_, account, false, 1 << 20}; }

  postern::testing::TempDir dir_;
  std::string data_;
  int64_t a_ = 0, b_ = 0;
  std::unique_ptr<SqliteMailStore> store_;
};

TEST_F(ImportExportTest, MaildirImportIsIdempotentAndRoundTrips) {
  const fs::path md = fs::path(dir_.path()) / "Maildir";
  write(md / "cur" / "1700000001.M1P1.h,S=20:2,S", "Subject: one\n\nbody\n", 1700000001);
  write(md / "cur" / "1700000002.M2P1.h:2,RFa", "Subject: two\n\nbody\n", 1700000002);
  write(md / "cur" / "1700000003.M3P1.h:2,RFa", "Subject: two\n\nbody\n", 1700000003);  // same content twice
  write(md / "new" / "1700000004.M4P1.h", "Subject: new\n\nunseen\n", 1700000004);
  write(md / "cur" / "1700000005.M5P1.h:2,S", "", 1700000005);  // empty: reported and skipped
  write(md / "dovecot-keywords", "0 $Label1\n");
  write(md / ".Sent Items" / "cur" / "1700000006.M6P1.h:2,S", "Subject: sent\n\nx\n", 1700000006);
  write(md / ".Lists.foo" / "cur" / "1700000007.M7P1.h:2,Sb", "Subject: list\n\ny\n", 1700000007);
  write(md / ".Lists.foo" / "dovecot-keywords", "1 work\n");
  fs::create_directories(md / ".Lists" / "cur");
  fs::create_directories(md / ".NotAFolder");  // no cur/new: ignored

  auto r = import_maildir(target(a_), md.string(), DateSource::mtime);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->messages, 6u);
  EXPECT_EQ(r->folders, 4u);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_NE(r->skipped[0].path.find("1700000005"), std::string::npos);
  EXPECT_EQ(r->skipped[0].reason, "empty file");

  View v = view_of(*store_, a_);
  EXPECT_EQ(v["INBOX \\Inbox"].size(), 4u);
  EXPECT_EQ(v["INBOX \\Inbox"].count("$Label1 \\Answered \\Flagged|1700000002|Subject: two\r\n\r\nbody\r\n"), 1u);
  EXPECT_EQ(v["INBOX \\Inbox"].count("|1700000004|Subject: new\r\n\r\nunseen\r\n"), 1u);
  EXPECT_EQ(v["Sent \\Sent"].size(), 1u);  // "Sent Items" went into our Sent
  EXPECT_EQ(v.count("Sent Items "), 0u);
  EXPECT_EQ(*v["Lists/foo "].begin(), "\\Seen work|1700000007|Subject: list\r\n\r\ny\r\n");

  auto again = import_maildir(target(a_), md.string(), DateSource::mtime);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->messages, 0u);
  EXPECT_EQ(again->duplicates, 6u);
  EXPECT_EQ(view_of(*store_, a_), v);

  const fs::path out = fs::path(dir_.path()) / "export";
  auto e = export_maildir(*store_, a_, out.string());
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->messages, 6u);
  EXPECT_TRUE(fs::exists(out / ".Lists.foo" / "dovecot-keywords"));
  EXPECT_FALSE(export_maildir(*store_, a_, out.string()));  // not empty
  auto back = import_maildir(target(b_), out.string(), DateSource::mtime);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->skipped.empty());
  EXPECT_EQ(view_of(*store_, b_), v);
}

TEST_F(ImportExportTest, MaildirErrorsNameThePath) {
  auto r = import_maildir(target(a_), dir_.path() + "/missing", DateSource::mtime);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/missing: no such directory"), std::string::npos);
  fs::create_directories(dir_.path() + "/empty");
  r = import_maildir(target(a_), dir_.path() + "/empty", DateSource::mtime);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not a Maildir"), std::string::npos);
}

TEST_F(ImportExportTest, MboxRoundTripKeepsQuotedFromLinesAndFlags) {
  const fs::path mbox = fs::path(dir_.path()) / "in.mbox";
  write(mbox,
        "From alice@example.org Sat Jan  3 01:05:34 1996\n"
        "Subject: one\n"
        "Status: RO\n"
        "X-Status: F\n"
        "\n"
        ">From quoted once\n"
        ">>From quoted twice\n"
        "From unquoted inside the body\n"
        "\n"
        "From bob@example.org Sun Jan  4 01:05:34 1996\n"
        "Subject: two\n"
        "\n"
        "x\n");
  auto r = import_mbox(target(a_), mbox.string(), "Archive/old", MboxFormat::mboxrd);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->messages, 2u);
  auto msgs = store_->list_messages(a_, "Archive/old");
  ASSERT_TRUE(msgs);
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[0].flags, "\\Flagged \\Seen");
  EXPECT_EQ((*msgs)[0].internal_date, 820631134);
  EXPECT_EQ((*msgs)[0].return_path, "alice@example.org");
  EXPECT_EQ(*store_->read_blob((*msgs)[0].blob_hash),
            "Subject: one\r\n\r\nFrom quoted once\r\n>From quoted twice\r\nFrom unquoted inside the body\r\n");
  auto again = import_mbox(target(a_), mbox.string(), "Archive/old", MboxFormat::mboxrd);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->messages, 0u);

  const fs::path out = fs::path(dir_.path()) / "out.mbox";
  ASSERT_TRUE(export_mbox(*store_, a_, std::string("Archive/old"), out.string()));
  std::ifstream in(out, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("\n>From unquoted inside the body\n"), std::string::npos);
  EXPECT_NE(text.find("\n>>From quoted twice\n"), std::string::npos);
  auto back = import_mbox(target(b_), out.string(), "INBOX", MboxFormat::mboxrd);
  ASSERT_TRUE(back);
  auto theirs = store_->list_messages(b_, "INBOX");
  ASSERT_EQ(theirs->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*theirs)[i].blob_hash, (*msgs)[i].blob_hash);
    EXPECT_EQ((*theirs)[i].flags, (*msgs)[i].flags);
    EXPECT_EQ((*theirs)[i].internal_date, (*msgs)[i].internal_date);
  }
}

}  // namespace
}  // namespace postern::transfer
