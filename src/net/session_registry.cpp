// SessionRegistry: a mutex-protected map; shutdown callbacks are invoked
// outside the lock because they post to other threads' executors.
#include "net/session_registry.hpp"

#include <openssl/rand.h>

#include <vector>

namespace postern::net {

bool SessionRegistry::add(uint64_t id, const std::string& ip, std::function<void()> request_shutdown) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return false;
  auto& n = per_ip_[ip];
  if (n >= max_per_ip_) return false;
  ++n;
  sessions_.emplace(id, std::move(request_shutdown));
  return true;
}

void SessionRegistry::remove(uint64_t id, const std::string& ip) {
  std::lock_guard lock(mu_);
  if (sessions_.erase(id) == 0) return;
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

void SessionRegistry::shutdown_all() {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
    for (auto& [id, hook] : sessions_) hooks.push_back(hook);
  }
  for (auto& h : hooks) h();
}

size_t SessionRegistry::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
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
