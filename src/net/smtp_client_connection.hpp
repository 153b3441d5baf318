// The outbound SMTP adapter: connects to one address of a remote MX (or the
// smarthost) with a deadline, then drives a sans-I/O smtp::client::
// ClientSession over a ConnectionStream: writes what it produces, feeds it
// what arrives, performs STARTTLS when it asks (certificate verification is
// logged, not enforced for MX hosts: opportunistic TLS, RFC 7435; enforced
// for a smarthost), and enforces the RFC
// 5321 §4.5.3.2 timeouts the session reports.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "smtp/client/session.hpp"

namespace postern::net {

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

// Runs `session` to completion (session.done() afterwards, always): a
// connection failure or timeout ends it with transient results. Never throws.
boost::asio::awaitable<void> run_smtp_client(ClientTarget target, smtp::client::ClientSession& session,
                                             std::chrono::seconds connect_timeout,
                                             std::shared_ptr<boost::asio::ssl::context> tls);

}  // namespace postern::net
