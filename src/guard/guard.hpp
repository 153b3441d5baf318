// Automatic bans (fail2ban inside the server). Every listener asks banned()
// at accept, before TLS; sessions report offenses: failed logins (SMTP AUTH,
// IMAP, POP3) and protocol abuse (errors, unknown commands, relay attempts,
// unknown recipients). A source (an IPv4 address or an IPv6 /64) that
// reaches a threshold within the window is banned; each new ban of the same
// source lasts `escalation` times longer than the previous one, up to a
// maximum. Allowlisted networks are counted for the log but never banned.
//
// Accounts are protected differently: failures against one account (from
// anywhere) make each further *failed* attempt on it wait longer, up to a
// cap. A correct password is never delayed or refused, so an attacker
// cannot lock the real user out.
//
// Bans are written through a BanStore (the database) so they survive a
// restart and the CLI can list, add and remove them; reload() picks up the
// CLI's changes. Thread-safe. Sans-I/O apart from the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "guard/network.hpp"

namespace postern::guard {

enum class Offense { auth_failure, protocol_error, relay_attempt, unknown_recipient };
const char* to_string(Offense o);

struct Ban {
  std::string source;    // source_key(): "192.0.2.7" or "2001:db8::/64"
  int64_t created = 0;   // unix seconds
  int64_t until = 0;     // unix seconds
  unsigned strikes = 1;  // how many times this source was banned (escalation)
  std::string reason;
};

class BanStore {
 public:
  virtual ~BanStore() = default;
  virtual Result<std::vector<Ban>> load() = 0;  // every ban, expired ones too (they carry the strikes)
  virtual Status save(const Ban& ban) = 0;      // insert or replace by source
  virtual Status remove(std::string_view source) = 0;
};

class Guard {
 public:
  Guard(GuardConfig config, BanStore* store);

  // Reads the store (at start, then periodically): bans added or removed
  // with the CLI take effect. Also forgets counters that left the window.
  Status reload(int64_t now);

  // True when connections from `ip` are to be dropped at once.
  bool banned(std::string_view ip, int64_t now);

  // Counts `count` offenses of one kind from `ip`; returns the ban this
  // caused, if any (already saved and logged).
  std::optional<Ban> record(std::string_view ip, Offense offense, unsigned count, std::string_view detail,
                            int64_t now);

  // A failed login for `account`: returns how long to wait before answering
  // it (the base delay grows with the account's recent failures).
  std::chrono::milliseconds account_failure(std::string_view account, int64_t now);

  // A successful login from `ip`. Such a source's later password checks
  // are urgent (see trusted_source()).
  void record_login(std::string_view ip, int64_t now);

  // True for a source that logged in successfully within the last 30 days
  // and has no failed login in the window: its password checks go ahead
  // of everyone else's, so a spray from elsewhere, which keeps the
  // password-hashing threads busy, does not make the real users wait.
  bool trusted_source(std::string_view ip, int64_t now);

  const GuardConfig& config() const { return config_; }

 private:
  struct Counter {
    std::deque<int64_t> auth;   // times of failed logins in the window
    std::deque<int64_t> abuse;  // times of other offenses
  };
  std::optional<Ban> ban_locked(const std::string& key, std::string reason, int64_t now);
  void prune_locked(int64_t now);

  GuardConfig config_;
  std::vector<IpNetwork> allowlist_;
  BanStore* store_;
  std::mutex mu_;
  std::map<std::string, Ban, std::less<>> bans_;
  std::map<std::string, Counter, std::less<>> counters_;
  std::map<std::string, std::deque<int64_t>, std::less<>> account_failures_;
  std::map<std::string, int64_t, std::less<>> logins_;  // source -> time of its last successful login
};

// "1h", "30m", "2d", "45s", "600" (seconds) -> seconds; nullopt when malformed.
std::optional<int64_t> parse_duration(std::string_view text);

}  // namespace postern::guard
