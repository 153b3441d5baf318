// Listener: bind, then an accept coroutine that hands each socket to the
// next event loop.
#include "net/listener.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.hpp"

namespace postern::net {
namespace asio = boost::asio;
using asio::ip::tcp;

Listener::Listener(asio::io_context& ctx, const ListenerConfig& config) : config_(config), acceptor_(ctx) {
  tcp::endpoint ep(asio::ip::make_address(config.host), config.port);
  boost::system::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && ep.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "cannot listen on " + config.address + " (" + config.protocol + ")");
}

void Listener::close() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

void Listener::start(EventLoops& loops, ConnectionHandler handler) {
  handler_ = std::move(handler);
  log::info("listening", {{"protocol", config_.protocol}, {"address", config_.address},
                          {"tls", config_.tls == TlsMode::implicit ? "implicit"
                                  : config_.tls == TlsMode::starttls ? "starttls" : "none"}});
  asio::co_spawn(
      acceptor_.get_executor(),
      [this, &loops]() -> asio::awaitable<void> {
        for (;;) {
          boost::system::error_code ec;
          auto socket = co_await acceptor_.async_accept(loops.next(), asio::redirect_error(asio::use_awaitable, ec));
          if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
          if (ec) {
            // EMFILE and friends: log, breathe, keep serving.
            log::warn("accept_failed", {{"address", config_.address}, {"error", ec.message()}});
            asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(100));
            co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
          }
          if (gate_) {
            boost::system::error_code pec;
            auto peer = socket.remote_endpoint(pec);
            if (pec || !gate_(peer.address().to_string())) {
              socket.close(pec);
              continue;
            }
          }
          auto ex = socket.get_executor();
          asio::co_spawn(ex, handler_(std::move(socket)), asio::detached);
        }
      },
      asio::detached);
}

}  // namespace postern::net
