// Outbound SMTP over Asio; see smtp_client_connection.hpp.
#include "net/smtp_client_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <poll.h>

#include <array>

#include "core/log.hpp"
#include "net/connection_stream.hpp"

namespace postern::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr size_t kReadBufferSize = 16 * 1024;
constexpr size_t kBodyBlock = 64 * 1024;  // each block of the body gets the §4.5.3.2.5 deadline
constexpr std::chrono::seconds kTlsHandshakeTimeout{60};

// Empty when the TLS peer is acceptable for `target`, else why not.
std::string untrusted_reason(const ClientTarget& target, const ConnectionStream& stream) {
  if (!target.require_verified) return {};
  std::string verify = stream.verify_result();
  if (verify == "ok") return {};
  return "certificate of " + target.host + " not trusted (" + verify + "); mail is held rather than the password exposed";
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_client_tls_context() {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  // Verified, but not enforced: most MX hosts have certificates that would
  // fail strict checks, and plaintext would be the alternative (RFC 7435).
  ctx->set_verify_mode(asio::ssl::verify_none);
  return ctx;
}

SmtpClientConnection::SmtpClientConnection(ClientTarget target, std::unique_ptr<smtp::client::ClientSession> session,
                                           std::shared_ptr<asio::ssl::context> tls)
    : target_(std::move(target)), session_(std::move(session)), tls_(std::move(tls)) {}

SmtpClientConnection::~SmtpClientConnection() = default;

asio::awaitable<void> SmtpClientConnection::open(std::chrono::seconds connect_timeout) {
  auto& session = *session_;
  auto ex = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(target_.address, ec);
  if (ec) {
    session.connection_lost("bad address " + target_.address);
    co_return;
  }
  tcp::socket socket(ex);
  asio::steady_timer deadline(ex);
  deadline.expires_after(connect_timeout);
  bool connect_timed_out = false;
  // Named before the co_await (GCC 12: no capturing lambda inside one).
  auto on_deadline = [&socket, &connect_timed_out](boost::system::error_code e) {
    if (e) return;
    connect_timed_out = true;
    boost::system::error_code ignored;
    socket.close(ignored);
  };
  deadline.async_wait(on_deadline);
  tcp::endpoint endpoint(ip, target_.port);
  auto [cec] = co_await socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
  deadline.cancel();
  if (cec || connect_timed_out) {
    std::string why = connect_timed_out ? "connect timed out" : cec.message();
    log::info("smtp_client_connect_failed", {{"host", target_.host}, {"address", target_.address}, {"error", why}});
    session.connection_lost("cannot connect to " + target_.host + " [" + target_.address + "]: " + why);
    co_return;
  }
  stream_ = std::make_unique<ConnectionStream>(std::move(socket));
  opened_at_ = std::chrono::steady_clock::now();
  log::info("smtp_client_connected", {{"host", target_.host}, {"address", target_.address}, {"port", target_.port}});
  if (target_.implicit_tls) {
    bool ok = co_await stream_->client_handshake(tls_, target_.host, kTlsHandshakeTimeout);
    if (!ok) {
      session.connection_lost("TLS handshake with " + target_.host + " failed: " + stream_->last_error());
      co_await close();
      co_return;
    }
    log::info("smtp_client_tls", {{"host", target_.host}, {"version", stream_->tls_version()},
                                  {"verify", stream_->verify_result()}});
    if (auto why = untrusted_reason(target_, *stream_); !why.empty()) {
      log::warn("smtp_client_untrusted", {{"host", target_.host}, {"error", why}});
      session.connection_lost(why);
      co_await close();
      co_return;
    }
  }
  co_await drive();
}

asio::awaitable<void> SmtpClientConnection::run() {
  if (!stream_) {
    session_->connection_lost("connection to " + target_.host + " already closed");
    co_return;
  }
  co_await drive();
}

// Until the session is idle (kept for reuse) or done (then the stream is
// closed here).
asio::awaitable<void> SmtpClientConnection::drive() {
  auto& session = *session_;
  auto& stream = *stream_;
  std::array<char, kReadBufferSize> buffer;
  while (!session.done() && !session.idle()) {
    std::string out = session.take_output();
    if (!out.empty()) {
      bool body = session.sending_body();
      auto limit = body ? std::chrono::steady_clock::duration(session.data_block_timeout())
                        : std::chrono::steady_clock::duration(ConnectionStream::kWriteTimeout);
      bool ok = true;
      for (size_t at = 0; ok && at < out.size(); at += kBodyBlock) {
        std::string_view block = std::string_view(out).substr(at, kBodyBlock);
        ok = co_await stream.write_all(block, limit);
      }
      if (!ok) {
        session.connection_lost("write to " + target_.host + " failed: " +
                                (stream.timed_out() ? std::string("timeout") : stream.last_error()));
        break;
      }
      continue;  // the session may have more to say before it waits
    }
    if (session.wants_tls()) {
      bool ok = co_await stream.client_handshake(tls_, target_.host, kTlsHandshakeTimeout);
      if (ok) {
        log::info("smtp_client_tls", {{"host", target_.host}, {"version", stream.tls_version()},
                                      {"verify", stream.verify_result()}});
        if (auto why = untrusted_reason(target_, stream); !why.empty()) {
          log::warn("smtp_client_untrusted", {{"host", target_.host}, {"error", why}});
          session.connection_lost(why);
          break;
        }
        session.tls_established();
      } else {
        log::info("smtp_client_tls_failed", {{"host", target_.host}, {"error", stream.last_error()}});
        session.tls_failed(stream.last_error());
      }
      continue;
    }
    auto wait = std::chrono::steady_clock::duration(session.timeout());
    size_t n = co_await stream.read_some(buffer.data(), buffer.size(), wait);
    if (n == 0) {
      session.connection_lost(stream.timed_out() ? "timeout waiting for a reply from " + target_.host
                                                 : "connection to " + target_.host + " closed: " + stream.last_error());
      break;
    }
    session.receive(std::string_view(buffer.data(), n));
  }
  if (session.done()) co_await close();
}

asio::awaitable<void> SmtpClientConnection::close() {
  if (!stream_) co_return;
  if (session_->idle()) {
    session_->quit_idle();
    co_await drive();  // QUIT and its 221 (bounded by the QUIT timeout); closes when done
    co_return;
  }
  auto stream = std::move(stream_);
  co_await stream->close();
}

bool SmtpClientConnection::peer_gone() {
  if (!stream_) return true;
  // Readable while idle means EOF, a reset, or words the server should not
  // have sent (421 on its idle timeout, a TLS close_notify).
  pollfd p{stream_->socket().native_handle(), POLLIN | POLLRDHUP, 0};
  int n = ::poll(&p, 1, 0);
  return n != 0;
}

}  // namespace postern::net
