// The serve sequence: bind (as root if needed) → load TLS → drop privileges
// → open the store (crash recovery) → accept. Shutdown: close listeners →
// ask sessions to finish → wait up to shutdown_grace_seconds → drain store.
#include "server/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <ctime>
#include <csignal>
#include <thread>

#include "core/thread_pool.hpp"

#include "core/log.hpp"
#include "net/event_loops.hpp"
#include "net/imap_connection.hpp"
#include "net/imap_mail_access.hpp"
#include "net/listener.hpp"
#include "net/pop3_connection.hpp"
#include "net/smtp_connection.hpp"
#include "dns/resolver.hpp"
#include "guard/guard.hpp"
#include "guard/sqlite_ban_store.hpp"
#include "mailauth/dkim_signer.hpp"
#include "queue/outbound_queue.hpp"
#include "server/fd_limit.hpp"
#include "server/privileges.hpp"
#include "server/queue_runner.hpp"
#include "server/recipient_policy.hpp"
#include "store/sqlite/sqlite_mail_store.hpp"

namespace postern::server {
namespace asio = boost::asio;

namespace {

asio::awaitable<void> drain_and_stop(net::EventLoops& loops, std::vector<std::unique_ptr<net::Listener>>& listeners,
                                     net::SessionRegistry& registry, store::MailStore& store, QueueRunner& runner,
                                     unsigned grace_seconds) {
  log::info("shutdown_begin", {{"sessions", registry.size()}});
  runner.stop();
  for (auto& l : listeners) l->close();
  registry.shutdown_all();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
  asio::steady_timer t(co_await asio::this_coro::executor);
  while (registry.size() > 0 && std::chrono::steady_clock::now() < deadline) {
    t.expires_after(std::chrono::milliseconds(50));
    co_await t.async_wait(asio::use_awaitable);
  }
  if (registry.size() > 0) log::warn("shutdown_grace_expired", {{"sessions", registry.size()}});
  store.drain();
  log::info("shutdown_complete");
  loops.stop();
}

}  // namespace

int serve(const Config& config) {
  log::Level level;
  if (log::parse_level(config.server.log_level, level)) log::set_level(level);
  std::signal(SIGPIPE, SIG_IGN);

  net::EventLoops loops(config.server.threads);
  std::vector<std::unique_ptr<net::Listener>> listeners;
  try {
    for (const auto& l : config.listeners)
      listeners.push_back(std::make_unique<net::Listener>(loops.main(), l));
  } catch (const std::system_error& e) {
    log::error("startup_failed", {{"error", e.what()}});
    return 1;
  }

  net::TlsContexts tls(config.tls.certificate, config.tls.key);
  if (tls.configured()) {
    if (auto s = tls.load(); !s) {
      log::error("startup_failed", {{"error", s.error().message}});
      return 1;
    }
  }
  if (auto s = drop_privileges(config.server.user, config.server.data_dir); !s) {
    log::error("startup_failed", {{"error", s.error().message}});
    return 1;
  }
  auto store = store::sqlite::SqliteMailStore::open(config.server.data_dir);
  if (!store) {
    log::error("startup_failed", {{"error", store.error().message}});
    return 1;
  }

  // The outbound queue (crash recovery: in-flight attempts are retried) and
  // its runner on the main loop.
  auto outbound = queue::OutboundQueue::open(config.server.data_dir, config.queue);
  if (!outbound) {
    log::error("startup_failed", {{"error", outbound.error().message}});
    return 1;
  }
  auto resolver = dns::Resolver::create(config.queue.resolver);
  if (!resolver) {
    log::error("startup_failed", {{"error", resolver.error().message}});
    return 1;
  }
  // Outgoing mail is DKIM-signed with the active keys of its author's
  // domain (the From: domain DMARC aligns with); a domain without keys, or
  // a foreign From: (a DSN, a forward), goes out unsigned.
  auto dkim = std::make_shared<mailauth::DkimSigner>(config.server.data_dir);
  MessageSigner sign = [dkim](std::string_view message) -> std::string {
    auto domain = mailauth::author_domain(message);
    if (!domain) return {};
    auto fields = dkim->sign(message, *domain, static_cast<int64_t>(std::time(nullptr)));
    if (!fields) {
      log::warn("dkim_sign_failed", {{"domain", *domain}, {"error", fields.error().message}});
      return {};
    }
    return std::move(*fields);
  };
  QueueRunner runner(loops.main(), config, **outbound, **store, std::move(*resolver), std::move(sign));
  runner.start();

  // Automatic bans: loaded from the database, re-read every few seconds so
  // `postern ban add/remove` take effect, checked at every accept.
  auto ban_store = guard::SqliteBanStore::open(config.server.data_dir);
  if (!ban_store) {
    log::error("startup_failed", {{"error", ban_store.error().message}});
    return 1;
  }
  guard::Guard guard(config.guard, ban_store->get());
  if (auto s = guard.reload(static_cast<int64_t>(std::time(nullptr))); !s)
    log::error("ban_reload_failed", {{"error", s.error().message}});
  asio::steady_timer ban_reload(loops.main());
  std::function<void(const boost::system::error_code&)> reload_bans = [&](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto s = guard.reload(static_cast<int64_t>(std::time(nullptr))); !s)
      log::error("ban_reload_failed", {{"error", s.error().message}});
    ban_reload.expires_after(std::chrono::seconds(5));
    ban_reload.async_wait(reload_bans);
  };
  ban_reload.expires_after(std::chrono::seconds(5));
  ban_reload.async_wait(reload_bans);

  DirectoryRecipientPolicy policy(store::sqlite::SqliteMailStore::database_path(config.server.data_dir));
  raise_fd_limit(config.server.max_connections);
  net::SessionLimits session_limits;
  session_limits.max_total = config.server.max_connections;
  session_limits.max_per_ip[static_cast<size_t>(net::SessionProtocol::smtp)] = config.smtp.max_connections_per_ip;
  session_limits.max_per_ip[static_cast<size_t>(net::SessionProtocol::imap)] = config.imap.max_connections_per_ip;
  session_limits.max_per_ip[static_cast<size_t>(net::SessionProtocol::pop3)] = config.pop3.max_connections_per_ip;
  session_limits.commands_per_second = config.server.commands_per_second;
  session_limits.command_burst = config.server.command_burst;
  net::SessionRegistry registry(session_limits);
  net::SmtpServices smtp;
  smtp.options.hostname = config.server.hostname;
  smtp.options.limits.max_message_size = config.smtp.max_message_size;
  smtp.options.limits.max_recipients = config.smtp.max_recipients;
  smtp.options.limits.max_errors = config.smtp.max_errors;
  smtp.options.limits.max_line_length = config.smtp.max_line_length;
  smtp.command_timeout_seconds = config.smtp.command_timeout_seconds;
  smtp.data_timeout_seconds = config.smtp.data_timeout_seconds;
  smtp.line_timeout_seconds = config.smtp.line_timeout_seconds;
  smtp.enqueue = [&runner](queue::NewMessage m, std::function<void(Result<int64_t>)> done) {
    runner.submit(std::move(m), std::move(done));
  };
  smtp.policy = &policy;
  smtp.store = store->get();
  smtp.tls = tls.configured() ? &tls : nullptr;
  smtp.registry = &registry;
  // Blocking work of sessions (store reads, blob files) runs here.
  ThreadPool workers(std::max(2u, std::thread::hardware_concurrency()), "worker");
  smtp.workers = &workers;
  // Password checks (Argon2id: 64 MiB and tens of ms each) on threads of
  // their own: a password spray then competes for CPU, but never queues
  // ahead of SELECT, FETCH or delivery work. One of them checks only
  // known-good sources (guard.hpp), so their users never wait for a
  // sprayer's hash in progress.
  ThreadPool auth_workers(std::max(1u, std::thread::hardware_concurrency()) + 1, "auth", 1);
  smtp.auth_workers = &auth_workers;
  smtp.database_path = store::sqlite::SqliteMailStore::database_path(config.server.data_dir);
  smtp.dev_mode = config.server.dev_mode;
  smtp.trusted_networks = config.smtp.trusted_networks;
  smtp.guard = &guard;
  net::ImapMailAccess imap_access(**store, workers, auth_workers, &guard,
                                  store::sqlite::SqliteMailStore::database_path(config.server.data_dir));
  net::ImapServices imap;
  imap.hostname = config.server.hostname;
  imap.dev_mode = config.server.dev_mode;
  imap.limits.max_literal = config.imap.max_literal_size;
  imap.limits.max_line = config.imap.max_line_length;
  imap.limits.max_command = config.imap.max_literal_size + 16 * 1024 * 1024;
  imap.limits.max_discard = config.imap.max_literal_size * 2;
  imap.idle_timeout_seconds = config.imap.idle_timeout_seconds;
  imap.login_timeout_seconds = config.imap.login_timeout_seconds;
  imap.line_timeout_seconds = config.imap.line_timeout_seconds;
  imap.access = &imap_access;
  imap.changes = &(*store)->changes();
  imap.tls = smtp.tls;
  imap.registry = &registry;
  imap.guard = &guard;
  net::MaildropLocks pop3_locks;
  net::Pop3Services pop3;
  pop3.hostname = config.server.hostname;
  pop3.dev_mode = config.server.dev_mode;
  pop3.limits.max_errors = config.pop3.max_errors;
  pop3.limits.max_line = config.pop3.max_line_length;
  pop3.idle_timeout_seconds = config.pop3.idle_timeout_seconds;
  pop3.line_timeout_seconds = config.pop3.line_timeout_seconds;
  pop3.guard = &guard;
  pop3.store = store->get();
  pop3.workers = &workers;
  pop3.auth_workers = &auth_workers;
  pop3.database_path = store::sqlite::SqliteMailStore::database_path(config.server.data_dir);
  pop3.tls = smtp.tls;
  pop3.registry = &registry;
  pop3.locks = &pop3_locks;

  for (auto& l : listeners) {
    std::string protocol_name = l->config().protocol;
    l->set_gate([&guard, protocol_name](const std::string& ip) {
      if (!guard.banned(ip, static_cast<int64_t>(std::time(nullptr)))) return true;
      log::debug("connection_dropped_banned", {{"protocol", protocol_name}, {"ip", ip}});
      return false;
    });
    TlsMode mode = l->config().tls;
    const std::string& protocol = l->config().protocol;
    if (protocol == "smtp" || protocol == "submission" || protocol == "submissions") {
      bool submission = protocol != "smtp";
      l->start(loops, [&smtp, mode, submission](boost::asio::ip::tcp::socket socket) {
        return net::run_smtp_connection(std::move(socket), mode, smtp, submission);
      });
    } else if (protocol == "pop3" || protocol == "pop3s") {
      l->start(loops, [&pop3, mode](boost::asio::ip::tcp::socket socket) {
        return net::run_pop3_connection(std::move(socket), mode, pop3);
      });
    } else {
      l->start(loops, [&imap, mode](boost::asio::ip::tcp::socket socket) {
        return net::run_imap_connection(std::move(socket), mode, imap);
      });
    }
  }

  asio::signal_set signals(loops.main(), SIGTERM, SIGINT, SIGHUP);
  bool stopping = false;
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      if (tls.configured()) {
        auto s = tls.load();
        if (s) log::info("tls_reloaded", {{"certificate", config.tls.certificate}});
        else log::error("tls_reload_failed", {{"error", s.error().message}});
      }
    } else if (!stopping) {
      stopping = true;
      asio::co_spawn(loops.main(),
                     drain_and_stop(loops, listeners, registry, **store, runner, config.server.shutdown_grace_seconds),
                     asio::detached);
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  log::info("ready", {{"hostname", config.server.hostname}, {"listeners", listeners.size()},
                      {"threads", loops.size()}, {"data_dir", config.server.data_dir}});
  loops.run();
  auto stats = (*store)->commit_stats();
  log::info("exit", {{"transactions", stats.transactions}, {"ops", stats.ops}});
  return 0;
}

}  // namespace postern::server
