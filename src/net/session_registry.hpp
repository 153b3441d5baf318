// Live sessions: admission against the connection limits (in total, and
// per client address for each protocol) and graceful shutdown (SIGTERM
// drains). Thread-safe: sessions on every event loop register and
// unregister here.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace postern::net {

// SMTP covers the MX and the submission listeners.
enum class SessionProtocol { smtp = 0, imap = 1, pop3 = 2 };

// Why a session was not admitted; each protocol words its own refusal.
enum class Admission { admitted, shutting_down, server_full, address_full };

struct SessionLimits {
  unsigned max_total = 10000;                      // all protocols together
  std::array<unsigned, 3> max_per_ip{20, 50, 10};  // indexed by SessionProtocol
  // Each session's command rate (core/command_pacer.hpp); 0 = unpaced.
  unsigned commands_per_second = 250;
  unsigned command_burst = 2500;
};

class SessionRegistry {
 public:
  explicit SessionRegistry(SessionLimits limits) : limits_(limits) {}

  struct Registration {
    Admission admission;
    uint64_t id = 0;  // for remove(), when admitted
  };
  // Registers a session of `protocol` from `ip`. Anything but `admitted`
  // registers nothing. `request_shutdown` must be safe to call from any
  // thread.
  Registration add(SessionProtocol protocol, const std::string& ip, std::function<void()> request_shutdown);
  void remove(uint64_t id);

  // Asks every live session to finish its transaction and close.
  void shutdown_all();
  bool shutting_down() const { return shutting_down_.load(); }
  size_t size() const;
  const SessionLimits& limits() const { return limits_; }

  static std::string new_session_id();
  static const char* describe(Admission a);

 private:
  struct Entry {
    SessionProtocol protocol;
    std::string ip;
    std::function<void()> request_shutdown;
  };
  static std::string ip_key(SessionProtocol p, const std::string& ip);

  SessionLimits limits_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Entry> sessions_;
  uint64_t next_id_ = 1;
  std::unordered_map<std::string, unsigned> per_ip_;  // key: protocol digit + address
  std::atomic<bool> shutting_down_{false};
};

}  // namespace postern::net
