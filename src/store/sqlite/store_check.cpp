// `postern store check`: each check is one SQL query (or one pass over the
// blob files) turning what it finds into a precise line. Blob contents are
// hashed once however many messages share them.
#include "store/sqlite/store_check.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "store/blob_store.hpp"
#include "store/sqlite/db.hpp"
#include "store/sqlite/schema.hpp"

namespace postern::store::sqlite {
namespace {

std::string short_hash(const std::string& h) { return h.size() > 16 ? h.substr(0, 16) : h; }

// The checks share one read-only connection and the report.
class Checker {
 public:
  Checker(Db& db, std::string data_dir, StoreCheckReport& report,
          const std::function<void(const std::string&)>& on_problem)
      : db_(db), data_dir_(std::move(data_dir)), blobs_(data_dir_), queue_blobs_(data_dir_ + "/queue"),
        report_(report), on_problem_(on_problem) {}

  Status run() {
    if (auto s = sqlite_checks(); !s) return s;
    auto version = schema_version();
    if (!version) return version.error();
    if (*version != latest_schema_version()) {
      problem("schema version " + std::to_string(*version) + ", this postern expects " +
              std::to_string(latest_schema_version()) + ": start the server once to migrate, then check again");
      return Ok{};
    }
    // One read transaction: every query below sees the same snapshot even
    // while a server commits next to us.
    if (auto s = db_.exec("BEGIN"); !s) return s;
    Status s = snapshot_checks();
    db_.rollback();
    if (!s) return s;
    // Blob files are created before their rows commit and unlinked after
    // their rows are deleted, so a running server can make a file look
    // orphaned or missing for an instant: look again at those in a fresh
    // snapshot and report only what is still wrong.
    return confirm_file_suspects();
  }

 private:
  void problem(const std::string& line) {
    report_.problems.push_back(line);
    if (on_problem_) on_problem_(line);
  }

  Status sqlite_checks() {
    auto ic = db_.prepare("PRAGMA integrity_check");
    if (!ic) return ic.error();
    auto s = ic->each_row([&](Statement& r) {
      if (r.text(0) != "ok") problem("sqlite integrity_check: " + r.text(0));
    });
    if (!s) return s;
    auto fk = db_.prepare("PRAGMA foreign_key_check");
    if (!fk) return fk.error();
    return fk->each_row([&](Statement& r) {
      problem("sqlite foreign_key_check: " + r.text(0) + " row " + r.text(1) + " refers to a missing " +
              r.text(2) + " row");
    });
  }

  Result<int> schema_version() {
    auto st = db_.prepare("SELECT MAX(version) FROM schema_version");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return (*row && !st->is_null(0)) ? static_cast<int>(st->int64(0)) : 0;
  }

  Status snapshot_checks() {
    for (auto step : {&Checker::load_mailboxes, &Checker::check_messages, &Checker::check_blob_rows,
                      &Checker::check_mailbox_rows, &Checker::check_mailbox_counters, &Checker::check_queue})
      if (auto s = (this->*step)(); !s) return s;
    return Ok{};
  }

  // "mailbox 3 (alice@example.org/INBOX)"
  std::string mailbox_name(int64_t id) const {
    auto it = mailboxes_.find(id);
    return "mailbox " + std::to_string(id) + (it == mailboxes_.end() ? std::string(" (unknown)") : " (" + it->second + ")");
  }
  // Where a message row is seen by clients: "alice@example.org/INBOX uid 4".
  std::string where(int64_t message_id) const {
    auto it = locations_.find(message_id);
    std::string out = "message " + std::to_string(message_id);
    if (it == locations_.end()) return out;
    out += " (";
    for (size_t i = 0; i < it->second.size(); ++i) out += (i ? ", " : "") + it->second[i];
    return out + ")";
  }

  Status load_mailboxes() {
    auto st = db_.prepare(
        "SELECT b.id, COALESCE(a.address, 'account ' || b.account_id) || '/' || b.name "
        "FROM mailboxes b LEFT JOIN accounts a ON a.id = b.account_id");
    if (!st) return st.error();
    auto s = st->each_row([&](Statement& r) { mailboxes_[r.int64(0)] = r.text(1); });
    if (!s) return s;
    report_.mailboxes = mailboxes_.size();
    auto rows = db_.prepare("SELECT mailbox_id, uid, message_id FROM mailbox_messages");
    if (!rows) return rows.error();
    return rows->each_row([&](Statement& r) {
      auto it = mailboxes_.find(r.int64(0));
      locations_[r.int64(2)].push_back((it == mailboxes_.end() ? "mailbox " + r.text(0) : it->second) + " uid " +
                                       r.text(1));
      ++report_.mailbox_rows;
    });
  }

  // Hashes a mailbox blob file once; "" when it is fine, else what is wrong.
  std::string verify_blob(const BlobStore& store, const std::string& hash, int64_t size,
                          std::unordered_map<std::string, std::string>& verified) {
    auto it = verified.find(hash);
    if (it != verified.end()) return it->second;
    std::string verdict;
    struct stat st;
    if (::stat(store.path_of(hash).c_str(), &st) != 0) {
      verdict = "missing";
    } else {
      auto content = store.read(hash);
      ++report_.blobs;
      if (!content) verdict = "unreadable: " + content.error().message;
      else if (auto actual = BlobStore::hash_of(*content); actual != hash)
        verdict = "content changed: the file hashes to " + short_hash(actual) + "..";
      else if (static_cast<int64_t>(content->size()) != size)
        verdict = "size " + std::to_string(content->size()) + " differs from the recorded " + std::to_string(size);
    }
    verified.emplace(hash, verdict);
    return verdict;
  }

  Status check_messages() {
    auto st = db_.prepare(
        "SELECT m.id, m.account_id, m.blob_hash, m.size, m.thread_id, b.hash IS NOT NULL, "
        "t.account_id, EXISTS (SELECT 1 FROM mailbox_messages mm WHERE mm.message_id = m.id) "
        "FROM messages m LEFT JOIN blobs b ON b.hash = m.blob_hash LEFT JOIN messages t ON t.id = m.thread_id "
        "ORDER BY m.id");
    if (!st) return st.error();
    return st->each_row([&](Statement& r) {
      ++report_.messages;
      int64_t id = r.int64(0), account = r.int64(1), size = r.int64(3);
      std::string hash = r.text(2);
      auto& users = blob_users_[hash];
      ++users.first;
      users.second = size;
      if (!r.int64(5)) problem(where(id) + ": blob " + short_hash(hash) + ".. has no row in blobs");
      std::string verdict = verify_blob(blobs_, hash, size, mailbox_verdicts_);
      if (verdict == "missing") missing_suspects_.emplace_back(id, hash);
      else if (!verdict.empty()) problem(where(id) + ": blob " + hash + " " + verdict);
      if (!r.int64(7)) problem(where(id) + ": in no mailbox (a leaked message row)");
      if (!r.is_null(4)) {
        // A thread id names the thread's root, an older message of the same
        // account; the root itself may since have been expunged.
        int64_t thread = r.int64(4);
        if (thread <= 0 || thread > id)
          problem(where(id) + ": thread id " + std::to_string(thread) + " is not an earlier message");
        else if (!r.is_null(6) && r.int64(6) != account)
          problem(where(id) + ": thread id " + std::to_string(thread) + " is a message of another account");
      }
    });
  }

  Status check_blob_rows() {
    // The users of each blob were counted in check_messages: a correlated
    // COUNT per blob would scan messages once per blob (no index on blob_hash).
    auto st = db_.prepare("SELECT hash, size, refcount FROM blobs");
    if (!st) return st.error();
    auto s = st->each_row([&](Statement& r) {
      std::string hash = r.text(0);
      referenced_.insert(hash);
      int64_t refcount = r.int64(2);
      auto it = blob_users_.find(hash);
      int64_t users = it == blob_users_.end() ? 0 : it->second.first;
      if (refcount != users)
        problem("blob " + hash + ": refcount " + std::to_string(refcount) + " but " + std::to_string(users) +
                " message rows use it");
      if (users > 0 && it->second.second != r.int64(1))
        problem("blob " + hash + ": blobs.size " + r.text(1) + " differs from its messages' size " +
                std::to_string(it->second.second));
    });
    if (!s) return s;
    return blobs_.for_each([&](const std::string& hash) {
      if (!referenced_.count(hash)) orphan_suspects_.push_back(hash);
    });
  }

  Status check_mailbox_rows() {
    // UIDs are the mailbox's key, so a duplicate means a damaged index or
    // table; the same message twice in one mailbox would show twice to a client.
    auto dup = db_.prepare(
        "SELECT mailbox_id, uid, COUNT(*) FROM mailbox_messages GROUP BY mailbox_id, uid HAVING COUNT(*) > 1");
    if (!dup) return dup.error();
    auto s = dup->each_row([&](Statement& r) {
      problem(mailbox_name(r.int64(0)) + ": uid " + r.text(1) + " appears " + r.text(2) + " times");
    });
    if (!s) return s;
    auto twice = db_.prepare(
        "SELECT mailbox_id, message_id, group_concat(uid, ', ') FROM mailbox_messages "
        "GROUP BY mailbox_id, message_id HAVING COUNT(*) > 1");
    if (!twice) return twice.error();
    s = twice->each_row([&](Statement& r) {
      problem(mailbox_name(r.int64(0)) + ": message " + r.text(1) + " is there more than once (uids " + r.text(2) + ")");
    });
    if (!s) return s;
    auto bad = db_.prepare(
        "SELECT mm.mailbox_id, mm.uid, mm.modseq, b.uidnext, b.highest_modseq, m.account_id, b.account_id "
        "FROM mailbox_messages mm JOIN mailboxes b ON b.id = mm.mailbox_id LEFT JOIN messages m ON m.id = mm.message_id "
        "WHERE mm.uid <= 0 OR mm.uid >= b.uidnext OR mm.modseq > b.highest_modseq OR m.account_id != b.account_id");
    if (!bad) return bad.error();
    s = bad->each_row([&](Statement& r) {
      std::string at = mailbox_name(r.int64(0)) + " uid " + r.text(1);
      int64_t uid = r.int64(1), uidnext = r.int64(3);
      if (uid <= 0) problem(at + ": uid must be positive");
      if (uid >= uidnext) problem(at + ": uid is not below the mailbox's uidnext " + r.text(3));
      if (r.int64(2) > r.int64(4))
        problem(at + ": modseq " + r.text(2) + " is above the mailbox's highestmodseq " + r.text(4));
      if (!r.is_null(5) && r.int64(5) != r.int64(6))
        problem(at + ": refers to a message of account " + r.text(5) + ", not the mailbox's account " + r.text(6));
    });
    if (!s) return s;
    // An expunged UID is gone for good (QRESYNC VANISHED); seeing it live
    // again, or beyond uidnext, means UIDs were reused.
    auto expunged = db_.prepare(
        "SELECT e.mailbox_id, e.uid, e.uid >= b.uidnext, "
        "EXISTS (SELECT 1 FROM mailbox_messages mm WHERE mm.mailbox_id = e.mailbox_id AND mm.uid = e.uid) "
        "FROM expunged e JOIN mailboxes b ON b.id = e.mailbox_id "
        "WHERE e.uid >= b.uidnext OR EXISTS (SELECT 1 FROM mailbox_messages mm WHERE mm.mailbox_id = e.mailbox_id AND mm.uid = e.uid)");
    if (!expunged) return expunged.error();
    return expunged->each_row([&](Statement& r) {
      std::string at = mailbox_name(r.int64(0)) + " uid " + r.text(1);
      if (r.int64(2)) problem(at + ": logged as expunged but not below uidnext");
      if (r.int64(3)) problem(at + ": logged as expunged yet still present");
    });
  }

  Status check_mailbox_counters() {
    auto st = db_.prepare(
        "SELECT b.id, b.uidnext, b.highest_modseq, b.message_count, b.total_bytes, b.uidvalidity, "
        "a.modseq, a.last_uidvalidity, COUNT(mm.uid), COALESCE(SUM(m.size), 0) "
        "FROM mailboxes b LEFT JOIN accounts a ON a.id = b.account_id "
        "LEFT JOIN mailbox_messages mm ON mm.mailbox_id = b.id LEFT JOIN messages m ON m.id = mm.message_id "
        "GROUP BY b.id ORDER BY b.id");
    if (!st) return st.error();
    return st->each_row([&](Statement& r) {
      std::string at = mailbox_name(r.int64(0));
      if (r.int64(3) != r.int64(8))
        problem(at + ": message_count " + r.text(3) + " but " + r.text(8) + " messages present");
      if (r.int64(4) != r.int64(9))
        problem(at + ": total_bytes " + r.text(4) + " (quota usage) but its messages add up to " + r.text(9));
      if (r.int64(1) < 1) problem(at + ": uidnext " + r.text(1) + " is not positive");
      if (r.int64(5) <= 0) problem(at + ": uidvalidity " + r.text(5) + " is not positive");
      if (!r.is_null(6) && r.int64(2) > r.int64(6))
        problem(at + ": highestmodseq " + r.text(2) + " is above the account's modseq " + r.text(6));
      if (!r.is_null(7) && r.int64(5) > r.int64(7))
        problem(at + ": uidvalidity " + r.text(5) + " is above the account's last_uidvalidity " + r.text(7));
    });
  }

  Status check_queue() {
    auto st = db_.prepare(
        "SELECT q.id, q.blob_hash, q.size, (SELECT COUNT(*) FROM queue_recipients r WHERE r.message_id = q.id) "
        "FROM queue_messages q ORDER BY q.id");
    if (!st) return st.error();
    auto s = st->each_row([&](Statement& r) {
      ++report_.queue_messages;
      std::string hash = r.text(1);
      queue_referenced_.insert(hash);
      std::string at = "queued message " + r.text(0);
      std::string verdict = verify_blob(queue_blobs_, hash, r.int64(2), queue_verdicts_);
      if (verdict == "missing") queue_missing_suspects_.emplace_back(r.int64(0), hash);
      else if (!verdict.empty()) problem(at + ": queue blob " + hash + " " + verdict);
      if (r.int64(3) == 0) problem(at + ": has no recipients");
    });
    if (!s) return s;
    auto states = db_.prepare(
        "SELECT id, message_id, state FROM queue_recipients "
        "WHERE state NOT IN ('pending', 'inflight', 'delivered', 'failed', 'expired')");
    if (!states) return states.error();
    s = states->each_row([&](Statement& r) {
      problem("queued message " + r.text(1) + " recipient " + r.text(0) + ": unknown state '" + r.text(2) + "'");
    });
    if (!s) return s;
    std::error_code ec;
    if (!std::filesystem::exists(data_dir_ + "/queue/blobs", ec)) return Ok{};
    return queue_blobs_.for_each([&](const std::string& hash) {
      if (!queue_referenced_.count(hash)) queue_orphan_suspects_.push_back(hash);
    });
  }

  // Runs `sql` with one text parameter; true when it returns a row.
  Result<bool> any_row(const char* sql, const std::string& value) {
    auto st = db_.prepare(sql);
    if (!st) return st.error();
    st->bind(1, value);
    return st->step();
  }

  Status confirm_file_suspects() {
    for (const auto& [id, hash] : missing_suspects_) {
      auto still = any_row("SELECT 1 FROM messages WHERE blob_hash = ?", hash);
      if (!still) return still.error();
      if (*still && !blobs_.exists(hash))
        problem(where(id) + ": blob " + hash + " missing (no file " + blobs_.path_of(hash) + ")");
    }
    for (const auto& hash : orphan_suspects_) {
      auto row = any_row("SELECT 1 FROM blobs WHERE hash = ?", hash);
      if (!row) return row.error();
      if (!*row && blobs_.exists(hash))
        problem("orphan blob file " + blobs_.path_of(hash) + ": no message refers to it");
    }
    for (const auto& [id, hash] : queue_missing_suspects_) {
      auto still = any_row("SELECT 1 FROM queue_messages WHERE blob_hash = ?", hash);
      if (!still) return still.error();
      if (*still && !queue_blobs_.exists(hash))
        problem("queued message " + std::to_string(id) + ": queue blob " + hash + " missing (no file " +
                queue_blobs_.path_of(hash) + ")");
    }
    for (const auto& hash : queue_orphan_suspects_) {
      auto row = any_row("SELECT 1 FROM queue_messages WHERE blob_hash = ?", hash);
      if (!row) return row.error();
      if (!*row && queue_blobs_.exists(hash))
        problem("orphan queue blob file " + queue_blobs_.path_of(hash) + ": no queued message refers to it");
    }
    return Ok{};
  }

  Db& db_;
  std::string data_dir_;
  BlobStore blobs_, queue_blobs_;
  StoreCheckReport& report_;
  const std::function<void(const std::string&)>& on_problem_;
  std::map<int64_t, std::string> mailboxes_;
  std::unordered_map<int64_t, std::vector<std::string>> locations_;
  std::unordered_map<std::string, std::string> mailbox_verdicts_, queue_verdicts_;
  std::unordered_set<std::string> referenced_, queue_referenced_;
  std::unordered_map<std::string, std::pair<int64_t, int64_t>> blob_users_;  // hash -> (messages, size)
  std::vector<std::pair<int64_t, std::string>> missing_suspects_, queue_missing_suspects_;
  std::vector<std::string> orphan_suspects_, queue_orphan_suspects_;
};

}  // namespace

Result<StoreCheckReport> check_store(const std::string& data_dir,
                                     const std::function<void(const std::string&)>& on_problem) {
  std::string path = data_dir + "/postern.db";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return user_error("no database at " + path);
  // query_only: whatever the checks run, this connection cannot write (the
  // database is already in WAL mode, so opening it changes nothing either).
  auto db = Db::open(path);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA query_only=ON"); !s) return s.error();
  StoreCheckReport report;
  Checker checker(*db, data_dir, report, on_problem);
  if (auto s = checker.run(); !s) return s.error();
  return report;
}

}  // namespace postern::store::sqlite
