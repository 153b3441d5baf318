// The outbound queue runner; see queue_runner.hpp.
#include "server/queue_runner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <limits>

#include "core/log.hpp"
#include "net/awaitable_bridge.hpp"
#include "net/smtp_client_connection.hpp"
#include "smtp/client/session.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"

namespace postern::server {
namespace asio = boost::asio;
using smtp::client::RecipientStatus;

namespace {

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

// A DSN that could not be handed on (the store busy, say) is tried again this
// much later; so is a delay warning owed by a message that has not yet had
// a failed attempt to report.
constexpr int64_t kDsnRecheckSeconds = 60;

net::SmtpConnectionCache::Limits cache_limits(const QueueConfig& q) {
  net::SmtpConnectionCache::Limits l;
  l.max_messages = q.connection_reuse_messages;
  l.max_age = std::chrono::seconds(q.connection_reuse_seconds);
  l.idle = std::chrono::seconds(q.connection_idle_seconds);
  l.max_idle = q.max_concurrent_deliveries;
  return l;
}

// Connections are shared only between deliveries that would have opened
// the same one: same address and port, same TLS demands, same login.
std::string connection_key(const net::ClientTarget& t, const smtp::client::ClientOptions& o) {
  return t.host + "|" + t.address + "|" + std::to_string(t.port) + "|" + (t.implicit_tls ? "tls" : "plain") + "|" +
         (t.require_verified ? "verified" : "any") + "|" + std::to_string(static_cast<int>(o.tls)) + "|" + o.auth_user;
}

}  // namespace

// What one job needs before connecting: the bytes and where to send them.
struct QueueRunner::Prepared {
  bool ok = false;
  queue::Outcome failure = queue::Outcome::transient;  // when !ok, for every recipient
  std::string reason;
  std::string enhanced;
  std::string content;
  std::vector<net::ClientTarget> targets;  // in order of preference
};

QueueRunner::QueueRunner(asio::io_context& loop, const Config& config, queue::OutboundQueue& queue,
                         store::MailStore& store, std::unique_ptr<dns::Resolver> resolver, MessageSigner signer)
    : io_(loop),
      config_(config),
      queue_(queue),
      resolver_(std::move(resolver)),
      signer_(std::move(signer)),
      dsn_(queue, store, store::sqlite::SqliteMailStore::database_path(config.server.data_dir), config.server.hostname),
      pool_(8, "queue"),  // mostly waiting: DNS, fsync
      tls_(net::make_client_tls_context()),
      wake_timer_(loop),
      connections_(loop.get_executor(), cache_limits(config.queue)) {
  if (!config.queue.smarthost_ca_file.empty()) {
    boost::system::error_code ec;
    tls_->load_verify_file(config.queue.smarthost_ca_file, ec);
    if (ec) log::error("smarthost_ca_unreadable", {{"file", config.queue.smarthost_ca_file}, {"error", ec.message()}});
  }
  const auto& file = config.queue.smarthost_credentials_file;
  struct stat st {};
  if (!file.empty() && ::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    // Like ssh with a readable key: a password others can read is refused,
    // so the mistake is noticed (mail waits in the queue) and fixed.
    smarthost_problem_ = "smarthost credentials file " + file + " is readable by other users: chmod 600 it and restart";
    log::error("smarthost_credentials_insecure", {{"file", file}, {"error", smarthost_problem_}});
  } else if (!file.empty()) {
    std::ifstream in(file);
    std::string line;
    if (in && std::getline(in, line) && line.find(':') != std::string::npos) {
      smarthost_user_ = line.substr(0, line.find(':'));
      smarthost_password_ = line.substr(line.find(':') + 1);
    } else {
      smarthost_problem_ = "smarthost credentials file " + file + " unreadable or not \"user:password\"";
      log::error("smarthost_credentials_unreadable", {{"file", file}});
    }
  }
}

QueueRunner::~QueueRunner() = default;

void QueueRunner::start() {
  asio::co_spawn(io_, loop(), asio::detached);
}

void QueueRunner::stop() {
  asio::post(io_, [this] {
    stopping_ = true;
    wake_timer_.cancel();
    connections_.close_all();
  });
}

void QueueRunner::wake() {
  asio::post(io_, [this] {
    wake_pending_ = true;
    wake_timer_.cancel();
  });
}

void QueueRunner::submit(queue::NewMessage message, std::function<void(Result<int64_t>)> done) {
  pool_.post([this, m = std::move(message), done = std::move(done)] {
    auto id = queue_.enqueue(m, now_seconds());
    if (id) wake();
    done(std::move(id));
  });
}

asio::awaitable<void> QueueRunner::loop() {
  log::info("queue_runner_started", {{"smarthost", config_.queue.smarthost}, {"resolver", config_.queue.resolver}});
  while (!stopping_) {
    size_t free = active_ < config_.queue.max_concurrent_deliveries ? config_.queue.max_concurrent_deliveries - active_ : 0;
    std::map<std::string, unsigned> active = active_per_domain_;
    unsigned per_domain = config_.queue.max_per_domain;
    std::function<Result<std::vector<queue::Job>>()> scan = [this, free, active, per_domain]() {
      int64_t now = now_seconds();
      // Lifetimes are days: checking once a minute is plenty, and spares a
      // write transaction on every wake-up.
      bool expired_some = false;
      if (now - last_expire_ >= 60) {
        last_expire_ = now;
        auto n = queue_.expire(now);
        if (!n) log::error("queue_expire_failed", {{"error", n.error().message}});
        else expired_some = *n > 0;
      }
      scan_dsn(now, expired_some);
      if (free == 0) return Result<std::vector<queue::Job>>(std::vector<queue::Job>{});
      return queue_.claim_due(now, free, active, per_domain);
    };
    auto jobs = co_await net::run_blocking<Result<std::vector<queue::Job>>>(pool_, scan);
    if (!jobs) log::error("queue_scan_failed", {{"error", jobs.error().message}});
    else
      for (auto& job : *jobs) {
        ++active_;
        ++active_per_domain_[job.domain];
        asio::co_spawn(io_, deliver(std::move(job)), asio::detached);
      }
    std::function<Result<std::optional<int64_t>>()> due = [this]() { return queue_.next_due(); };
    auto next = co_await net::run_blocking<Result<std::optional<int64_t>>>(pool_, due);
    int64_t wait = config_.queue.scan_interval_seconds;
    if (next && *next) wait = std::clamp<int64_t>(**next - now_seconds(), 0, wait);
    if (wait == 0 && jobs && jobs->empty()) wait = 1;  // due but every slot busy: a delivery's end wakes us
    // A wake-up that came while we were scanning must not be lost.
    if (wake_pending_ || stopping_) {
      wake_pending_ = false;
      continue;
    }
    wake_timer_.expires_after(std::chrono::seconds(wait));
    auto [ec] = co_await wake_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
    wake_pending_ = false;
  }
  log::info("queue_runner_stopped", {{"active", active_}});
}

QueueRunner::Prepared QueueRunner::prepare(const queue::Job& job) {
  Prepared p;
  auto content = queue_.read_content(job.blob_hash);
  if (!content) {
    p.reason = "queue file unreadable: " + content.error().message;
    p.enhanced = "4.3.0";
    return p;
  }
  p.content = std::move(*content);
  if (signer_) p.content = signer_(p.content) + p.content;
  const auto& q = config_.queue;
  if (!q.smarthost.empty() && !smarthost_problem_.empty()) {
    p.reason = smarthost_problem_;  // held in the queue until the operator fixes it
    p.enhanced = "4.7.0";
    return p;
  }
  if (!q.smarthost.empty()) {
    net::ClientTarget t{q.smarthost_host, q.smarthost_host, q.smarthost_port, q.smarthost_tls == TlsMode::implicit,
                        q.smarthost_tls_verify && q.smarthost_tls != TlsMode::none};
    boost::system::error_code ec;
    asio::ip::make_address(q.smarthost_host, ec);
    if (ec) {
      auto addrs = resolver_->lookup_addresses(q.smarthost_host);
      if (addrs.status != dns::LookupStatus::ok) {
        p.reason = "smarthost " + q.smarthost_host + ": " + addrs.error;
        p.enhanced = "4.4.3";
        return p;
      }
      for (const auto& a : addrs.addresses) p.targets.push_back({q.smarthost_host, a, q.smarthost_port, t.implicit_tls, t.require_verified});
    } else {
      p.targets.push_back(t);
    }
    p.ok = true;
    return p;
  }
  auto mx = resolver_->lookup_mx(job.domain);
  if (mx.status != dns::LookupStatus::ok) {
    p.reason = mx.error;
    bool permanent = mx.status == dns::LookupStatus::no_mail || mx.status == dns::LookupStatus::no_domain;
    p.failure = permanent ? queue::Outcome::permanent : queue::Outcome::transient;
    // RFC 7505 §4.2: 556 5.1.10 for a null MX; RFC 3463 5.1.2 bad destination.
    p.enhanced = mx.status == dns::LookupStatus::no_mail ? "5.1.10" : permanent ? "5.1.2" : "4.4.3";
    return p;
  }
  std::string last_error;
  for (const auto& h : mx.hosts) {
    auto addrs = resolver_->lookup_addresses(h.host);
    if (addrs.status != dns::LookupStatus::ok) {
      last_error = addrs.error;
      continue;
    }
    for (const auto& a : addrs.addresses) p.targets.push_back({h.host, a, q.remote_port, false});
  }
  if (p.targets.empty()) {
    p.reason = "no usable MX host for " + job.domain + (last_error.empty() ? "" : ": " + last_error);
    p.enhanced = "4.4.3";
    return p;
  }
  p.ok = true;
  return p;
}

smtp::client::ClientOptions QueueRunner::client_options() const {
  smtp::client::ClientOptions options;
  options.helo_name = config_.server.hostname;
  const auto& q = config_.queue;
  if (!q.smarthost.empty()) {
    options.tls = q.smarthost_tls == TlsMode::none       ? smtp::client::TlsPolicy::none
                  : q.smarthost_tls == TlsMode::implicit ? smtp::client::TlsPolicy::none
                                                         : smtp::client::TlsPolicy::required;
    options.tls_active = q.smarthost_tls == TlsMode::implicit;
    options.auth_user = smarthost_user_;
    options.auth_password = smarthost_password_;
  } else {
    options.tls = q.tls == "none"       ? smtp::client::TlsPolicy::none
                  : q.tls == "required" ? smtp::client::TlsPolicy::required
                                        : smtp::client::TlsPolicy::opportunistic;
  }
  options.reuse = connections_.enabled();
  return options;
}

asio::awaitable<std::vector<smtp::client::RecipientResult>> QueueRunner::transmit(const queue::Job& job,
                                                                                 const Prepared& p,
                                                                                 smtp::client::Envelope envelope) {
  const smtp::client::ClientOptions options = client_options();
  std::chrono::seconds connect_timeout(config_.queue.connect_timeout_seconds);
  std::vector<smtp::client::RecipientResult> results;
  // RFC 5321 §5.1: try the hosts in order until one takes responsibility.
  for (const auto& target : p.targets) {
    smtp::client::ClientOptions o = options;
    if (target.implicit_tls) o.tls_active = true;
    std::string key = connection_key(target, o);
    bool host_failed = false;
    // A kept connection that turns out dead when reused tells nothing about
    // the message: it goes again at once on a new connection, without an
    // attempt counted (Postfix does the same).
    for (int round = 0; round < 2; ++round) {
      std::unique_ptr<net::SmtpClientConnection> conn;
      if (round == 0) conn = connections_.take(key);
      bool reused = conn != nullptr;
      if (reused) {
        conn->session().next_transaction(envelope, p.content);
        co_await conn->run();
      } else {
        auto session = std::make_unique<smtp::client::ClientSession>(o, envelope, p.content);
        conn = std::make_unique<net::SmtpClientConnection>(target, std::move(session), tls_);
        co_await conn->open(connect_timeout);
      }
      results = conn->session().results();
      host_failed = conn->session().try_next_host();
      bool stale = reused && conn->session().lost_on_reuse();
      if (conn->session().idle()) connections_.give_back(key, std::move(conn));
      if (!stale) break;
      log::info("smtp_client_reuse_failed", {{"queue_id", job.message_id}, {"host", target.host},
                                             {"reason", results.empty() ? std::string() : results[0].reply}});
    }
    if (!host_failed) break;
  }
  co_return results;
}

// After a delivery that left a DSN owed: hand it on now. One that could not
// be is retried from a scan a little later.
void QueueRunner::dsn_pass(int64_t now) {
  auto pass = dsn_.dispatch(now);
  if (!pass) log::error("dsn_dispatch_failed", {{"error", pass.error().message}});
  if (!pass || pass->deferred > 0) {
    std::lock_guard lock(dsn_mu_);
    dsn_check_at_ = std::min(dsn_check_at_, now + kDsnRecheckSeconds);
  }
}

// From a scan: a pass when one is due (the first scan, a retry, a delay
// warning's time, or recipients just expired), then when the next is.
void QueueRunner::scan_dsn(int64_t now, bool force) {
  {
    std::lock_guard lock(dsn_mu_);
    if (!force && now < dsn_check_at_) return;
    dsn_check_at_ = std::numeric_limits<int64_t>::max();  // deliveries may lower it meanwhile
  }
  auto pass = dsn_.dispatch(now);
  if (!pass) log::error("dsn_dispatch_failed", {{"error", pass.error().message}});
  int64_t next = std::numeric_limits<int64_t>::max();
  if (!pass || pass->deferred > 0) next = now + kDsnRecheckSeconds;
  if (auto delay = static_cast<int64_t>(config_.queue.delay_warning_seconds); delay > 0) {
    // A message queued from now on is due its warning no sooner than this.
    next = std::min(next, now + delay);
    auto warn = queue_.next_delay_warning();
    if (!warn) {
      next = std::min(next, now + kDsnRecheckSeconds);
    } else if (*warn) {
      // Already past: that message has had no failed attempt to report
      // yet (its recipients wait for a slot or are in flight); look again
      // in a while rather than at every scan.
      int64_t at = **warn > now ? **warn : now + kDsnRecheckSeconds;
      next = std::min(next, at);
    }
  }
  std::lock_guard lock(dsn_mu_);
  dsn_check_at_ = std::min(dsn_check_at_, next);
}

asio::awaitable<void> QueueRunner::deliver(queue::Job job) {
  std::function<Prepared()> work = [this, job]() { return prepare(job); };
  Prepared p = co_await net::run_blocking<Prepared>(pool_, work);
  std::vector<queue::RecipientOutcome> outcomes;
  if (!p.ok) {
    for (const auto& r : job.recipients) outcomes.push_back({r.id, p.failure, p.reason, p.enhanced});
  } else {
    smtp::client::Envelope envelope;
    envelope.mail_from = job.sender;
    for (const auto& r : job.recipients) envelope.recipients.push_back(r.address);
    envelope.eight_bit = job.eight_bit;
    envelope.smtputf8 = job.smtputf8;
    std::vector<smtp::client::RecipientResult> results = co_await transmit(job, p, std::move(envelope));
    for (size_t i = 0; i < job.recipients.size() && i < results.size(); ++i) {
      const auto& r = results[i];
      queue::Outcome o = r.status == RecipientStatus::delivered   ? queue::Outcome::delivered
                         : r.status == RecipientStatus::permanent ? queue::Outcome::permanent
                                                                  : queue::Outcome::transient;
      outcomes.push_back({job.recipients[i].id, o, r.reply, r.enhanced});
    }
  }
  std::function<Status()> record = [this, job, outcomes]() {
    int64_t now = now_seconds();
    auto done = queue_.complete(job, outcomes, now);
    if (!done) return Status(done.error());
    if (done->notice_owed) dsn_pass(now);  // a plain delivery costs no DSN work
    return Status(Ok{});
  };
  Status s = co_await net::run_blocking<Status>(pool_, record);
  if (!s) log::error("queue_complete_failed", {{"queue_id", job.message_id}, {"error", s.error().message}});
  --active_;
  if (--active_per_domain_[job.domain] == 0) active_per_domain_.erase(job.domain);
  wake_pending_ = true;
  wake_timer_.cancel();
}

}  // namespace postern::server
