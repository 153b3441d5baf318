// The outbound connection cache; see smtp_connection_cache.hpp.
#include "net/smtp_connection_cache.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <vector>

#include "core/log.hpp"

namespace postern::net {
namespace asio = boost::asio;

namespace {

// Owns the connection until its QUIT is answered (or times out).
asio::awaitable<void> quit_and_close(std::unique_ptr<SmtpClientConnection> conn) {
  co_await conn->close();
}

}  // namespace

SmtpConnectionCache::SmtpConnectionCache(asio::any_io_executor ex, Limits limits)
    : ex_(ex), limits_(limits), sweep_timer_(ex) {}

SmtpConnectionCache::~SmtpConnectionCache() = default;

bool SmtpConnectionCache::within_limits(SmtpClientConnection& conn, std::chrono::steady_clock::time_point now) const {
  return conn.session().idle() && conn.session().transactions() < limits_.max_messages &&
         now - conn.opened_at() < limits_.max_age;
}

std::unique_ptr<SmtpClientConnection> SmtpConnectionCache::take(const std::string& key) {
  auto now = std::chrono::steady_clock::now();
  for (;;) {
    auto [first, last] = idle_.equal_range(key);
    if (first == last) return nullptr;
    auto newest = std::prev(last);  // the most recently used is the likeliest to be alive
    auto conn = std::move(newest->second.conn);
    idle_.erase(newest);
    if (!within_limits(*conn, now)) {
      close_in_background(std::move(conn));
      continue;
    }
    if (conn->peer_gone()) {
      log::info("smtp_client_cache_dropped", {{"host", conn->target().host}, {"reason", "server closed it"}});
      close_in_background(std::move(conn));
      continue;
    }
    return conn;
  }
}

void SmtpConnectionCache::give_back(const std::string& key, std::unique_ptr<SmtpClientConnection> conn) {
  if (!conn) return;
  auto now = std::chrono::steady_clock::now();
  if (!enabled() || !within_limits(*conn, now) || idle_.size() >= limits_.max_idle) {
    close_in_background(std::move(conn));
    return;
  }
  idle_.emplace(key, Idle{std::move(conn), now});
  arm_sweep();
}

void SmtpConnectionCache::close_all() {
  sweep_timer_.cancel();
  sweep_armed_ = false;
  auto all = std::move(idle_);
  idle_.clear();
  for (auto& [key, entry] : all) close_in_background(std::move(entry.conn));
}

void SmtpConnectionCache::close_in_background(std::unique_ptr<SmtpClientConnection> conn) {
  if (!conn) return;
  asio::co_spawn(ex_, quit_and_close(std::move(conn)), asio::detached);
}

// One timer for the whole cache, ticking while it holds anything: closes
// the connections that have been idle too long.
void SmtpConnectionCache::arm_sweep() {
  if (sweep_armed_ || idle_.empty()) return;
  sweep_armed_ = true;
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // cancelled: close_all() or the cache is going away
    sweep_armed_ = false;
    sweep();
    arm_sweep();
  });
}

void SmtpConnectionCache::sweep() {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<SmtpClientConnection>> expired;
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (now - it->second.since >= limits_.idle || it->second.conn->peer_gone()) {
      expired.push_back(std::move(it->second.conn));
      it = idle_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& c : expired) close_in_background(std::move(c));
}

}  // namespace postern::net
