// Outbound SMTP over Asio; see smtp_client_connection.hpp.
#include "net/smtp_client_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

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

asio::awaitable<void> run_smtp_client(ClientTarget target, smtp::client::ClientSession& session,
                                      std::chrono::seconds connect_timeout, std::shared_ptr<asio::ssl::context> tls) {
  auto ex = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(target.address, ec);
  if (ec) {
    session.connection_lost("bad address " + target.address);
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
  tcp::endpoint endpoint(ip, target.port);
  auto [cec] = co_await socket.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
  deadline.cancel();
  if (cec || connect_timed_out) {
    std::string why = connect_timed_out ? "connect timed out" : cec.message();
    log::info("smtp_client_connect_failed", {{"host", target.host}, {"address", target.address}, {"error", why}});
    session.connection_lost("cannot connect to " + target.host + " [" + target.address + "]: " + why);
    co_return;
  }
  ConnectionStream stream(std::move(socket));
  log::info("smtp_client_connected", {{"host", target.host}, {"address", target.address}, {"port", target.port}});
  if (target.implicit_tls) {
    bool ok = co_await stream.client_handshake(tls, target.host, kTlsHandshakeTimeout);
    if (!ok) {
      session.connection_lost("TLS handshake with " + target.host + " failed: " + stream.last_error());
      co_await stream.close();
      co_return;
    }
    log::info("smtp_client_tls", {{"host", target.host}, {"version", stream.tls_version()},
                                  {"verify", stream.verify_result()}});
    if (auto why = untrusted_reason(target, stream); !why.empty()) {
      log::warn("smtp_client_untrusted", {{"host", target.host}, {"error", why}});
      session.connection_lost(why);
      co_await stream.close();
      co_return;
    }
  }
  std::array<char, kReadBufferSize> buffer;
  while (!session.done()) {
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
        session.connection_lost("write to " + target.host + " failed: " +
                                (stream.timed_out() ? std::string("timeout") : stream.last_error()));
        break;
      }
      continue;  // the session may have more to say before it waits
    }
    if (session.wants_tls()) {
      bool ok = co_await stream.client_handshake(tls, target.host, kTlsHandshakeTimeout);
      if (ok) {
        log::info("smtp_client_tls", {{"host", target.host}, {"version", stream.tls_version()},
                                      {"verify", stream.verify_result()}});
        if (auto why = untrusted_reason(target, stream); !why.empty()) {
          log::warn("smtp_client_untrusted", {{"host", target.host}, {"error", why}});
          session.connection_lost(why);
          break;
        }
        session.tls_established();
      } else {
        log::info("smtp_client_tls_failed", {{"host", target.host}, {"error", stream.last_error()}});
        session.tls_failed(stream.last_error());
      }
      continue;
    }
    auto wait = std::chrono::steady_clock::duration(session.timeout());
    size_t n = co_await stream.read_some(buffer.data(), buffer.size(), wait);
    if (n == 0) {
      session.connection_lost(stream.timed_out() ? "timeout waiting for a reply from " + target.host
                                                 : "connection to " + target.host + " closed: " + stream.last_error());
      break;
    }
    session.receive(std::string_view(buffer.data(), n));
  }
  co_await stream.close();
}

}  // namespace postern::net
