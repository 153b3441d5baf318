// The SMTP session adapter: reads bytes into smtp::Session, writes what it
// produces, and performs its actions (deliver, STARTTLS, close). I/O,
// TLS and timeouts are ConnectionStream's; shutdown requests cancel a
// session that is waiting for a command, while one in a transaction is
// allowed to finish it (DESIGN.md: SIGTERM drains).
#include "net/smtp_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <chrono>
#include <ctime>
#include <optional>

#include "core/command_pacer.hpp"
#include "core/line_deadline.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"
#include "delivery/local_delivery.hpp"
#include "directory/thread_directory.hpp"
#include "guard/guard.hpp"
#include "net/awaitable_bridge.hpp"
#include "net/admission.hpp"
#include "net/connection_stream.hpp"

namespace postern::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto kTlsHandshakeTimeout = ConnectionStream::kHandshakeTimeout;
constexpr auto kWriteTimeout = ConnectionStream::kWriteTimeout;
constexpr size_t kReadBufferSize = 16 * 1024;
constexpr auto kAuthFailureDelay = 1s;

bool in_networks(const std::string& ip, const std::vector<std::string>& networks) {
  auto a = guard::IpAddress::parse(ip);
  if (!a) return false;
  for (const auto& text : networks)
    if (auto n = guard::IpNetwork::parse(text); n && n->contains(*a)) return true;
  return false;
}

int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

// Awaitable wrapper of MailStore::deliver: the store calls back on its own
// thread; the coroutine resumes on its executor.
template <class Token>
auto async_deliver(store::MailStore& store, store::Delivery delivery, Token&& token) {
  return asio::async_initiate<Token, void(Result<store::DeliveryReceipt>)>(
      [&store](auto handler, store::Delivery d) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        store.deliver(std::move(d), [ex, h](Result<store::DeliveryReceipt> r) mutable {
          asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
        });
      },
      token, std::move(delivery));
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, TlsMode mode, SmtpServices& services, bool submission)
      : stream_(std::move(socket)), mode_(mode), services_(services), submission_(submission) {}

  asio::awaitable<void> run();

 private:
  asio::awaitable<bool> handshake();
  asio::awaitable<void> deliver();
  asio::awaitable<void> authenticate();
  asio::awaitable<void> settle_auth(std::string user);
  void request_shutdown() {
    asio::post(stream_.socket().get_executor(), [self = shared_from_this()] {
      self->shutdown_requested_ = true;
      if (self->waiting_for_command_) self->stream_.cancel();
    });
  }

  ConnectionStream stream_;
  TlsMode mode_;
  SmtpServices& services_;
  bool submission_;
  std::unique_ptr<smtp::Session> session_;
  std::string id_, ip_;
  bool shutdown_requested_ = false;
  bool waiting_for_command_ = false;
  bool auth_logged_ = false;  // auth_succeeded logged (once per session)
  uint64_t messages_ = 0;
};

asio::awaitable<bool> Connection::handshake() {
  // No co_await inside && / || : GCC 12 miscompiles it (see awaitable_bridge.hpp).
  bool ok = false;
  if (services_.tls) ok = co_await stream_.handshake(*services_.tls, kTlsHandshakeTimeout);
  if (!ok) {
    log::info("tls_failed", {{"session", id_}, {"error", stream_.last_error()}});
    co_return false;
  }
  log::info("tls_established", {{"session", id_}, {"version", stream_.tls_version()}, {"cipher", stream_.tls_cipher()}});
  co_return true;
}

asio::awaitable<void> Connection::authenticate() {
  smtp::AuthRequest req = session_->auth_request();
  std::string db = services_.database_path;
  std::function<smtp::AuthResult()> work = [req, db]() {
    smtp::AuthResult r;
    auto dir = directory::thread_directory(db);
    if (!dir) return r;
    if (req.kind == smtp::AuthRequest::Kind::password) {
      auto account = (*dir)->authenticate(req.user, req.password);
      if (account && *account) r.identity = smtp::AuthIdentity{(*account)->id, (*account)->address};
    } else {
      auto keys = (*dir)->scram_credentials(req.user);
      if (keys && *keys) {
        r.identity = smtp::AuthIdentity{(*keys)->account.id, (*keys)->account.address};
        r.scram = (*keys)->credentials;
      }
    }
    return r;
  };
  // Password checks have their own threads, so hashing during a spray
  // never delays mail; known-good sources go first (guard.hpp).
  auto priority = services_.guard && services_.guard->trusted_source(ip_, unix_now()) ? ThreadPool::Priority::urgent
                                                                                     : ThreadPool::Priority::normal;
  smtp::AuthResult result = co_await run_blocking<smtp::AuthResult>(*services_.auth_workers, std::move(work), priority);
  session_->auth_done(std::move(result));
  co_await settle_auth(req.user);
}

// After an exchange step that may have ended an AUTH: PLAIN and LOGIN end
// in authenticate(), SCRAM-SHA-256 one client line later (the proof, then
// the empty answer), so this runs after each. A failure, whichever the
// mechanism, is logged, counted towards a ban and answered late.
asio::awaitable<void> Connection::settle_auth(std::string user) {
  if (session_->client().authenticated && !auth_logged_) {
    auth_logged_ = true;
    log::info("auth_succeeded", {{"session", id_}, {"user", session_->client().user}});
    if (services_.guard) services_.guard->record_login(ip_, unix_now());
  } else if (session_->take_auth_failure()) {
    log::info("auth_failed", {{"session", id_}, {"ip", ip_}, {"user", user}});
    // Slows guessing down (more for an account under attack); the reply
    // waits, the connection stays usable. Enough failures ban the source.
    std::chrono::milliseconds wait = kAuthFailureDelay;
    if (services_.guard) {
      wait = std::max(wait, services_.guard->account_failure(user, unix_now()));
      services_.guard->record(ip_, guard::Offense::auth_failure, 1, "smtp " + user, unix_now());
    }
    asio::steady_timer delay(stream_.socket().get_executor());
    delay.expires_after(wait);
    co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Connection::deliver() {
  const auto& env = session_->envelope();
  delivery::LocalMessage msg;
  msg.content = session_->take_message();
  // Recipients outside our domains (accepted only from authenticated
  // submission) go to the outbound queue; it must hold them durably before
  // we answer 250, like the store for local ones.
  std::vector<std::string> remote;
  for (const auto& r : env.recipients) {
    auto at = r.rfind('@');
    std::string domain = at == std::string::npos ? std::string() : to_lower_ascii(r.substr(at + 1));
    if (!services_.policy->is_local_domain(domain)) remote.push_back(r);
  }
  if (!remote.empty()) {
    if (!services_.enqueue) {
      session_->delivery_done(Status(temporary_error("outbound delivery is not available")));
      co_return;
    }
    std::function<void(std::function<void(Result<int64_t>)>)> begin =
        [this, qm = queue::NewMessage{env.mail_from, remote, msg.content, false}](
            std::function<void(Result<int64_t>)> done) mutable { services_.enqueue(std::move(qm), std::move(done)); };
    auto queue_started = std::chrono::steady_clock::now();
    Result<int64_t> queued = co_await from_callback<Result<int64_t>>(begin);
    auto queue_ms =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - queue_started).count() /
        1000.0;
    if (!queued) {
      log::error("queue_failed", {{"session", id_}, {"error", queued.error().message}});
      session_->delivery_done(Status(queued.error()));
      co_return;
    }
    log::info("queued", {{"session", id_}, {"from", env.mail_from}, {"recipients", remote.size()},
                         {"queue_id", *queued}, {"queue_ms", queue_ms}});
    if (env.accounts.empty()) {
      ++messages_;
      session_->delivery_done(Status(Ok{}));
      co_return;
    }
  }
  msg.return_path = env.mail_from;
  msg.accounts = env.accounts;
  msg.received_at = static_cast<int64_t>(std::time(nullptr));
  auto size = msg.content.size();
  auto started = std::chrono::steady_clock::now();
  // Named, not a temporary inside co_await (GCC 12 coroutine lifetime bugs).
  store::Delivery request = delivery::prepare_local_delivery(std::move(msg));
  auto result = co_await async_deliver(*services_.store, std::move(request), asio::use_awaitable);
  auto ms = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count() / 1000.0;
  if (result) {
    ++messages_;
    log::info("delivered", {{"session", id_}, {"from", env.mail_from}, {"recipients", env.recipients.size()},
                            {"size", size}, {"blob", result->blob_hash.substr(0, 16)}, {"store_ms", ms}});
    session_->delivery_done(Status(Ok{}));
  } else {
    log::error("delivery_failed", {{"session", id_}, {"error", result.error().message}});
    session_->delivery_done(Status(result.error()));
  }
}

asio::awaitable<void> Connection::run() {
  boost::system::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (ec) co_return;
  ip_ = remote.address().to_string();
  id_ = SessionRegistry::new_session_id();
  std::function<void()> on_shutdown = [self = shared_from_this()] { self->request_shutdown(); };
  // RFC 5321 §3.8: 421 <domain> first; RFC 3463 codes: 4.3.2 system not
  // accepting messages, 4.7.0 refused by policy.
  const std::string& host = services_.options.hostname;
  RefusalReplies replies{"421 4.3.2 " + host + " Service shutting down\r\n",
                         "421 4.3.2 " + host + " Too many connections, try again later\r\n",
                         "421 4.7.0 " + host + " Too many connections from your address\r\n"};
  std::optional<uint64_t> reg_id = co_await admit(stream_, *services_.registry, SessionProtocol::smtp, ip_,
                                                  std::move(on_shutdown), std::move(replies), services_.tls,
                                                  mode_ == TlsMode::implicit);
  if (!reg_id) co_return;
  log::info("connect", {{"session", id_}, {"ip", ip_}, {"port", remote.port()}});
  stream_.socket().set_option(tcp::no_delay(true), ec);

  smtp::SessionOptions opts = services_.options;
  bool ok = true;
  if (mode_ == TlsMode::implicit) {
    ok = co_await handshake();
    opts.tls_active = true;
    opts.starttls_available = false;
  } else {
    opts.tls_active = false;
    opts.starttls_available = mode_ == TlsMode::starttls && services_.tls && services_.tls->configured();
  }
  if (ok) {
    opts.submission = submission_;
    opts.plaintext_auth_allowed = services_.dev_mode && remote.address().is_loopback();
    smtp::ClientInfo client{ip_, remote.port(), id_, false};
    client.trusted = !submission_ && in_networks(ip_, services_.trusted_networks);
    session_ = std::make_unique<smtp::Session>(opts, client, *services_.policy);
    session_->start();
    LineDeadline line(std::chrono::seconds(services_.line_timeout_seconds));
    CommandPacer pacer(services_.registry->limits().commands_per_second, services_.registry->limits().command_burst);
    std::array<char, kReadBufferSize> buf;
    for (;;) {
      std::string out = session_->take_output();
      if (!out.empty()) {
        bool written = co_await stream_.write_all(out, kWriteTimeout);
        if (!written) break;
      }
      auto action = session_->next_action();
      if (action == smtp::Session::Action::close) break;
      if (action == smtp::Session::Action::deliver) {
        co_await deliver();
        continue;
      }
      if (action == smtp::Session::Action::authenticate) {
        co_await authenticate();
        continue;
      }
      if (action == smtp::Session::Action::start_tls) {
        if (!co_await handshake()) break;
        session_->tls_established();
        continue;
      }
      // Action::read
      if (shutdown_requested_ && !session_->in_transaction()) {
        session_->on_shutdown();
        continue;
      }
      auto pace = pacer.record(session_->commands());
      if (pace > std::chrono::steady_clock::duration::zero()) {
        if (pacer.throttled() == 1) log::info("command_rate_paced", {{"session", id_}, {"ip", ip_}});
        co_await stream_.pause(pace);
      }
      waiting_for_command_ = !session_->in_transaction();
      auto timeout = line.read_timeout(std::chrono::seconds(
          session_->in_transaction() ? services_.data_timeout_seconds : services_.command_timeout_seconds));
      size_t n = co_await stream_.read_some(buf.data(), buf.size(), timeout);
      waiting_for_command_ = false;
      if (n == 0) {
        if (stream_.timed_out()) {
          log::info(line.expired() ? "line_timeout" : "timeout", {{"session", id_}, {"ip", ip_}});
          line.reset();
          session_->on_timeout();
          continue;
        }
        if (shutdown_requested_ && stream_.cancelled()) continue;  // our own cancel: say 421 and close
        break;                              // peer closed or network error
      }
      session_->receive(std::string_view(buf.data(), n));
      co_await settle_auth(session_->auth_request().user);
      line.update(session_->partial_command());
      if (line.expired()) {
        log::info("line_timeout", {{"session", id_}, {"ip", ip_}});
        line.reset();
        session_->on_timeout();
      }
    }
  }
  co_await stream_.close();
  services_.registry->remove(*reg_id);
  if (services_.guard && session_ && session_->error_count() > 0)
    services_.guard->record(ip_, guard::Offense::protocol_error, session_->error_count(), "smtp errors", unix_now());
  log::info("disconnect", {{"session", id_}, {"messages", messages_}});
}

}  // namespace

asio::awaitable<void> run_smtp_connection(tcp::socket socket, TlsMode tls_mode, SmtpServices& services,
                                          bool submission) {
  auto conn = std::make_shared<Connection>(std::move(socket), tls_mode, services, submission);
  try {
    co_await conn->run();
  } catch (const std::exception& e) {
    log::error("session_crashed", {{"error", e.what()}});
  }
}

}  // namespace postern::net
