// A client connection's byte stream, plain or TLS (implicit, or upgraded by
// STARTTLS), with a watchdog timer: every read, write and handshake has a
// deadline after which the socket is cancelled. Errors are returned as
// values; one instance per connection, used from its event loop only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "net/tls_contexts.hpp"

namespace postern::net {

class ConnectionStream {
 public:
  // Deadlines shared by every protocol: a TLS handshake, and one write.
  static constexpr std::chrono::seconds kHandshakeTimeout{30};
  static constexpr std::chrono::seconds kWriteTimeout{60};

  explicit ConnectionStream(boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::socket& socket() { return socket_; }
  bool tls_active() const { return tls_ != nullptr; }
  // True when the last operation ended because its deadline passed.
  bool timed_out() const { return timed_out_; }
  // True when the last read ended because cancel() was called.
  bool cancelled() const { return cancelled_; }

  // Reads what is available (at most buffer.size()); 0 on EOF or error.
  boost::asio::awaitable<size_t> read_some(char* data, size_t size, std::chrono::steady_clock::duration timeout);
  boost::asio::awaitable<bool> write_all(std::string_view data, std::chrono::steady_clock::duration timeout);
  // Server-side TLS handshake with the current context; false on failure
  // (the reason is in last_error()).
  boost::asio::awaitable<bool> handshake(const TlsContexts& tls, std::chrono::steady_clock::duration timeout);
  // Client-side TLS handshake (outbound SMTP STARTTLS, implicit-TLS
  // smarthost): SNI and the expected host name are `host`. The peer's
  // certificate is checked but a failed check does not abort (opportunistic
  // TLS, RFC 7435); verify_result() says what the check found.
  boost::asio::awaitable<bool> client_handshake(std::shared_ptr<boost::asio::ssl::context> ctx, const std::string& host,
                                                std::chrono::steady_clock::duration timeout);
  // "ok", or OpenSSL's reason the peer certificate did not verify.
  std::string verify_result() const;
  // TLS close_notify (bounded), then socket shutdown and close.
  boost::asio::awaitable<void> close();
  // Cancels a pending read (e.g. to deliver a shutdown request).
  void cancel();
  // Tells a client it was not admitted (a connection limit, shutdown) and
  // closes. On an implicit-TLS port the reply is sent inside TLS after a
  // short handshake, so the client can show it; without a certificate it
  // just closes.
  boost::asio::awaitable<void> refuse(std::string_view reply, const TlsContexts* tls, bool implicit_tls);
  // Waits without reading (command-rate pacing).
  boost::asio::awaitable<void> pause(std::chrono::steady_clock::duration d);

  std::string tls_version() const;  // "TLSv1.3", or "" without TLS
  std::string tls_cipher() const;   // "TLS_AES_256_GCM_SHA384", or ""
  const std::string& last_error() const { return last_error_; }

 private:
  // The handshake itself, once tls_ is set up: deadline, and on failure
  // the error kept and the TLS layer dropped.
  boost::asio::awaitable<bool> run_handshake(boost::asio::ssl::stream_base::handshake_type type,
                                             std::chrono::steady_clock::duration timeout);
  void arm(std::chrono::steady_clock::duration d);
  void disarm();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer watchdog_;
  std::shared_ptr<boost::asio::ssl::context> tls_ctx_;  // kept alive while the stream uses it
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  std::shared_ptr<bool> timed_out_flag_ = std::make_shared<bool>(false);
  bool timed_out_ = false;
  bool cancelled_ = false;
  std::string last_error_;
};

}  // namespace postern::net
