// The outbound queue runner: finds due mail in the queue, resolves where it
// goes (MX lookup via dns::Resolver, or the configured smarthost), delivers
// each job (one message, one destination domain) with the SMTP client,
// records per-recipient outcomes and reschedules, and hands on DSNs.
// Scheduling follows Postfix's queue manager in spirit: a global and a
// per-destination concurrency limit, deferred mail retried on a backoff,
// and connections kept for the next message to the same host
// (net::SmtpConnectionCache). DSN passes run only when there can be one to
// send: after a failed or expired recipient, when a delay warning falls
// due, or to retry one that could not be handed on.
//
// This is also where the rest of the server hands mail to the queue:
// submit() (submission, forwarding) stores it durably and wakes the runner.
// Blocking work (SQLite, fsync, DNS) runs on the runner's own worker pool;
// the coroutines live on one event loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/thread_pool.hpp"
#include "dns/resolver.hpp"
#include "net/smtp_connection_cache.hpp"
#include "queue/dsn_dispatch.hpp"
#include "queue/outbound_queue.hpp"
#include "smtp/client/session.hpp"

namespace postern::server {

// The DKIM hook: given the message, returns header fields to prepend (e.g.
// "DKIM-Signature: ...\r\n"), or "" to send it as is. Called on a worker
// thread just before each delivery attempt, so a key rotated while a message
// waits in the queue is the one that signs it.
using MessageSigner = std::function<std::string(std::string_view message)>;

class QueueRunner {
 public:
  QueueRunner(boost::asio::io_context& loop, const Config& config, queue::OutboundQueue& queue,
              store::MailStore& store, std::unique_ptr<dns::Resolver> resolver, MessageSigner signer = {});
  ~QueueRunner();

  void start();
  // Stops claiming new jobs; running deliveries finish (their rows stay
  // 'inflight' if the process exits first, and are retried on restart).
  void stop();

  // Durably queues a message for remote delivery and wakes the runner.
  // `done` runs on a worker thread with the queue id, or the error (the
  // caller answers 4xx then: nothing was accepted).
  void submit(queue::NewMessage message, std::function<void(Result<int64_t>)> done);

  // Runs a scan now (after enqueue, `postern queue flush`).
  void wake();

 private:
  struct Prepared;
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> deliver(queue::Job job);
  Prepared prepare(const queue::Job& job);
  smtp::client::ClientOptions client_options() const;
  // Sends one message to the first of `p.targets` that takes it, on a kept
  // connection when there is one. Event-loop thread.
  boost::asio::awaitable<std::vector<smtp::client::RecipientResult>> transmit(const queue::Job& job, const Prepared& p,
                                                                             smtp::client::Envelope envelope);
  // Worker threads: one DSN pass, and whether the next scan must run one.
  void dsn_pass(int64_t now);
  void scan_dsn(int64_t now, bool force);

  boost::asio::io_context& io_;
  const Config& config_;
  queue::OutboundQueue& queue_;
  std::unique_ptr<dns::Resolver> resolver_;
  MessageSigner signer_;
  std::string smarthost_problem_;  // set at start: credentials unusable -> every attempt is deferred
  queue::DsnDispatcher dsn_;
  ThreadPool pool_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::asio::steady_timer wake_timer_;
  net::SmtpConnectionCache connections_;  // event-loop thread only
  std::map<std::string, unsigned> active_per_domain_;  // event-loop thread only
  unsigned active_ = 0;
  bool stopping_ = false;
  bool wake_pending_ = false;  // event-loop thread only
  int64_t last_expire_ = 0;    // scans run one at a time, on the pool
  // When a scan must run a DSN pass next (0: the first scan, for notices
  // left owed by a previous run). Lowered by deliveries whose pass could
  // not hand a DSN on; worker threads, under dsn_mu_.
  std::mutex dsn_mu_;
  int64_t dsn_check_at_ = 0;
  std::string smarthost_user_, smarthost_password_;
};

}  // namespace postern::server
