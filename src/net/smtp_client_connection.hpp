// The outbound SMTP adapter: connects to one address of a remote MX (or the
// smarthost) with a deadline, then drives a sans-I/O smtp::client::
// ClientSession over a ConnectionStream: writes what it produces, feeds it
// what arrives, performs STARTTLS when it asks (certificate verification is
// logged, not enforced for MX hosts: opportunistic TLS, RFC 7435; enforced
// for a smarthost), and enforces the RFC 5321 §4.5.3.2 timeouts the session
// reports. A session with ClientOptions::reuse stops being driven when it is
// idle after a transaction: the connection stays open for the next message
// (net/smtp_connection_cache keeps such connections).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "smtp/client/session.hpp"

namespace postern::net {

class ConnectionStream;

struct ClientTarget {
  std::string host;     // MX or smarthost name: SNI, certificate name, logs
  std::string address;  // IP literal to connect to
  uint16_t port = 25;
  bool implicit_tls = false;  // TLS from the first byte (smarthost on 465)
  // Hang up unless the certificate verifies for `host`: a smarthost we send
  // a password to. MX hosts are only logged (opportunistic, RFC 7435).
  bool require_verified = false;
};

// A TLS client context: system trust store, TLS 1.2+, peer verification
// recorded rather than enforced.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context();

// One outbound connection: the session (protocol state, possibly across
// several transactions) and its stream while it is open.
class SmtpClientConnection {
 public:
  SmtpClientConnection(ClientTarget target, std::unique_ptr<smtp::client::ClientSession> session,
                       std::shared_ptr<boost::asio::ssl::context> tls);
  ~SmtpClientConnection();
  SmtpClientConnection(const SmtpClientConnection&) = delete;
  SmtpClientConnection& operator=(const SmtpClientConnection&) = delete;

  // Connects and runs the session's first transaction: returns when the
  // session is idle (connection kept) or done (connection closed; a failure
  // to connect ends it with transient results). Never throws.
  boost::asio::awaitable<void> open(std::chrono::seconds connect_timeout);
  // Runs the transaction the owner started with session().next_transaction()
  // on the open connection, until idle or done.
  boost::asio::awaitable<void> run();
  // QUIT (when idle) and close, bounded by the session's QUIT timeout.
  boost::asio::awaitable<void> close();

  // Whether the server hung up or sent something while the connection sat
  // idle (a non-blocking look at the socket): then it must not be reused.
  bool peer_gone();

  smtp::client::ClientSession& session() { return *session_; }
  const ClientTarget& target() const { return target_; }
  std::chrono::steady_clock::time_point opened_at() const { return opened_at_; }

 private:
  boost::asio::awaitable<void> drive();

  ClientTarget target_;
  std::unique_ptr<smtp::client::ClientSession> session_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::unique_ptr<ConnectionStream> stream_;  // set while connected
  std::chrono::steady_clock::time_point opened_at_;
};

}  // namespace postern::net
