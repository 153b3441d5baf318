// The durable outbound queue on SQLite + a blob directory; see outbound_queue.hpp.
#include "queue/outbound_queue.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/log.hpp"
#include "core/strings.hpp"
#include "queue/schedule.hpp"
#include "store/sqlite/schema.hpp"

namespace postern::queue {

using store::sqlite::Db;
using store::sqlite::Statement;
using store::sqlite::WriteTransaction;

namespace {

RecipientState parse_state(const std::string& s) {
  if (s == "inflight") return RecipientState::inflight;
  if (s == "delivered") return RecipientState::delivered;
  if (s == "failed") return RecipientState::failed;
  if (s == "expired") return RecipientState::expired;
  return RecipientState::pending;
}

constexpr const char* kRecipientColumns =
    "id, address, domain, state, attempts, next_attempt, COALESCE(last_attempt, 0), last_reply, enhanced, notified";

QueueRecipient read_recipient(const Statement& st) {
  QueueRecipient r;
  r.id = st.int64(0);
  r.address = st.text(1);
  r.domain = st.text(2);
  r.state = parse_state(st.text(3));
  r.attempts = static_cast<int>(st.int64(4));
  r.next_attempt = st.int64(5);
  r.last_attempt = st.int64(6);
  r.last_reply = st.text(7);
  r.enhanced = st.text(8);
  r.notified = st.int64(9) != 0;
  return r;
}

constexpr const char* kMessageColumns =
    "id, sender, blob_hash, size, eight_bit, smtputf8, is_dsn, created_at, delay_warned";

QueueEntry read_message(const Statement& st) {
  QueueEntry e;
  e.id = st.int64(0);
  e.sender = st.text(1);
  e.blob_hash = st.text(2);
  e.size = st.int64(3);
  e.eight_bit = st.int64(4) != 0;
  e.smtputf8 = st.int64(5) != 0;
  e.is_dsn = st.int64(6) != 0;
  e.created_at = st.int64(7);
  e.delay_warned = st.int64(8) != 0;
  return e;
}

// 8-bit octets in the body ask for BODY=8BITMIME (RFC 6152); non-ASCII in
// an address or the header needs SMTPUTF8 (RFC 6531 §3.4).
void classify(const NewMessage& m, bool& eight_bit, bool& smtputf8) {
  eight_bit = !is_ascii(m.content);
  size_t header_end = m.content.find("\r\n\r\n");
  std::string_view header = std::string_view(m.content).substr(0, header_end);
  smtputf8 = !is_ascii(m.sender) || !is_ascii(header) ||
             std::any_of(m.recipients.begin(), m.recipients.end(), [](const std::string& r) { return !is_ascii(r); });
}

// For commits whose loss in an OS crash costs at most a repeated attempt,
// never a message: claiming (lost, the rows are 'pending' again, which is
// what recover() makes of 'inflight' ones anyway) and recording outcomes.
// SQLite's WAL is sequential, so the next FULL commit (an enqueue) syncs
// these frames too. Saves two fsyncs per delivery. The caller holds mu_.
class RelaxedSync {
 public:
  explicit RelaxedSync(Db& db) : db_(db) { (void)db_.exec("PRAGMA synchronous=NORMAL"); }
  ~RelaxedSync() { (void)db_.exec("PRAGMA synchronous=FULL"); }
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  Db& db_;
};

}  // namespace

const char* to_string(RecipientState s) {
  switch (s) {
    case RecipientState::pending: return "pending";
    case RecipientState::inflight: return "inflight";
    case RecipientState::delivered: return "delivered";
    case RecipientState::failed: return "failed";
    case RecipientState::expired: return "expired";
  }
  return "?";
}

Result<std::unique_ptr<OutboundQueue>> OutboundQueue::open(const std::string& data_dir, QueueConfig config,
                                                           Mode mode) {
  auto db = Db::open(data_dir + "/postern.db");
  if (!db) return db.error();
  if (auto s = store::sqlite::migrate(*db); !s) return s.error();
  std::unique_ptr<OutboundQueue> q(new OutboundQueue(std::move(*db), data_dir + "/queue", std::move(config)));
  if (mode == Mode::server) {
    // Both clean up after a crash; a CLI next to a running server must not
    // (it would take a concurrent enqueue's temporary file or fresh blob).
    if (auto s = q->blobs_.open(); !s) return s.error();
    if (auto s = q->recover(); !s) return s.error();
  }
  return q;
}

// After a crash or kill: attempts that were in progress are retried, blobs
// whose enqueue never committed are removed.
Status OutboundQueue::recover() {
  std::lock_guard lock(mu_);
  {
    WriteTransaction tx(db_);
    if (auto s = tx.begin(); !s) return s;
    if (auto s = db_.exec("UPDATE queue_recipients SET state = 'pending' WHERE state = 'inflight'"); !s) return s;
    if (db_.changes() > 0) log::info("queue_requeued_inflight", {{"recipients", db_.changes()}});
    if (auto s = tx.commit(); !s) return s;
  }
  std::set<std::string> referenced;
  auto st = db_.prepare("SELECT DISTINCT blob_hash FROM queue_messages");
  if (!st) return st.error();
  if (auto s = st->each_row([&](Statement& row) { referenced.insert(row.text(0)); }); !s) return s;
  std::vector<std::string> orphans;
  if (auto s = blobs_.for_each([&](const std::string& h) {
        if (!referenced.count(h)) orphans.push_back(h);
      });
      !s)
    return s;
  for (const auto& h : orphans)
    if (auto s = blobs_.remove(h); !s) return s;
  if (!orphans.empty()) log::info("queue_orphan_blobs_removed", {{"count", orphans.size()}});
  return Ok{};
}

struct OutboundQueue::PendingEnqueue {
  const NewMessage& message;
  std::string blob_hash;
  std::vector<std::string> domains;
  bool eight_bit = false;
  bool smtputf8 = false;
  int64_t now = 0;
  std::optional<Result<int64_t>> result;  // set by the committer, under batch_mu_
};

Result<int64_t> OutboundQueue::enqueue(const NewMessage& m, int64_t now) {
  if (m.recipients.empty()) return syntax_error("no recipients");
  PendingEnqueue p{m, {}, {}, false, false, now, std::nullopt};
  for (const auto& r : m.recipients) {
    auto at = r.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == r.size()) return syntax_error("recipient without a domain: " + r);
    p.domains.push_back(to_lower_ascii(r.substr(at + 1)));
  }
  classify(m, p.eight_bit, p.smtputf8);
  // The blob first (each caller fsyncs its own, in parallel): a crash before
  // the commit leaves only an orphan file, which open() removes.
  auto hash = blobs_.write(m.content);
  if (!hash) return hash.error();
  p.blob_hash = std::move(*hash);

  std::unique_lock lock(batch_mu_);
  batch_.push_back(&p);
  while (!p.result) {
    if (committing_) {
      batch_cv_.wait(lock);
      continue;
    }
    // Nobody is committing: commit everything waiting, ours included.
    committing_ = true;
    std::vector<PendingEnqueue*> mine;
    mine.swap(batch_);
    lock.unlock();
    auto results = commit_batch(mine);
    lock.lock();
    for (size_t i = 0; i < mine.size(); ++i) mine[i]->result = std::move(results[i]);
    committing_ = false;
    batch_cv_.notify_all();
  }
  return std::move(*p.result);
}

// One transaction for the whole batch; on an error every message of it
// fails alike (SQL errors here are the disk's or the database's, not one
// message's), and their blobs become orphans for the next open().
std::vector<Result<int64_t>> OutboundQueue::commit_batch(const std::vector<PendingEnqueue*>& batch) {
  auto fail_all = [&](const Error& e) { return std::vector<Result<int64_t>>(batch.size(), Result<int64_t>(e)); };
  std::lock_guard lock(mu_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return fail_all(s.error());
  auto ins = db_.prepare(
      "INSERT INTO queue_messages (blob_hash, sender, size, eight_bit, smtputf8, is_dsn, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return fail_all(ins.error());
  auto rcpt = db_.prepare("INSERT INTO queue_recipients (message_id, address, domain, next_attempt) VALUES (?, ?, ?, ?)");
  if (!rcpt) return fail_all(rcpt.error());
  std::vector<int64_t> ids;
  for (const auto* p : batch) {
    const auto& m = p->message;
    ins->reset();
    ins->bind(1, p->blob_hash).bind(2, m.sender).bind(3, static_cast<int64_t>(m.content.size()));
    ins->bind(4, int64_t{p->eight_bit}).bind(5, int64_t{p->smtputf8}).bind(6, int64_t{m.is_dsn}).bind(7, p->now);
    if (auto s = ins->run(); !s) return fail_all(s.error());
    int64_t id = db_.last_insert_rowid();
    for (size_t i = 0; i < m.recipients.size(); ++i) {
      rcpt->reset();
      rcpt->bind(1, id).bind(2, m.recipients[i]).bind(3, p->domains[i]).bind(4, p->now);
      if (auto s = rcpt->run(); !s) return fail_all(s.error());
    }
    ids.push_back(id);
  }
  if (auto s = tx.commit(); !s) return fail_all(s.error());
  std::vector<Result<int64_t>> results;
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& m = batch[i]->message;
    log::info("queue_enqueued", {{"queue_id", ids[i]}, {"from", m.sender}, {"recipients", m.recipients.size()},
                                 {"size", m.content.size()}, {"batch", batch.size()}});
    results.emplace_back(ids[i]);
  }
  return results;
}

Status OutboundQueue::expire(int64_t now) {
  std::lock_guard lock(mu_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto st = db_.prepare(
      "UPDATE queue_recipients SET state = 'expired', "
      "last_reply = CASE WHEN last_reply = '' THEN 'no delivery attempt succeeded' ELSE last_reply END, "
      "enhanced = CASE WHEN enhanced = '' OR substr(enhanced, 1, 1) = '4' THEN '4.4.7' ELSE enhanced END "
      "WHERE state = 'pending' AND message_id IN (SELECT id FROM queue_messages WHERE created_at + ? <= ?)");
  if (!st) return st.error();
  st->bind(1, static_cast<int64_t>(config_.lifetime_seconds)).bind(2, now);
  if (auto s = st->run(); !s) return s;
  if (db_.changes() > 0) log::info("queue_expired", {{"recipients", db_.changes()}});
  return tx.commit();
}

Result<std::vector<Job>> OutboundQueue::claim_due(int64_t now, size_t max_jobs,
                                                  const std::map<std::string, unsigned>& active,
                                                  unsigned max_per_domain) {
  std::lock_guard lock(mu_);
  RelaxedSync relaxed(db_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  auto st = db_.prepare(std::string("SELECT r.message_id, ") + "r.id, r.address, r.domain, r.state, r.attempts, "
                        "r.next_attempt, COALESCE(r.last_attempt, 0), r.last_reply, r.enhanced, "
                        "m.sender, m.blob_hash, m.eight_bit, m.smtputf8, m.created_at "
                        "FROM queue_recipients r JOIN queue_messages m ON m.id = r.message_id "
                        "WHERE r.state = 'pending' AND r.next_attempt <= ? ORDER BY r.next_attempt, r.id");
  if (!st) return st.error();
  st->bind(1, now);
  std::vector<Job> jobs;
  std::map<std::pair<int64_t, std::string>, size_t> index;
  std::map<std::string, unsigned> running(active);
  auto s = st->each_row([&](Statement& row) {
    int64_t message_id = row.int64(0);
    std::string domain = row.text(3);
    auto key = std::make_pair(message_id, domain);
    auto it = index.find(key);
    if (it == index.end()) {
      if (jobs.size() >= max_jobs || running[domain] >= max_per_domain) return;
      ++running[domain];
      Job j;
      j.message_id = message_id;
      j.domain = domain;
      j.sender = row.text(10);
      j.blob_hash = row.text(11);
      j.eight_bit = row.int64(12) != 0;
      j.smtputf8 = row.int64(13) != 0;
      j.created_at = row.int64(14);
      it = index.emplace(key, jobs.size()).first;
      jobs.push_back(std::move(j));
    }
    QueueRecipient r;
    r.id = row.int64(1);
    r.address = row.text(2);
    r.domain = domain;
    r.state = RecipientState::inflight;
    r.attempts = static_cast<int>(row.int64(5));
    r.next_attempt = row.int64(6);
    r.last_attempt = row.int64(7);
    r.last_reply = row.text(8);
    r.enhanced = row.text(9);
    jobs[it->second].recipients.push_back(std::move(r));
  });
  if (!s) return s.error();
  auto mark = db_.prepare("UPDATE queue_recipients SET state = 'inflight', last_attempt = ? WHERE id = ?");
  if (!mark) return mark.error();
  for (const auto& j : jobs)
    for (const auto& r : j.recipients) {
      mark->reset();
      mark->bind(1, now).bind(2, r.id);
      if (auto rs = mark->run(); !rs) return rs.error();
    }
  if (auto cs = tx.commit(); !cs) return cs.error();
  return jobs;
}

Status OutboundQueue::complete(const Job& job, const std::vector<RecipientOutcome>& outcomes, int64_t now) {
  std::lock_guard lock(mu_);
  // Not fsynced on its own (see RelaxedSync): a process crash keeps the
  // commit (it is in the OS's cache); only an OS crash or power loss before
  // the next synced commit can undo it, and then the message is sent again
  // rather than lost — the same at-least-once window as a crash mid-attempt.
  RelaxedSync relaxed(db_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto upd = db_.prepare(
      "UPDATE queue_recipients SET state = ?, attempts = attempts + 1, next_attempt = ?, last_reply = ?, "
      "enhanced = ? WHERE id = ? AND state = 'inflight'");
  if (!upd) return upd.error();
  for (const auto& r : job.recipients) {
    auto it = std::find_if(outcomes.begin(), outcomes.end(),
                           [&](const RecipientOutcome& o) { return o.recipient_id == r.id; });
    Outcome outcome = it == outcomes.end() ? Outcome::transient : it->outcome;
    std::string reply = it == outcomes.end() ? "delivery attempt did not finish" : it->reply;
    std::string enhanced = it == outcomes.end() ? "4.4.0" : it->enhanced;
    const char* state = "pending";
    int64_t next = now;
    if (outcome == Outcome::delivered) {
      state = "delivered";
    } else if (outcome == Outcome::permanent) {
      state = "failed";
    } else if (expired(config_, job.created_at, now)) {
      state = "expired";
    } else {
      next = next_attempt_at(config_, job.created_at, r.attempts + 1, now);
    }
    upd->reset();
    upd->bind(1, state).bind(2, next).bind(3, reply).bind(4, enhanced).bind(5, r.id);
    if (auto s = upd->run(); !s) return s;
    log::info("queue_attempt", {{"queue_id", job.message_id}, {"to", r.address}, {"state", state},
                                {"attempt", r.attempts + 1}, {"reply", reply}});
  }
  if (auto s = drop_finished(job.message_id); !s) return s;
  return tx.commit();
}

// Inside the caller's transaction: delete messages with nothing left to do
// (no pending/inflight recipient, no DSN owed), then their unshared blobs.
// A blob is removed after the rows; if we crash before, recover() removes it.
Status OutboundQueue::drop_finished(int64_t message_id) {
  // One message: this runs after every attempt, and a scan of the whole
  // queue each time would make a long queue quadratic.
  auto find = db_.prepare(
      "SELECT id, blob_hash FROM queue_messages m WHERE m.id = ? AND NOT EXISTS (SELECT 1 FROM queue_recipients r "
      "WHERE r.message_id = m.id AND (r.state IN ('pending', 'inflight') OR "
      "(r.state IN ('failed', 'expired') AND r.notified = 0)))");
  if (!find) return find.error();
  find->bind(1, message_id);
  std::vector<std::pair<int64_t, std::string>> done;
  if (auto s = find->each_row([&](Statement& row) { done.emplace_back(row.int64(0), row.text(1)); }); !s) return s;
  for (const auto& [id, hash] : done) {
    auto del = db_.prepare("DELETE FROM queue_messages WHERE id = ?");
    if (!del) return del.error();
    del->bind(1, id);
    if (auto s = del->run(); !s) return s;
    auto uses = db_.prepare("SELECT COUNT(*) FROM queue_messages WHERE blob_hash = ?");
    if (!uses) return uses.error();
    uses->bind(1, hash);
    auto row = uses->step();
    if (!row) return row.error();
    if (uses->int64(0) == 0)
      if (auto s = blobs_.remove(hash); !s) log::warn("queue_blob_unlink_failed", {{"error", s.error().message}});
    log::info("queue_finished", {{"queue_id", id}});
  }
  return Ok{};
}

Result<std::optional<int64_t>> OutboundQueue::next_due() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare("SELECT MIN(next_attempt) FROM queue_recipients WHERE state = 'pending'");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  if (!*row || st->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(st->int64(0));
}

Result<std::vector<QueueRecipient>> OutboundQueue::recipients_of(int64_t message_id) {
  auto st = db_.prepare(std::string("SELECT ") + kRecipientColumns +
                        " FROM queue_recipients WHERE message_id = ? ORDER BY id");
  if (!st) return st.error();
  st->bind(1, message_id);
  std::vector<QueueRecipient> out;
  if (auto s = st->each_row([&](Statement& row) { out.push_back(read_recipient(row)); }); !s) return s.error();
  return out;
}

Result<std::vector<Notice>> OutboundQueue::pending_notices(int64_t now) {
  std::lock_guard lock(mu_);
  // Called after every attempt, so only candidates are read: messages with
  // an unreported failure (found through the state index) and, when delay
  // warnings are on, messages old enough for one that have not had it.
  std::string where = "id IN (SELECT message_id FROM queue_recipients WHERE state IN ('failed', 'expired') AND notified = 0)";
  if (config_.delay_warning_seconds > 0)
    where += " OR (delay_warned = 0 AND sender != '' AND is_dsn = 0 AND created_at + ?1 <= ?2)";
  auto st = db_.prepare(std::string("SELECT ") + kMessageColumns + " FROM queue_messages WHERE " + where + " ORDER BY id");
  if (!st) return st.error();
  if (config_.delay_warning_seconds > 0) st->bind(1, static_cast<int64_t>(config_.delay_warning_seconds)).bind(2, now);
  std::vector<QueueEntry> messages;
  if (auto s = st->each_row([&](Statement& row) { messages.push_back(read_message(row)); }); !s) return s.error();
  std::vector<Notice> out;
  for (auto& m : messages) {
    auto rs = recipients_of(m.id);
    if (!rs) return rs.error();
    Notice n{m.id, m.sender, m.blob_hash, m.created_at, {}, {}};
    bool warn = !m.delay_warned && delay_warning_due(config_, m.created_at, now);
    // Never a DSN about a DSN or to the null sender (RFC 3461 §6.2, RFC 5321 §6.1).
    bool silent = m.sender.empty() || m.is_dsn;
    for (auto& r : *rs) {
      bool final_fail = r.state == RecipientState::failed || r.state == RecipientState::expired;
      if (final_fail && !r.notified) n.failed.push_back(r);
      else if (warn && !silent && r.state == RecipientState::pending && r.attempts > 0) n.delayed.push_back(r);
    }
    n.silent = silent;
    if (!n.failed.empty() || !n.delayed.empty()) out.push_back(std::move(n));
  }
  return out;
}

Status OutboundQueue::notice_sent(const Notice& notice) {
  std::lock_guard lock(mu_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto mark = db_.prepare("UPDATE queue_recipients SET notified = 1 WHERE id = ?");
  if (!mark) return mark.error();
  for (const auto& r : notice.failed) {
    mark->reset();
    mark->bind(1, r.id);
    if (auto s = mark->run(); !s) return s;
  }
  if (!notice.delayed.empty()) {
    auto warned = db_.prepare("UPDATE queue_messages SET delay_warned = 1 WHERE id = ?");
    if (!warned) return warned.error();
    warned->bind(1, notice.message_id);
    if (auto s = warned->run(); !s) return s;
  }
  if (auto s = drop_finished(notice.message_id); !s) return s;
  return tx.commit();
}

Result<std::string> OutboundQueue::read_content(const std::string& blob_hash) const { return blobs_.read(blob_hash); }

Result<std::vector<QueueEntry>> OutboundQueue::list() {
  std::lock_guard lock(mu_);
  auto st = db_.prepare(std::string("SELECT ") + kMessageColumns + " FROM queue_messages ORDER BY id");
  if (!st) return st.error();
  std::vector<QueueEntry> out;
  if (auto s = st->each_row([&](Statement& row) { out.push_back(read_message(row)); }); !s) return s.error();
  for (auto& e : out) {
    auto rs = recipients_of(e.id);
    if (!rs) return rs.error();
    e.recipients = std::move(*rs);
  }
  return out;
}

Result<std::optional<QueueEntry>> OutboundQueue::show(int64_t id) {
  auto all = list();
  if (!all) return all.error();
  for (auto& e : *all)
    if (e.id == id) return std::optional<QueueEntry>(std::move(e));
  return std::optional<QueueEntry>();
}

Result<int> OutboundQueue::retry(std::optional<int64_t> id, int64_t now) {
  std::lock_guard lock(mu_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  auto st = db_.prepare(id ? "UPDATE queue_recipients SET next_attempt = ? WHERE state = 'pending' AND message_id = ?"
                           : "UPDATE queue_recipients SET next_attempt = ? WHERE state = 'pending'");
  if (!st) return st.error();
  st->bind(1, now);
  if (id) st->bind(2, *id);
  if (auto s = st->run(); !s) return s.error();
  int n = db_.changes();
  if (auto s = tx.commit(); !s) return s.error();
  return n;
}

Result<bool> OutboundQueue::remove(int64_t id) {
  std::lock_guard lock(mu_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  auto h = db_.prepare("SELECT blob_hash FROM queue_messages WHERE id = ?");
  if (!h) return h.error();
  h->bind(1, id);
  auto row = h->step();
  if (!row) return row.error();
  if (!*row) return false;
  std::string hash = h->text(0);
  auto del = db_.prepare("DELETE FROM queue_messages WHERE id = ?");
  if (!del) return del.error();
  del->bind(1, id);
  if (auto s = del->run(); !s) return s.error();
  auto uses = db_.prepare("SELECT COUNT(*) FROM queue_messages WHERE blob_hash = ?");
  if (!uses) return uses.error();
  uses->bind(1, hash);
  auto u = uses->step();
  if (!u) return u.error();
  bool unshared = uses->int64(0) == 0;
  if (auto s = tx.commit(); !s) return s.error();
  if (unshared) (void)blobs_.remove(hash);
  log::info("queue_removed", {{"queue_id", id}});
  return true;
}

}  // namespace postern::queue
