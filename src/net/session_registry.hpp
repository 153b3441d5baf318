// Live sessions, for graceful shutdown (SIGTERM drains) and per-IP limits.
// Thread-safe: sessions on every event loop register and unregister here.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace postern::net {

class SessionRegistry {
 public:
  explicit SessionRegistry(unsigned max_per_ip) : max_per_ip_(max_per_ip) {}

  // Registers a session from `ip`; false (and nothing registered) when that
  // address already has max_per_ip sessions or shutdown has begun.
  // `request_shutdown` must be safe to call from any thread.
  bool add(uint64_t id, const std::string& ip, std::function<void()> request_shutdown);
  void remove(uint64_t id, const std::string& ip);

  // Asks every live session to finish its transaction and close.
  void shutdown_all();
  bool shutting_down() const { return shutting_down_.load(); }
  size_t size() const;

  static std::string new_session_id();

 private:
  unsigned max_per_ip_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::function<void()>> sessions_;
  std::unordered_map<std::string, unsigned> per_ip_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace postern::net
