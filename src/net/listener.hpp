// SMTP listeners: an acceptor per configured address and the session
// adapter that drives the sans-I/O smtp::Session over a socket (plain,
// STARTTLS-upgraded or implicit TLS), with timeouts, per-IP limits,
// durable delivery through the store, and graceful shutdown.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <vector>

#include "core/config.hpp"
#include "net/event_loops.hpp"
#include "net/session_registry.hpp"
#include "net/tls_contexts.hpp"
#include "smtp/server/session.hpp"
#include "store/mail_store.hpp"

namespace postern::net {

struct SmtpServices {
  smtp::SessionOptions options;         // hostname and limits from [smtp]
  unsigned command_timeout_seconds = 300;
  unsigned data_timeout_seconds = 180;
  smtp::RecipientPolicy* policy = nullptr;  // thread-safe
  store::MailStore* store = nullptr;
  TlsContexts* tls = nullptr;
  SessionRegistry* registry = nullptr;
};

class SmtpListener {
 public:
  // Binds now (before privileges are dropped); throws std::system_error
  // with the address in the message when the address cannot be bound.
  SmtpListener(boost::asio::io_context& accept_context, const ListenerConfig& config);
  // Starts accepting; sessions are spread over `loops`.
  void start(EventLoops& loops, SmtpServices& services);
  // Stops accepting (thread-safe).
  void close();
  const ListenerConfig& config() const { return config_; }

 private:
  ListenerConfig config_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace postern::net
