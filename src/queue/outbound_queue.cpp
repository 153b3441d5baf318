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
  auto ins = statement(
      "INSERT INTO queue_messages (blob_hash, sender, size, eight_bit, smtputf8, is_dsn, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return fail_all(ins.error());
  auto rcpt = statement("INSERT INTO queue_recipients (message_id, address, domain, next_attempt) VALUES (?, ?, ?, ?)");
  if (!rcpt) return fail_all(rcpt.error());
  std::vector<int64_t> ids;
  for (const auto* p : batch) {
    const auto& m = p->message;
    (*ins)->bind(1, p->blob_hash).bind(2, m.sender).bind(3, static_cast<int64_t>(m.content.size()));
    (*ins)->bind(4, int64_t{p->eight_bit}).bind(5, int64_t{p->smtputf8}).bind(6, int64_t{m.is_dsn}).bind(7, p->now);
    if (auto s = (*ins)->run(); !s) return fail_all(s.error());
    int64_t id = db_.last_insert_rowid();
    for (size_t i = 0; i < m.recipients.size(); ++i) {
      (*rcpt)->bind(1, id).bind(2, m.recipients[i]).bind(3, p->domains[i]).bind(4, p->now);
      if (auto s = (*rcpt)->run(); !s) return fail_all(s.error());
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

Result<int> OutboundQueue::expire(int64_t now) {
  std::lock_guard lock(mu_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  // Old messages by the age index, their pending rows by the message index.
  auto st = statement(
      "UPDATE queue_recipients INDEXED BY queue_recipients_by_message SET state = 'expired', "
      "last_reply = CASE WHEN last_reply = '' THEN 'no delivery attempt succeeded' ELSE last_reply END, "
      "enhanced = CASE WHEN enhanced = '' OR substr(enhanced, 1, 1) = '4' THEN '4.4.7' ELSE enhanced END "
      "WHERE state = 'pending' AND message_id IN (SELECT id FROM queue_messages WHERE created_at <= ?)");
  if (!st) return st.error();
  (*st)->bind(1, now - static_cast<int64_t>(config_.lifetime_seconds));
  if (auto s = (*st)->run(); !s) return s.error();
  int n = db_.changes();
  if (n > 0) log::info("queue_expired", {{"recipients", n}});
  if (auto s = tx.commit(); !s) return s.error();
  return n;
}

namespace {

// ["a.example","b.example"] for json_each(): the busy domains a claim skips.
std::string json_string_array(const std::map<std::string, unsigned>& keys, unsigned at_least) {
  std::string out = "[";
  for (const auto& [key, n] : keys) {
    if (n < at_least) continue;
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : key) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        static const char* hex = "0123456789abcdef";
        out += "\\u00";
        out += hex[(c >> 4) & 0xf];
        out += hex[c & 0xf];
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out + "]";
}

}  // namespace

Result<std::vector<Job>> OutboundQueue::claim_due(int64_t now, size_t max_jobs,
                                                  const std::map<std::string, unsigned>& active,
                                                  unsigned max_per_domain) {
  std::lock_guard lock(mu_);
  if (max_jobs == 0) return std::vector<Job>{};
  RelaxedSync relaxed(db_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  // Which jobs: walk the due index oldest first (it carries message and
  // domain, so no table row is read), skipping domains already at their
  // limit, and stop once the free slots are filled. The LIMIT bounds the
  // walk when the rows found belong to jobs already taken or to domains
  // that fill up on the way; what is left is claimed at the next scan.
  std::vector<std::pair<int64_t, std::string>> picked;
  {
    auto pick = statement(
        "SELECT message_id, domain FROM queue_recipients "
        "WHERE state = 'pending' AND next_attempt <= ?1 AND domain NOT IN (SELECT value FROM json_each(?2)) "
        "ORDER BY next_attempt, message_id LIMIT ?3");
    if (!pick) return pick.error();
    (*pick)->bind(1, now).bind(2, json_string_array(active, max_per_domain));
    (*pick)->bind(3, static_cast<int64_t>(std::min<size_t>(max_jobs, 100000) * 16));
    std::set<std::pair<int64_t, std::string>> seen;
    std::map<std::string, unsigned> running(active);
    while (picked.size() < max_jobs) {
      auto row = (*pick)->step();
      if (!row) return row.error();
      if (!*row) break;
      auto key = std::make_pair((*pick)->int64(0), (*pick)->text(1));
      if (seen.count(key)) continue;
      if (running[key.second] >= max_per_domain) continue;
      ++running[key.second];
      seen.insert(key);
      picked.push_back(std::move(key));
    }
  }
  auto msg = statement(
      "SELECT sender, blob_hash, eight_bit, smtputf8, created_at, is_dsn, delay_warned FROM queue_messages "
      "WHERE id = ?");
  if (!msg) return msg.error();
  auto rcpts = statement(
      "SELECT id, address, attempts, next_attempt, COALESCE(last_attempt, 0), last_reply, enhanced "
      "FROM queue_recipients INDEXED BY queue_recipients_by_message "
      "WHERE message_id = ?1 AND domain = ?2 AND state = 'pending' AND next_attempt <= ?3 "
      "ORDER BY id");
  if (!rcpts) return rcpts.error();
  auto mark = statement("UPDATE queue_recipients SET state = 'inflight', last_attempt = ? WHERE id = ?");
  if (!mark) return mark.error();
  std::vector<Job> jobs;
  for (const auto& [message_id, domain] : picked) {
    (*msg)->reset();
    (*msg)->bind(1, message_id);
    auto found = (*msg)->step();
    if (!found) return found.error();
    if (!*found) continue;
    Job j;
    j.message_id = message_id;
    j.domain = domain;
    j.sender = (*msg)->text(0);
    j.blob_hash = (*msg)->text(1);
    j.eight_bit = (*msg)->int64(2) != 0;
    j.smtputf8 = (*msg)->int64(3) != 0;
    j.created_at = (*msg)->int64(4);
    j.is_dsn = (*msg)->int64(5) != 0;
    j.delay_warned = (*msg)->int64(6) != 0;
    (*rcpts)->reset();
    (*rcpts)->bind(1, message_id).bind(2, domain).bind(3, now);
    auto s = (*rcpts)->each_row([&](Statement& row) {
      QueueRecipient r;
      r.id = row.int64(0);
      r.address = row.text(1);
      r.domain = j.domain;  // (not the structured binding: clang 14 cannot capture one)
      r.state = RecipientState::inflight;
      r.attempts = static_cast<int>(row.int64(2));
      r.next_attempt = row.int64(3);
      r.last_attempt = row.int64(4);
      r.last_reply = row.text(5);
      r.enhanced = row.text(6);
      j.recipients.push_back(std::move(r));
    });
    if (!s) return s.error();
    for (const auto& r : j.recipients) {
      (*mark)->bind(1, now).bind(2, r.id);
      if (auto rs = (*mark)->run(); !rs) return rs.error();
    }
    if (!j.recipients.empty()) jobs.push_back(std::move(j));
  }
  if (auto cs = tx.commit(); !cs) return cs.error();
  return jobs;
}

Result<Completion> OutboundQueue::complete(const Job& job, const std::vector<RecipientOutcome>& outcomes,
                                           int64_t now) {
  std::lock_guard lock(mu_);
  // Not fsynced on its own (see RelaxedSync): a process crash keeps the
  // commit (it is in the OS's cache); only an OS crash or power loss before
  // the next synced commit can undo it, and then the message is sent again
  // rather than lost — the same at-least-once window as a crash mid-attempt.
  RelaxedSync relaxed(db_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  auto upd = statement(
      "UPDATE queue_recipients SET state = ?, attempts = attempts + 1, next_attempt = ?, last_reply = ?, "
      "enhanced = ? WHERE id = ? AND state = 'inflight'");
  if (!upd) return upd.error();
  Completion done;
  // Never a DSN about a DSN or to the null sender (RFC 3461 §6.2, RFC 5321 §6.1).
  bool may_warn = !job.delay_warned && !job.sender.empty() && !job.is_dsn &&
                  delay_warning_due(config_, job.created_at, now);
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
      done.notice_owed = true;
    } else if (expired(config_, job.created_at, now)) {
      state = "expired";
      done.notice_owed = true;
    } else {
      next = next_attempt_at(config_, job.created_at, r.attempts + 1, now);
      if (may_warn) done.notice_owed = true;
    }
    (*upd)->bind(1, state).bind(2, next).bind(3, reply).bind(4, enhanced).bind(5, r.id);
    if (auto s = (*upd)->run(); !s) return s.error();
    log::info("queue_attempt", {{"queue_id", job.message_id}, {"to", r.address}, {"state", state},
                                {"attempt", r.attempts + 1}, {"reply", reply}});
  }
  auto finished = drop_finished(job.message_id);
  if (!finished) return finished.error();
  done.finished = *finished;
  if (auto s = tx.commit(); !s) return s.error();
  return done;
}

// Inside the caller's transaction: deletes the message if it has nothing
// left to do (no pending/inflight recipient, no DSN owed), then its blob
// unless another queued message shares it. Only this message's rows are
// read (this runs after every attempt). The blob goes after the rows; if we
// crash in between, recover() removes it.
Result<bool> OutboundQueue::drop_finished(int64_t message_id) {
  auto busy = statement(
      "SELECT EXISTS (SELECT 1 FROM queue_recipients WHERE message_id = ? AND (state IN ('pending', 'inflight') OR "
      "(state IN ('failed', 'expired') AND notified = 0)))");
  if (!busy) return busy.error();
  (*busy)->bind(1, message_id);
  auto row = (*busy)->step();
  if (!row) return row.error();
  if (!*row || (*busy)->int64(0) != 0) return false;
  auto hash = statement("DELETE FROM queue_messages WHERE id = ? RETURNING blob_hash");
  if (!hash) return hash.error();
  (*hash)->bind(1, message_id);
  auto deleted = (*hash)->step();
  if (!deleted) return deleted.error();
  if (!*deleted) return false;
  std::string blob = (*hash)->text(0);
  if (auto more = (*hash)->step(); !more) return more.error();  // runs the DELETE to its end
  if (auto s = drop_blob_if_unused(blob); !s) return s.error();
  log::info("queue_finished", {{"queue_id", message_id}});
  return true;
}

Status OutboundQueue::drop_blob_if_unused(const std::string& hash) {
  auto uses = statement("SELECT EXISTS (SELECT 1 FROM queue_messages WHERE blob_hash = ?)");
  if (!uses) return uses.error();
  (*uses)->bind(1, hash);
  auto row = (*uses)->step();
  if (!row) return row.error();
  if (*row && (*uses)->int64(0) == 0)
    if (auto s = blobs_.remove(hash); !s) log::warn("queue_blob_unlink_failed", {{"error", s.error().message}});
  return Ok{};
}

Result<std::optional<int64_t>> OutboundQueue::next_due() {
  std::lock_guard lock(mu_);
  auto st = statement("SELECT MIN(next_attempt) FROM queue_recipients WHERE state = 'pending'");
  if (!st) return st.error();
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row || (*st)->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>((*st)->int64(0));
}

Result<std::vector<QueueRecipient>> OutboundQueue::recipients_of(int64_t message_id) {
  auto st = statement(std::string("SELECT ") + kRecipientColumns +
                      " FROM queue_recipients WHERE message_id = ? ORDER BY id");
  if (!st) return st.error();
  (*st)->bind(1, message_id);
  std::vector<QueueRecipient> out;
  if (auto s = (*st)->each_row([&](Statement& row) { out.push_back(read_recipient(row)); }); !s) return s.error();
  return out;
}

Result<std::vector<Notice>> OutboundQueue::pending_notices(int64_t now) {
  std::lock_guard lock(mu_);
  // Candidates only, each through its partial index (migration 9): messages
  // with an unreported failure, and, when delay warnings are on, messages
  // old enough for one that have not had it. The WHERE terms repeat the
  // indexes' own so that SQLite can use them.
  std::set<int64_t> ids;
  {
    auto owed = statement(
        "SELECT message_id FROM queue_recipients INDEXED BY queue_recipients_owed "
        "WHERE state IN ('failed', 'expired') AND notified = 0");
    if (!owed) return owed.error();
    if (auto s = (*owed)->each_row([&](Statement& row) { ids.insert(row.int64(0)); }); !s) return s.error();
  }
  if (config_.delay_warning_seconds > 0) {
    auto old = statement(
        "SELECT id FROM queue_messages WHERE delay_warned = 0 AND sender != '' AND is_dsn = 0 AND created_at <= ?");
    if (!old) return old.error();
    (*old)->bind(1, now - static_cast<int64_t>(config_.delay_warning_seconds));
    if (auto s = (*old)->each_row([&](Statement& row) { ids.insert(row.int64(0)); }); !s) return s.error();
  }
  std::vector<Notice> out;
  for (int64_t id : ids) {
    QueueEntry m;
    {
      auto st = statement(std::string("SELECT ") + kMessageColumns + " FROM queue_messages WHERE id = ?");
      if (!st) return st.error();
      (*st)->bind(1, id);
      auto row = (*st)->step();
      if (!row) return row.error();
      if (!*row) continue;
      m = read_message(**st);
    }
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

Result<std::optional<int64_t>> OutboundQueue::next_delay_warning() {
  if (config_.delay_warning_seconds == 0) return std::optional<int64_t>();
  std::lock_guard lock(mu_);
  auto st = statement("SELECT MIN(created_at) FROM queue_messages WHERE delay_warned = 0 AND sender != '' AND is_dsn = 0");
  if (!st) return st.error();
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row || (*st)->is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>((*st)->int64(0) + static_cast<int64_t>(config_.delay_warning_seconds));
}

Status OutboundQueue::notice_sent(const Notice& notice) {
  std::lock_guard lock(mu_);
  WriteTransaction tx(db_);
  if (auto s = tx.begin(); !s) return s;
  auto mark = statement("UPDATE queue_recipients SET notified = 1 WHERE id = ?");
  if (!mark) return mark.error();
  for (const auto& r : notice.failed) {
    (*mark)->bind(1, r.id);
    if (auto s = (*mark)->run(); !s) return s;
  }
  if (!notice.delayed.empty()) {
    auto warned = statement("UPDATE queue_messages SET delay_warned = 1 WHERE id = ?");
    if (!warned) return warned.error();
    (*warned)->bind(1, notice.message_id);
    if (auto s = (*warned)->run(); !s) return s;
  }
  if (auto s = drop_finished(notice.message_id); !s) return s.error();
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
  h->reset();
  uses->reset();
  if (auto s = tx.commit(); !s) return s.error();
  if (unshared) (void)blobs_.remove(hash);
  log::info("queue_removed", {{"queue_id", id}});
  return true;
}

StatementCache::Counters OutboundQueue::statement_counters() const {
  std::lock_guard lock(mu_);
  return statements_.counters();
}

}  // namespace postern::queue
