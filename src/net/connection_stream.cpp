// ConnectionStream: Asio reads/writes/handshakes as values, with a
// cancel-on-deadline watchdog.
#include "net/connection_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace postern::net {
namespace asio = boost::asio;
using asio::ip::tcp;

ConnectionStream::ConnectionStream(tcp::socket socket) : socket_(std::move(socket)), watchdog_(socket_.get_executor()) {}

void ConnectionStream::arm(std::chrono::steady_clock::duration d) {
  timed_out_ = false;
  *timed_out_flag_ = false;
  watchdog_.expires_after(d);
  // The handler may outlive this object (cancelled at destruction): it only
  // touches the shared flag and the socket through a check of that flag.
  auto flag = timed_out_flag_;
  watchdog_.async_wait([this, flag](boost::system::error_code ec) {
    if (ec) return;
    *flag = true;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  });
}

void ConnectionStream::disarm() {
  watchdog_.cancel();
  timed_out_ = *timed_out_flag_;
}

void ConnectionStream::cancel() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

asio::awaitable<size_t> ConnectionStream::read_some(char* data, size_t size, std::chrono::steady_clock::duration timeout) {
  arm(timeout);
  boost::system::error_code ec;
  size_t n = 0;
  if (tls_) std::tie(ec, n) = co_await tls_->async_read_some(asio::buffer(data, size), asio::as_tuple(asio::use_awaitable));
  else std::tie(ec, n) = co_await socket_.async_read_some(asio::buffer(data, size), asio::as_tuple(asio::use_awaitable));
  disarm();
  cancelled_ = ec == asio::error::operation_aborted && !timed_out_;
  if (ec) {
    last_error_ = ec.message();
    co_return 0;
  }
  co_return n;
}

asio::awaitable<bool> ConnectionStream::write_all(std::string_view data, std::chrono::steady_clock::duration timeout) {
  arm(timeout);
  boost::system::error_code ec;
  if (tls_) std::tie(ec, std::ignore) = co_await asio::async_write(*tls_, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
  else std::tie(ec, std::ignore) = co_await asio::async_write(socket_, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
  disarm();
  if (ec) last_error_ = ec.message();
  co_return !ec;
}

asio::awaitable<bool> ConnectionStream::handshake(const TlsContexts& tls, std::chrono::steady_clock::duration timeout) {
  tls_ctx_ = tls.current();
  if (!tls_ctx_) {
    last_error_ = "no TLS certificate configured";
    co_return false;
  }
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls_ctx_);
  bool ok = co_await run_handshake(asio::ssl::stream_base::server, timeout);
  co_return ok;
}

asio::awaitable<bool> ConnectionStream::run_handshake(asio::ssl::stream_base::handshake_type type,
                                                     std::chrono::steady_clock::duration timeout) {
  arm(timeout);
  auto [ec] = co_await tls_->async_handshake(type, asio::as_tuple(asio::use_awaitable));
  disarm();
  if (ec) {
    last_error_ = ec.message();
    tls_.reset();
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> ConnectionStream::client_handshake(std::shared_ptr<asio::ssl::context> ctx, const std::string& host,
                                                        std::chrono::steady_clock::duration timeout) {
  tls_ctx_ = std::move(ctx);
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls_ctx_);
  SSL* ssl = tls_->native_handle();
  // An IP literal (a smarthost given by address) is matched against the
  // certificate's IP SANs and is never sent as SNI (RFC 6066 §3).
  boost::system::error_code not_ip;
  asio::ip::make_address(host, not_ip);
  if (not_ip) {
    SSL_set_tlsext_host_name(ssl, host.c_str());
    X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), host.c_str(), 0);
  } else {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  }
  bool ok = co_await run_handshake(asio::ssl::stream_base::client, timeout);
  co_return ok;
}

std::string ConnectionStream::verify_result() const {
  if (!tls_) return "no TLS";
  long r = SSL_get_verify_result(tls_->native_handle());
  if (r == X509_V_OK && SSL_get0_peer_certificate(tls_->native_handle())) return "ok";
  return X509_verify_cert_error_string(r);
}

std::string ConnectionStream::tls_version() const { return tls_ ? SSL_get_version(tls_->native_handle()) : ""; }

std::string ConnectionStream::tls_cipher() const { return tls_ ? SSL_get_cipher_name(tls_->native_handle()) : ""; }

asio::awaitable<void> ConnectionStream::refuse(std::string_view reply, const TlsContexts* tls, bool implicit_tls) {
  bool can_write = !implicit_tls;
  if (implicit_tls && tls) can_write = co_await handshake(*tls, std::chrono::seconds(5));
  if (can_write) co_await write_all(reply, std::chrono::seconds(5));
  co_await close();
}

asio::awaitable<void> ConnectionStream::pause(std::chrono::steady_clock::duration d) {
  asio::steady_timer t(socket_.get_executor());
  t.expires_after(d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> ConnectionStream::close() {
  if (tls_ && !timed_out_) {
    arm(std::chrono::seconds(5));
    co_await tls_->async_shutdown(asio::as_tuple(asio::use_awaitable));
    disarm();
  }
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  watchdog_.cancel();
}

}  // namespace postern::net
