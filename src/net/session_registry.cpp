// SessionRegistry: a mutex-protected map; shutdown callbacks are invoked
// outside the lock because they post to other threads' executors.
#include "net/session_registry.hpp"

#include <openssl/rand.h>

#include <vector>

namespace postern::net {

std::string SessionRegistry::ip_key(SessionProtocol p, const std::string& ip) {
  return static_cast<char>('0' + static_cast<int>(p)) + ip;
}

SessionRegistry::Registration SessionRegistry::add(SessionProtocol protocol, const std::string& ip,
                                                   std::function<void()> request_shutdown) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return {Admission::shutting_down};
  if (sessions_.size() >= limits_.max_total) return {Admission::server_full};
  auto key = ip_key(protocol, ip);
  auto it = per_ip_.find(key);
  if (it != per_ip_.end() && it->second >= limits_.max_per_ip[static_cast<size_t>(protocol)])
    return {Admission::address_full};
  ++per_ip_[key];
  uint64_t id = next_id_++;
  sessions_.emplace(id, Entry{protocol, ip, std::move(request_shutdown)});
  return {Admission::admitted, id};
}

void SessionRegistry::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  auto s = sessions_.find(id);
  if (s == sessions_.end()) return;
  auto it = per_ip_.find(ip_key(s->second.protocol, s->second.ip));
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
  sessions_.erase(s);
}

void SessionRegistry::shutdown_all() {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
    for (auto& [id, entry] : sessions_) hooks.push_back(entry.request_shutdown);
  }
  for (auto& h : hooks) h();
}

size_t SessionRegistry::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

const char* SessionRegistry::describe(Admission a) {
  switch (a) {
    case Admission::admitted: return "admitted";
    case Admission::shutting_down: return "shutting down";
    case Admission::server_full: return "server at its connection limit";
    case Admission::address_full: return "too many connections from this address";
  }
  return "refused";
}

std::string SessionRegistry::new_session_id() {
  // 12 base32 characters of randomness: unique in logs, not guessable.
  static const char* alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZ";
  unsigned char raw[12];
  RAND_bytes(raw, sizeof raw);
  std::string id;
  for (unsigned char c : raw) id += alphabet[c % 31];
  return id;
}

}  // namespace postern::net
