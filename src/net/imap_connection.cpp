// The IMAP adapter. Two things drive a Session: the read loop (client
// commands) and store notifications (another session or a delivery changed
// the account). Both run on the connection's event loop; the Session allows
// them to overlap, and writes are serialized here by a single writer.
#include "net/imap_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <atomic>
#include <ctime>
#include <optional>

#include "core/deflate_stream.hpp"
#include "core/command_pacer.hpp"
#include "core/line_deadline.hpp"
#include "core/log.hpp"
#include "guard/guard.hpp"
#include "imap/session/session.hpp"
#include "net/admission.hpp"
#include "net/connection_stream.hpp"

namespace postern::net {
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto kTlsHandshakeTimeout = ConnectionStream::kHandshakeTimeout;
constexpr auto kWriteTimeout = ConnectionStream::kWriteTimeout;
constexpr size_t kInflateSlice = 64 * 1024;  // decompressed octets handed to the session at a time
constexpr size_t kReadBufferSize = 8 * 1024;
constexpr std::chrono::milliseconds kAuthFailureDelay{1000};

int64_t unix_now() { return static_cast<int64_t>(std::time(nullptr)); }

bool is_loopback(const asio::ip::address& a) {
  if (a.is_loopback()) return true;
  return a.is_v6() && a.to_v6().is_v4_mapped() && asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback();
}

class ImapConnection : public std::enable_shared_from_this<ImapConnection> {
 public:
  ImapConnection(tcp::socket socket, TlsMode mode, ImapServices& services)
      : stream_(std::move(socket)), mode_(mode), services_(services) {}

  asio::awaitable<void> run();

 private:
  asio::awaitable<void> flush();
  // A failed login: tell the guard, and hold the answer back a while.
  asio::awaitable<void> after_auth_failure();
  // COMPRESS DEFLATE was accepted: the OK goes out plain, then both
  // directions deflate; bytes that followed the command are inflated.
  asio::awaitable<bool> start_compression();
  asio::awaitable<bool> receive(std::string_view raw);
  void watch_account();
  void on_change();
  void request_shutdown();

  ConnectionStream stream_;
  TlsMode mode_;
  ImapServices& services_;
  std::unique_ptr<imap::Session> session_;
  std::unique_ptr<DeflateStream> deflater_;  // RFC 4978, once COMPRESS is active
  std::unique_ptr<InflateStream> inflater_;
  store::ChangeNotifier::Subscription subscription_;
  std::string id_, ip_;
  bool writing_ = false;
  bool write_failed_ = false;
  bool closing_ = false;
  bool change_pending_ = false;
  bool watching_ = false;
  bool shutdown_requested_ = false;
};

asio::awaitable<void> ImapConnection::after_auth_failure() {
  const std::string& user = session_->failed_user();
  log::info("auth_failed", {{"session", id_}, {"protocol", "imap"}, {"ip", ip_}, {"user", user}});
  std::chrono::milliseconds wait = kAuthFailureDelay;
  if (services_.guard) {
    wait = std::max(wait, services_.guard->account_failure(user, unix_now()));
    services_.guard->record(ip_, guard::Offense::auth_failure, 1, "imap " + user, unix_now());
  }
  asio::steady_timer delay(stream_.socket().get_executor());
  delay.expires_after(wait);
  co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> ImapConnection::flush() {
  // One writer at a time; a second caller leaves its output to the first,
  // which loops until the session has nothing more to say.
  if (writing_) co_return;
  writing_ = true;
  for (;;) {
    std::string out = session_->take_output();
    if (out.empty() || write_failed_) break;
    if (deflater_) out = deflater_->compress(out);
    if (!co_await stream_.write_all(out, kWriteTimeout)) {
      write_failed_ = true;
      stream_.cancel();
    }
  }
  writing_ = false;
}

asio::awaitable<bool> ImapConnection::receive(std::string_view raw) {
  if (!inflater_) {
    co_await session_->receive(raw);
    co_return true;
  }
  // In slices: DEFLATE expands up to ~1000:1, and one read must not turn
  // into megabytes held at once; the session's own limits see each slice.
  inflater_->feed(raw);
  for (;;) {
    auto plain = inflater_->take(kInflateSlice);
    if (!plain) {
      log::info("imap_compression_error", {{"session", id_}, {"error", plain.error().message}});
      co_return false;
    }
    if (plain->empty() || session_->wants_close()) break;
    co_await session_->receive(*plain);
  }
  co_return true;
}

asio::awaitable<bool> ImapConnection::start_compression() {
  // The OK must leave uncompressed: wait out a notification's writer.
  asio::steady_timer wait(stream_.socket().get_executor());
  for (int i = 0; writing_ && i < 1000; ++i) {
    wait.expires_after(1ms);
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_await flush();
  if (write_failed_) co_return false;
  deflater_ = std::make_unique<DeflateStream>();
  inflater_ = std::make_unique<InflateStream>();
  std::string rest = session_->compression_started();
  log::info("imap_compression_started", {{"session", id_}});
  if (rest.empty()) co_return true;
  bool ok = co_await receive(rest);
  if (ok) co_await flush();
  co_return ok;
}

void ImapConnection::on_change() {
  log::debug("imap_change_notified", {{"session", id_}});
  if (closing_ || change_pending_) return;
  change_pending_ = true;
  asio::co_spawn(stream_.socket().get_executor(), [self = shared_from_this()]() -> asio::awaitable<void> {
    self->change_pending_ = false;
    if (self->closing_) co_return;
    co_await self->session_->mailbox_changed();
    co_await self->flush();
  }, asio::detached);
}

void ImapConnection::watch_account() {
  if (watching_ || !services_.changes) return;
  auto account = session_->account_id();
  if (!account) return;
  watching_ = true;
  log::debug("imap_watching", {{"session", id_}, {"account", *account}});
  // The callback runs on the committer thread: hop to our loop. A weak
  // reference, because the connection may be gone by then.
  std::weak_ptr<ImapConnection> weak = shared_from_this();
  auto ex = stream_.socket().get_executor();
  subscription_ = services_.changes->subscribe(*account, [weak, ex](int64_t, int64_t) {
    asio::post(ex, [weak] {
      if (auto self = weak.lock()) self->on_change();
    });
  });
}

void ImapConnection::request_shutdown() {
  asio::post(stream_.socket().get_executor(), [self = shared_from_this()] {
    self->shutdown_requested_ = true;
    self->stream_.cancel();
  });
}

asio::awaitable<void> ImapConnection::run() {
  boost::system::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (ec) co_return;
  ip_ = remote.address().to_string();
  id_ = SessionRegistry::new_session_id();
  std::function<void()> on_shutdown = [self = shared_from_this()] { self->request_shutdown(); };
  // RFC 9051 §7.1.5 BYE; RFC 5530 UNAVAILABLE: temporary, try later.
  RefusalReplies replies{"* BYE [UNAVAILABLE] Server shutting down\r\n",
                         "* BYE [UNAVAILABLE] Too many connections, try again later\r\n",
                         "* BYE [UNAVAILABLE] Too many connections from your address\r\n"};
  std::optional<uint64_t> reg_id = co_await admit(stream_, *services_.registry, SessionProtocol::imap, ip_,
                                                  std::move(on_shutdown), std::move(replies), services_.tls,
                                                  mode_ == TlsMode::implicit);
  if (!reg_id) co_return;
  log::info("connect", {{"session", id_}, {"protocol", "imap"}, {"ip", ip_}, {"port", remote.port()}});
  stream_.socket().set_option(tcp::no_delay(true), ec);

  bool ok = true;
  if (mode_ == TlsMode::implicit) {
    // No co_await inside && / || : GCC 12 miscompiles it (see awaitable_bridge.hpp).
    ok = false;
    if (services_.tls) ok = co_await stream_.handshake(*services_.tls, kTlsHandshakeTimeout);
    if (ok) log::info("tls_established", {{"session", id_}, {"version", stream_.tls_version()}, {"cipher", stream_.tls_cipher()}});
    else log::info("tls_failed", {{"session", id_}, {"error", stream_.last_error()}});
  }
  if (ok) {
    imap::SessionOptions opts;
    opts.hostname = services_.hostname;
    opts.tls_active = stream_.tls_active();
    opts.starttls_available = !opts.tls_active && mode_ == TlsMode::starttls && services_.tls;
    // Plaintext passwords only inside TLS, except on loopback in dev mode.
    opts.allow_plaintext_auth = opts.tls_active || (services_.dev_mode && is_loopback(remote.address()));
    opts.limits = services_.limits;
    opts.client_address = ip_;
    session_ = std::make_unique<imap::Session>(opts, *services_.access);
    std::string greeting = session_->greeting();
    ok = co_await stream_.write_all(greeting, kWriteTimeout);
  }
  // Before login, a command begun must end within line_timeout_seconds
  // however slowly it trickles in (slowloris); after login, literals of
  // big APPENDs may legitimately take long.
  LineDeadline line(std::chrono::seconds(services_.line_timeout_seconds));
  CommandPacer pacer(services_.registry->limits().commands_per_second, services_.registry->limits().command_burst);
  std::array<char, kReadBufferSize> buf;
  while (ok && !write_failed_) {
    if (session_->wants_close()) break;
    if (session_->wants_starttls()) {
      co_await flush();
      bool upgraded = false;
      if (services_.tls) upgraded = co_await stream_.handshake(*services_.tls, kTlsHandshakeTimeout);
      if (!upgraded) {
        log::info("tls_failed", {{"session", id_}, {"error", stream_.last_error()}});
        break;
      }
      log::info("tls_established", {{"session", id_}, {"version", stream_.tls_version()}, {"cipher", stream_.tls_cipher()}});
      session_->tls_established();
      continue;
    }
    if (session_->wants_compress()) {
      bool started = co_await start_compression();
      if (!started) break;
      continue;
    }
    if (shutdown_requested_) {
      // Between commands: say goodbye (RFC 9051 §7.1.5 BYE) and close.
      closing_ = true;
      std::string bye = "* BYE Server shutting down\r\n";
      if (deflater_) bye = deflater_->compress(bye);
      co_await stream_.write_all(bye, 5s);
      break;
    }
    auto pace = pacer.record(session_->commands());
    if (pace > std::chrono::steady_clock::duration::zero()) {
      if (pacer.throttled() == 1) log::info("command_rate_paced", {{"session", id_}, {"ip", ip_}});
      co_await stream_.pause(pace);
    }
    auto timeout = line.read_timeout(std::chrono::seconds(
        session_->account_id() ? services_.idle_timeout_seconds : services_.login_timeout_seconds));
    size_t n = co_await stream_.read_some(buf.data(), buf.size(), timeout);
    if (n == 0) {
      if (stream_.timed_out()) {
        log::info(line.expired() ? "line_timeout" : "timeout", {{"session", id_}, {"ip", ip_}});
        session_->on_timeout();
        co_await flush();
      }
      if (shutdown_requested_ && stream_.cancelled()) continue;
      break;
    }
    bool received = co_await receive(std::string_view(buf.data(), n));
    if (!received) break;
    if (session_->take_auth_failures() > 0) co_await after_auth_failure();
    line.update(!session_->account_id() && session_->partial_command());
    if (line.expired()) {
      log::info("line_timeout", {{"session", id_}, {"ip", ip_}});
      session_->on_timeout();
      co_await flush();
      break;
    }
    co_await flush();
    watch_account();
  }
  closing_ = true;
  subscription_.reset();
  // A notification's flush may still be writing: let it finish.
  asio::steady_timer wait(stream_.socket().get_executor());
  for (int i = 0; writing_ && i < 100; ++i) {
    wait.expires_after(50ms);
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_await stream_.close();
  services_.registry->remove(*reg_id);
  if (services_.guard && session_ && session_->bad_commands() > 0)
    services_.guard->record(ip_, guard::Offense::protocol_error, static_cast<unsigned>(session_->bad_commands()),
                            "imap BAD", unix_now());
  log::info("disconnect", {{"session", id_}, {"protocol", "imap"}});
}

}  // namespace

asio::awaitable<void> run_imap_connection(tcp::socket socket, TlsMode tls_mode, ImapServices& services) {
  auto conn = std::make_shared<ImapConnection>(std::move(socket), tls_mode, services);
  try {
    co_await conn->run();
  } catch (const std::exception& e) {
    log::error("session_crashed", {{"protocol", "imap"}, {"error", e.what()}});
  }
}

}  // namespace postern::net
