// Offense counting, bans and account slowdown; see guard.hpp.
#include "guard/guard.hpp"

#include <algorithm>
#include <charconv>

#include "core/log.hpp"

namespace postern::guard {

const char* to_string(Offense o) {
  switch (o) {
    case Offense::auth_failure: return "auth_failure";
    case Offense::protocol_error: return "protocol_error";
    case Offense::relay_attempt: return "relay_attempt";
    case Offense::unknown_recipient: return "unknown_recipient";
  }
  return "?";
}

namespace {

constexpr size_t kMaxTracked = 100000;  // sources or accounts with counters: a flood cannot grow memory forever
constexpr int64_t kTrustedSourceSeconds = 30 * 86400;  // how long a successful login makes a source known-good

void drop_before(std::deque<int64_t>& times, int64_t start) {
  while (!times.empty() && times.front() < start) times.pop_front();
}

}  // namespace

Guard::Guard(GuardConfig config, BanStore* store) : config_(std::move(config)), store_(store) {
  for (const auto& text : config_.allowlist)
    if (auto n = IpNetwork::parse(text)) allowlist_.push_back(*n);
}

Status Guard::reload(int64_t now) {
  std::map<std::string, Ban, std::less<>> loaded;
  if (store_) {
    auto bans = store_->load();
    if (!bans) return bans.error();
    for (auto& b : *bans) loaded[b.source] = std::move(b);
  }
  std::lock_guard lock(mu_);
  if (store_) bans_ = std::move(loaded);
  prune_locked(now);
  return Ok{};
}

void Guard::prune_locked(int64_t now) {
  int64_t start = now - static_cast<int64_t>(config_.window_seconds);
  for (auto it = counters_.begin(); it != counters_.end();) {
    drop_before(it->second.auth, start);
    drop_before(it->second.abuse, start);
    it = it->second.auth.empty() && it->second.abuse.empty() ? counters_.erase(it) : std::next(it);
  }
  for (auto it = account_failures_.begin(); it != account_failures_.end();) {
    drop_before(it->second, start);
    it = it->second.empty() ? account_failures_.erase(it) : std::next(it);
  }
}

bool Guard::banned(std::string_view ip, int64_t now) {
  if (!config_.enabled) return false;
  std::string key = source_key(ip);
  std::lock_guard lock(mu_);
  auto it = bans_.find(key);
  return it != bans_.end() && it->second.until > now;
}

std::optional<Ban> Guard::record(std::string_view ip, Offense offense, unsigned count, std::string_view detail,
                                 int64_t now) {
  if (!config_.enabled || count == 0) return std::nullopt;
  std::string key = source_key(ip);
  auto addr = IpAddress::parse(ip);
  bool allowlisted = addr && in_any(allowlist_, *addr);
  std::lock_guard lock(mu_);
  if (counters_.size() >= kMaxTracked && !counters_.count(key)) prune_locked(now);
  if (counters_.size() >= kMaxTracked && !counters_.count(key)) return std::nullopt;
  auto& c = counters_[key];
  bool auth = offense == Offense::auth_failure;
  auto& times = auth ? c.auth : c.abuse;
  unsigned threshold = auth ? config_.auth_failures : config_.abuse_events;
  drop_before(times, now - static_cast<int64_t>(config_.window_seconds));
  for (unsigned i = 0; i < count && times.size() < threshold; ++i) times.push_back(now);
  if (times.size() < threshold) return std::nullopt;
  std::string reason = std::to_string(times.size()) + " " + (auth ? "failed logins" : "protocol offenses") + " in " +
                       std::to_string(config_.window_seconds) + " s, last: " + to_string(offense);
  if (!detail.empty()) reason += " (" + std::string(detail) + ")";
  times.clear();
  if (allowlisted) {
    log::warn("ban_skipped_allowlisted", {{"source", key}, {"reason", reason}});
    return std::nullopt;
  }
  auto it = bans_.find(key);
  if (it != bans_.end() && it->second.until > now) return std::nullopt;  // already banned (a connection in flight)
  return ban_locked(key, std::move(reason), now);
}

std::optional<Ban> Guard::ban_locked(const std::string& key, std::string reason, int64_t now) {
  unsigned strikes = 1;
  if (auto it = bans_.find(key); it != bans_.end()) strikes = it->second.strikes + 1;
  // first ban * escalation^(strikes-1), without overflow, capped.
  int64_t length = config_.ban_seconds;
  for (unsigned i = 1; i < strikes && length < static_cast<int64_t>(config_.max_ban_seconds); ++i)
    length *= std::max(1u, config_.escalation);
  length = std::min<int64_t>(length, config_.max_ban_seconds);
  Ban ban{key, now, now + length, strikes, std::move(reason)};
  bans_[key] = ban;
  log::warn("ban", {{"source", key}, {"seconds", length}, {"strike", strikes}, {"reason", ban.reason}});
  if (store_)
    if (auto s = store_->save(ban); !s) log::error("ban_save_failed", {{"source", key}, {"error", s.error().message}});
  return ban;
}

void Guard::record_login(std::string_view ip, int64_t now) {
  std::string key = source_key(ip);
  std::lock_guard lock(mu_);
  if (logins_.size() >= kMaxTracked && !logins_.count(key)) {
    for (auto it = logins_.begin(); it != logins_.end();)
      it = it->second < now - kTrustedSourceSeconds ? logins_.erase(it) : std::next(it);
    // Still full of recent ones: the oldest gives way.
    if (logins_.size() >= kMaxTracked)
      logins_.erase(std::min_element(logins_.begin(), logins_.end(),
                                     [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
  logins_[key] = now;
}

bool Guard::trusted_source(std::string_view ip, int64_t now) {
  std::string key = source_key(ip);
  std::lock_guard lock(mu_);
  auto login = logins_.find(key);
  if (login == logins_.end() || login->second < now - kTrustedSourceSeconds) return false;
  auto c = counters_.find(key);
  if (c == counters_.end()) return true;
  drop_before(c->second.auth, now - static_cast<int64_t>(config_.window_seconds));
  return c->second.auth.empty();
}

std::chrono::milliseconds Guard::account_failure(std::string_view account, int64_t now) {
  std::string key(account);
  for (auto& ch : key)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  std::lock_guard lock(mu_);
  if (account_failures_.size() >= kMaxTracked && !account_failures_.count(key)) prune_locked(now);
  auto& times = account_failures_[key];
  drop_before(times, now - static_cast<int64_t>(config_.window_seconds));
  if (times.size() < 1000) times.push_back(now);
  uint64_t ms = static_cast<uint64_t>(config_.account_delay_ms) * times.size();
  return std::chrono::milliseconds(std::min<uint64_t>(ms, config_.max_account_delay_ms));
}

std::optional<int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t unit = 1;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: unit = 0;
  }
  if (unit != 0) text.remove_suffix(1);
  else unit = 1;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n <= 0 || n > 10ll * 365 * 86400 / unit)
    return std::nullopt;
  return n * unit;
}

}  // namespace postern::guard
