// A listening socket from config and its accept loop: each accepted socket
// moves to the next event loop and runs the protocol's connection handler
// there. Binding happens at construction (before privileges are dropped).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <string>

#include "core/config.hpp"
#include "net/event_loops.hpp"

namespace postern::net {

using ConnectionHandler = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

class Listener {
 public:
  // Throws std::system_error naming the address when it cannot be bound.
  Listener(boost::asio::io_context& accept_context, const ListenerConfig& config);
  // Starts accepting; sessions are spread over `loops`.
  void start(EventLoops& loops, ConnectionHandler handler);
  // Stops accepting (thread-safe).
  void close();
  // Called with the peer's address for each accepted socket, before the
  // handler (and before TLS): false drops the connection at once. Set
  // before start().
  void set_gate(std::function<bool(const std::string& ip)> gate) { gate_ = std::move(gate); }
  const ListenerConfig& config() const { return config_; }

 private:
  ListenerConfig config_;
  boost::asio::ip::tcp::acceptor acceptor_;
  ConnectionHandler handler_;
  std::function<bool(const std::string& ip)> gate_;
};

}  // namespace postern::net
