// Idle outbound SMTP connections kept for the next message to the same
// destination, as Postfix's connection cache (scache(8)) does: connecting,
// EHLO, STARTTLS and AUTH are paid once for many messages instead of once
// per message. A connection enters the cache only when its session is idle
// (the last transaction ended and the server accepted the RSET after it);
// it leaves when a delivery to the same destination takes it, when it has
// been idle `idle` long, or when it has carried `max_messages` messages or
// lived `max_age` (then QUIT). The cache never decides where mail goes and
// holds no connection that is in use, so per-destination concurrency stays
// the queue runner's. Event-loop thread only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "net/smtp_client_connection.hpp"

namespace postern::net {

class SmtpConnectionCache {
 public:
  struct Limits {
    unsigned max_messages = 100;          // transactions on one connection
    std::chrono::seconds max_age{300};    // lifetime of one connection
    std::chrono::seconds idle{5};         // an unused connection is closed after this
    size_t max_idle = 20;                 // idle connections kept at once, all destinations
  };

  SmtpConnectionCache(boost::asio::any_io_executor ex, Limits limits);
  ~SmtpConnectionCache();
  SmtpConnectionCache(const SmtpConnectionCache&) = delete;
  SmtpConnectionCache& operator=(const SmtpConnectionCache&) = delete;

  // Whether connections are kept at all (max_messages > 1 and idle > 0).
  bool enabled() const { return limits_.max_messages > 1 && limits_.idle.count() > 0; }

  // An idle connection for `key` (a destination address with the TLS and
  // AUTH settings used on it), or null. Connections past their limits or
  // whose server hung up meanwhile are closed instead of returned.
  std::unique_ptr<SmtpClientConnection> take(const std::string& key);
  // After a transaction: keeps `conn` for reuse if it is idle and within
  // its limits, else closes it (QUIT) in the background.
  void give_back(const std::string& key, std::unique_ptr<SmtpClientConnection> conn);
  // Closes every idle connection (shutdown).
  void close_all();

  size_t idle_count() const { return idle_.size(); }

 private:
  struct Idle {
    std::unique_ptr<SmtpClientConnection> conn;
    std::chrono::steady_clock::time_point since;
  };
  bool within_limits(SmtpClientConnection& conn, std::chrono::steady_clock::time_point now) const;
  void close_in_background(std::unique_ptr<SmtpClientConnection> conn);
  void arm_sweep();
  void sweep();

  boost::asio::any_io_executor ex_;
  Limits limits_;
  std::multimap<std::string, Idle> idle_;  // per key, oldest first
  boost::asio::steady_timer sweep_timer_;
  bool sweep_armed_ = false;
};

}  // namespace postern::net
