// Test helper for Session transcripts: a MailAccess over the real SQLite
// store (blocking waits inside the coroutines; fine for tests), one account
// alice@example.test / "secret" with the default mailboxes, and a runner
// that drives Session coroutines on an io_context.
#pragma once

// GCC 12 sees a false maybe-uninitialized through optional<> in coroutine frames.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../store/test_dir.hpp"
#include "imap/mail_access.hpp"
#include "imap/session/session.hpp"
#include "store/account_setup.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"

namespace postern::imap::testing {

template <class T>
T wait_done(const std::function<void(store::Done<T>)>& start) {
  std::promise<T> p;
  auto f = p.get_future();
  start([&p](T v) { p.set_value(std::move(v)); });
  return f.get();
}

struct StoreBlobs final : BlobReader {
  explicit StoreBlobs(store::MailStore& s) : store(s) {}
  Result<std::string> read(const std::string& hash, uint64_t max_bytes) override {
    return max_bytes ? store.read_blob_prefix(hash, max_bytes) : store.read_blob(hash);
  }
  store::MailStore& store;
};

class StoreMailAccess final : public MailAccess {
 public:
  StoreMailAccess(store::MailStore& s, int64_t account) : store_(s), account_(account) {}

  Task<Result<std::optional<AuthenticatedUser>>> authenticate(std::string user, std::string password,
                                                              std::string) override {
    if (user == "alice@example.test" && password == "secret")
      co_return std::optional<AuthenticatedUser>(AuthenticatedUser{account_, user});
    co_return std::optional<AuthenticatedUser>();
  }
  Task<Result<std::vector<store::MailboxInfo>>> list_mailboxes(int64_t a) override {
    co_return store_.list_mailboxes(a);
  }
  Task<Result<store::MailboxView>> mailbox_rows(int64_t a, int64_t m) override {
    co_return store_.mailbox_rows(a, m);
  }
  Task<Result<store::MailboxChanges>> changes_since(int64_t a, int64_t m, int64_t modseq) override {
    co_return store_.changes_since(a, m, modseq);
  }
  Task<Result<std::vector<store::MessageData>>> message_data(int64_t a, std::vector<int64_t> ids) override {
    co_return store_.message_data(a, ids);
  }
  Task<Result<std::string>> read_blob(std::string hash) override { co_return store_.read_blob(hash); }
  // In order, on the calling thread (the server spreads this over workers).
  Task<Status> scan_messages(int64_t a, std::vector<int64_t> ids, MessageVisitor visit) override {
    auto data = store_.message_data(a, ids);
    if (!data) co_return data.error();
    StoreBlobs blobs{store_};
    size_t k = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
      const store::MessageData* d = nullptr;
      if (k < data->size() && (*data)[k].message_id == ids[i]) d = &(*data)[k++];
      visit(i, d, blobs);
    }
    co_return Ok{};
  }
  Task<Result<int64_t>> create_mailbox(int64_t a, std::string name, std::string use) override {
    co_return wait_done<Result<int64_t>>([&](auto done) { store_.create_mailbox(a, name, use, done); });
  }
  Task<Status> delete_mailbox(int64_t a, std::string name) override {
    co_return wait_done<Status>([&](auto done) { store_.delete_mailbox(a, name, done); });
  }
  Task<Status> rename_mailbox(int64_t a, std::string from, std::string to) override {
    co_return wait_done<Status>([&](auto done) { store_.rename_mailbox(a, from, to, done); });
  }
  Task<Status> set_subscribed(int64_t a, std::string name, bool sub) override {
    co_return wait_done<Status>([&](auto done) { store_.set_subscribed(a, name, sub, done); });
  }
  Task<Result<store::FlagUpdateResult>> update_flags(int64_t a, int64_t m, store::FlagUpdate u) override {
    co_return wait_done<Result<store::FlagUpdateResult>>([&](auto done) { store_.update_flags(a, m, u, done); });
  }
  Task<Result<std::vector<uint32_t>>> expunge(int64_t a, int64_t m,
                                              std::optional<std::vector<uint32_t>> only) override {
    co_return wait_done<Result<std::vector<uint32_t>>>([&](auto done) { store_.expunge(a, m, only, done); });
  }
  Task<Result<store::CopyResult>> copy_messages(int64_t a, int64_t from, std::vector<uint32_t> uids, int64_t to,
                                                bool move) override {
    co_return wait_done<Result<store::CopyResult>>(
        [&](auto done) { store_.copy_messages(a, from, uids, to, move, done); });
  }
  Task<Result<store::QuotaUsage>> quota(int64_t a) override { co_return store_.quota(a); }
  Task<Result<std::vector<store::DeliveryReceipt>>> append(int64_t a, std::string mailbox,
                                                           std::vector<AppendRequest> reqs) override {
    std::vector<store::Delivery> ds;
    for (auto& req : reqs) {
      store::Delivery d;
      d.content = std::move(req.content);
      d.internal_date = req.internal_date;
      d.targets.push_back({a, mailbox, req.flags});
      ds.push_back(std::move(d));
    }
    co_return wait_done<Result<std::vector<store::DeliveryReceipt>>>(
        [&](auto done) { store_.deliver_all(std::move(ds), done); });
  }

 private:
  store::MailStore& store_;
  int64_t account_;
};

// Glob match where "%%" stands for any run of characters (IMAP uses "*").
inline bool glob_match(std::string_view pat, std::string_view s) {
  auto w = pat.find("%%");
  if (w == std::string_view::npos) return pat == s;
  if (!s.starts_with(pat.substr(0, w))) return false;
  auto rest = pat.substr(w + 2);
  for (size_t i = w; i <= s.size(); ++i)
    if (glob_match(rest, s.substr(i))) return true;
  return false;
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::sqlite::Db::open(store::sqlite::SqliteMailStore::database_path(dir_.path()));
    ASSERT_TRUE(store::sqlite::migrate(*db).ok());
    ASSERT_TRUE(db->exec("INSERT INTO domains (name, created_at) VALUES ('example.test', 0)").ok());
    ASSERT_TRUE(db->exec("INSERT INTO accounts (domain_id, address, password_hash, created_at) VALUES (1, "
                         "'alice@example.test', 'x', 0)")
                    .ok());
    account_ = db->last_insert_rowid();
    ASSERT_TRUE(store::create_default_mailboxes(*db, account_).ok());
    auto s = store::sqlite::SqliteMailStore::open(dir_.path(), {.blob_io_threads = 1});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    access_ = std::make_unique<StoreMailAccess>(*store_, account_);
    make_session(options());
  }

  virtual SessionOptions options() {
    SessionOptions o;
    o.hostname = "mail.example.test";
    o.tls_active = true;
    o.allow_plaintext_auth = false;
    return o;
  }

  void make_session(SessionOptions o) {
    session_ = std::make_unique<Session>(std::move(o), *access_);
    greeting_ = session_->greeting();
  }

  void run(Task<void> t) {
    boost::asio::io_context io;
    boost::asio::co_spawn(io, std::move(t), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    io.run();
  }

  // Sends `bytes` and returns everything the session answered.
  std::string send(std::string_view bytes) {
    std::string b(bytes);
    run(session_->receive(b));
    return session_->take_output();
  }
  std::string notify() {
    run(session_->mailbox_changed());
    return session_->take_output();
  }

  // A transcript: "C: " lines are sent (CRLF added) in blocks; the "S: "
  // lines after a block must be exactly what the session answered to it
  // ("%%" matches anything). Lines starting "C+ " are sent without CRLF.
  void transcript(std::string_view script) {
    std::istringstream in{std::string(script)};
    std::string line, pending;
    std::vector<std::string> expected;
    bool have_pending = false;
    auto flush = [&] {
      if (!have_pending) return;
      std::string got = send(pending);
      std::vector<std::string> got_lines;
      size_t p = 0;
      while (p < got.size()) {
        auto e = got.find("\r\n", p);
        if (e == std::string::npos) {
          got_lines.push_back(got.substr(p) + "<no CRLF>");
          break;
        }
        got_lines.push_back(got.substr(p, e - p));
        p = e + 2;
      }
      std::string ctx = "after sending: " + pending + "\ngot:\n" + got;
      EXPECT_EQ(got_lines.size(), expected.size()) << ctx;
      for (size_t i = 0; i < std::min(got_lines.size(), expected.size()); ++i)
        EXPECT_TRUE(glob_match(expected[i], got_lines[i])) << "line " << i << ": expected\n  " << expected[i]
                                                           << "\ngot\n  " << got_lines[i] << "\n" << ctx;
      pending.clear();
      expected.clear();
      have_pending = false;
    };
    while (std::getline(in, line)) {
      auto first = line.find_first_not_of(" \t");
      if (first == std::string::npos) continue;
      line = line.substr(first);
      if (line.starts_with("C: ") || line.starts_with("C+ ")) {
        if (!expected.empty()) flush();
        pending += line.substr(3);
        if (line.starts_with("C: ")) pending += "\r\n";
        have_pending = true;
      } else if (line.starts_with("S: ")) {
        expected.push_back(line.substr(3));
      } else if (line == "S:") {
        expected.push_back("");
      }
    }
    flush();
  }

  void login() {
    auto out = send("L1 LOGIN alice@example.test secret\r\n");
    ASSERT_TRUE(out.starts_with("L1 OK")) << out;
  }

  uint32_t deliver(const std::string& body, const std::string& box = "INBOX", std::vector<std::string> flags = {},
                   int64_t date = 1700000000) {
    store::Delivery d;
    d.content = "Subject: test\r\nFrom: bob@example.test\r\n\r\n" + body + "\r\n";
    d.internal_date = date;
    d.targets.push_back({account_, box, std::move(flags)});
    auto r = wait_done<Result<store::DeliveryReceipt>>([&](auto done) { store_->deliver(std::move(d), done); });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->copies.at(0).uid : 0;
  }

  postern::testing::TempDir dir_;
  int64_t account_ = 0;
  std::unique_ptr<store::sqlite::SqliteMailStore> store_;
  std::unique_ptr<StoreMailAccess> access_;
  std::unique_ptr<Session> session_;
  std::string greeting_;
};

}  // namespace postern::imap::testing
