// TOML → Config with precise diagnostics. A TableReader walks one table,
// marks the keys it consumed and reports the rest as unknown with a
// "did you mean" hint, so typos never silently fall back to defaults.
#include "core/config.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "core/email_address.hpp"
#include "core/log.hpp"

namespace postern {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

class Diagnostics {
 public:
  explicit Diagnostics(std::string origin) : origin_(std::move(origin)) {}
  void add(const toml::source_region& where, const std::string& what) {
    lines_.push_back(fmt::format("{}:{}:{}: {}", origin_, where.begin.line, where.begin.column, what));
  }
  void add_plain(const std::string& what) { lines_.push_back(fmt::format("{}: {}", origin_, what)); }
  // Where only the line is known (a [[listener]] table): column 1.
  void add_line(int line, const std::string& what) {
    lines_.push_back(fmt::format("{}:{}:1: {}", origin_, line, what));
  }
  // At the value of `path` ("server.hostname") when the file sets it; a
  // problem with a default value has no position.
  void add_at(const toml::table& root, std::string_view path, const std::string& what) {
    if (const toml::node* n = root.at_path(path).node()) add(n->source(), what);
    else add_plain(what);
  }
  bool empty() const { return lines_.empty(); }
  std::string text() const {
    std::string out;
    for (const auto& l : lines_) {
      if (!out.empty()) out += '\n';
      out += l;
    }
    return out;
  }

 private:
  std::string origin_;
  std::vector<std::string> lines_;
};

class TableReader {
 public:
  TableReader(const toml::table& t, std::string prefix, Diagnostics& d)
      : table_(t), prefix_(std::move(prefix)), diag_(d) {}

  ~TableReader() { report_unknown(); }

  void string(std::string_view key, std::string& out) {
    if (auto* n = take(key)) {
      if (auto v = n->value<std::string>()) out = *v;
      else wrong_type(*n, key, "a string");
    }
  }

  void boolean(std::string_view key, bool& out) {
    if (auto* n = take(key)) {
      if (auto v = n->value_exact<bool>()) out = *v;
      else wrong_type(*n, key, "true or false");
    }
  }

  template <class U>
  void unsigned_int(std::string_view key, U& out, uint64_t min, uint64_t max) {
    if (auto* n = take(key)) {
      auto v = n->value_exact<int64_t>();
      if (!v) return wrong_type(*n, key, "an integer");
      if (*v < 0 || static_cast<uint64_t>(*v) < min || static_cast<uint64_t>(*v) > max) {
        diag_.add(n->source(), fmt::format("{} = {} is out of range (allowed {}..{})", name(key), *v, min, max));
        return;
      }
      out = static_cast<U>(*v);
    }
  }

  const toml::node* take(std::string_view key) {
    known_.insert(std::string(key));
    return table_.get(key);
  }

  std::string name(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }

  void error(const toml::node& n, const std::string& what) { diag_.add(n.source(), what); }

 private:
  void wrong_type(const toml::node& n, std::string_view key, const char* expected) {
    diag_.add(n.source(), fmt::format("{} must be {}", name(key), expected));
  }

  void report_unknown() {
    for (auto&& [k, node] : table_) {
      std::string key(k.str());
      if (known_.count(key)) continue;
      std::string hint;
      size_t best = 3;
      for (const auto& candidate : known_) {
        size_t d = edit_distance(key, candidate);
        if (d < best) {
          best = d;
          hint = candidate;
        }
      }
      std::string msg = fmt::format("unknown key '{}'", name(key));
      if (!hint.empty()) msg += fmt::format(" (did you mean '{}'?)", name(hint));
      else {
        std::string all;
        for (const auto& c : known_) all += (all.empty() ? "" : ", ") + c;
        msg += fmt::format(" (known keys here: {})", all);
      }
      diag_.add(k.source(), msg);
    }
  }

  const toml::table& table_;
  std::string prefix_;
  Diagnostics& diag_;
  std::set<std::string> known_;
};

std::string resolve_path(const std::string& p, const std::string& base_dir) {
  if (p.empty() || p.front() == '/' || base_dir.empty()) return p;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

bool split_host_port(const std::string& addr, std::string& host, uint16_t& port) {
  std::string port_text;
  if (!addr.empty() && addr.front() == '[') {
    auto close = addr.find(']');
    if (close == std::string::npos || close + 1 >= addr.size() || addr[close + 1] != ':') return false;
    host = addr.substr(1, close - 1);
    port_text = addr.substr(close + 2);
  } else {
    auto colon = addr.rfind(':');
    if (colon == std::string::npos || addr.find(':') != colon) return false;
    host = addr.substr(0, colon);
    port_text = addr.substr(colon + 1);
  }
  if (host.empty() || port_text.empty() || port_text.size() > 5) return false;
  unsigned long v = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned long>(c - '0');
  }
  if (v == 0 || v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return true;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Whether two listeners would bind the same socket: "[::1]:25" and
// "[0:0::1]:25" are one address spelt twice, so compare the binary form.
bool same_socket(const ListenerConfig& a, const ListenerConfig& b) {
  if (a.port != b.port) return false;
  unsigned char x[16] = {}, y[16] = {};
  if (inet_pton(AF_INET, a.host.c_str(), x) == 1)
    return inet_pton(AF_INET, b.host.c_str(), y) == 1 && !std::memcmp(x, y, 4);
  if (inet_pton(AF_INET6, a.host.c_str(), x) == 1)
    return inet_pton(AF_INET6, b.host.c_str(), y) == 1 && !std::memcmp(x, y, 16);
  return a.host == b.host;
}

struct ProtocolInfo {
  const char* name;
  TlsMode tls;
};
constexpr ProtocolInfo kProtocols[] = {
    {"smtp", TlsMode::starttls},
    {"imap", TlsMode::starttls},
    {"imaps", TlsMode::implicit},
    {"submission", TlsMode::starttls},  // RFC 6409, port 587: AUTH after STARTTLS
    {"submissions", TlsMode::implicit},  // RFC 8314, port 465
    {"pop3", TlsMode::starttls},         // RFC 1939, port 110: STLS (RFC 2595)
    {"pop3s", TlsMode::implicit},        // RFC 8314, port 995
};

// "192.0.2.0/24", "2001:db8::/32" or a single address.
bool valid_network(std::string_view text) {
  std::string addr(text.substr(0, text.find('/')));
  unsigned char buf[16];
  bool v6 = addr.find(':') != std::string::npos;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, addr.c_str(), buf) != 1) return false;
  if (text.find('/') == std::string_view::npos) return true;
  std::string_view len = text.substr(text.find('/') + 1);
  if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string_view::npos) return false;
  return std::stoi(std::string(len)) <= (v6 ? 128 : 32);
}

void read_listeners(const toml::node* node, Config& cfg, Diagnostics& diag) {
  if (!node) return;
  const auto* arr = node->as_array();
  if (!arr) {
    diag.add(node->source(), "listener must be an array of tables: write [[listener]]");
    return;
  }
  for (const auto& item : *arr) {
    const auto* t = item.as_table();
    if (!t) {
      diag.add(item.source(), "each listener must be a table ([[listener]])");
      continue;
    }
    TableReader r(*t, "listener", diag);
    ListenerConfig l;
    l.line = static_cast<int>(t->source().begin.line);
    r.string("protocol", l.protocol);
    r.string("address", l.address);
    std::string tls;
    r.string("tls", tls);
    const ProtocolInfo* proto = nullptr;
    for (const auto& p : kProtocols)
      if (l.protocol == p.name) proto = &p;
    if (l.protocol.empty()) {
      diag.add(t->source(), "listener needs protocol = \"smtp\", \"submission\", \"submissions\", \"imap\", \"imaps\", \"pop3\" or \"pop3s\"");
      continue;
    }
    if (!proto) {
      std::string all;
      for (const auto& p : kProtocols) all += (all.empty() ? "" : ", ") + std::string("\"") + p.name + "\"";
      r.error(*r.take("protocol"), fmt::format("unknown listener protocol \"{}\" (one of: {})", l.protocol, all));
      continue;
    }
    l.tls = proto->tls;
    if (!tls.empty()) {
      if (tls == "none") l.tls = TlsMode::none;
      else if (tls == "starttls") l.tls = TlsMode::starttls;
      else if (tls == "implicit") l.tls = TlsMode::implicit;
      else r.error(*r.take("tls"), "listener.tls must be \"none\", \"starttls\" or \"implicit\"");
    }
    if (l.address.empty()) {
      diag.add(t->source(), "listener needs address = \"HOST:PORT\" (e.g. \"0.0.0.0:25\" or \"[::]:25\")");
      continue;
    }
    if (!split_host_port(l.address, l.host, l.port) || !is_ip_literal(l.host)) {
      r.error(*r.take("address"), fmt::format("listener.address \"{}\" must be IP:PORT or [IPv6]:PORT with a port 1-65535", l.address));
      continue;
    }
    cfg.listeners.push_back(std::move(l));
  }
}

void read_queue(const toml::table& t, QueueConfig& q, Diagnostics& diag) {
  TableReader r(t, "queue", diag);
  r.unsigned_int("lifetime_seconds", q.lifetime_seconds, 60, 60u * 86400);
  r.unsigned_int("delay_warning_seconds", q.delay_warning_seconds, 0, 60u * 86400);
  if (const toml::node* n = r.take("retry_schedule_seconds")) {
    const toml::array* arr = n->as_array();
    std::vector<unsigned> steps;
    bool ok = arr && !arr->empty();
    if (ok)
      for (const auto& item : *arr) {
        auto v = item.value_exact<int64_t>();
        if (!v || *v < 1 || *v > 7 * 86400) {
          ok = false;
          break;
        }
        steps.push_back(static_cast<unsigned>(*v));
      }
    if (ok) q.retry_schedule_seconds = std::move(steps);
    else r.error(*n, "queue.retry_schedule_seconds must be a non-empty array of seconds 1..604800, e.g. [60, 300, 900]");
  }
  r.unsigned_int("max_concurrent_deliveries", q.max_concurrent_deliveries, 1, 10000);
  r.unsigned_int("max_per_domain", q.max_per_domain, 1, 10000);
  r.unsigned_int("scan_interval_seconds", q.scan_interval_seconds, 1, 3600);
  r.unsigned_int("connect_timeout_seconds", q.connect_timeout_seconds, 1, 600);
  r.unsigned_int("connection_reuse_messages", q.connection_reuse_messages, 1, 100000);
  r.unsigned_int("connection_reuse_seconds", q.connection_reuse_seconds, 1, 3600);
  r.unsigned_int("connection_idle_seconds", q.connection_idle_seconds, 0, 300);
  r.string("resolver", q.resolver);
  r.unsigned_int("remote_port", q.remote_port, 1, 65535);
  r.string("tls", q.tls);
  if (q.tls != "none" && q.tls != "opportunistic" && q.tls != "required")
    r.error(*r.take("tls"), fmt::format("queue.tls \"{}\" must be \"none\", \"opportunistic\" or \"required\"", q.tls));
  r.string("smarthost", q.smarthost);
  if (!q.smarthost.empty() && !split_host_port(q.smarthost, q.smarthost_host, q.smarthost_port))
    r.error(*r.take("smarthost"), fmt::format("queue.smarthost \"{}\" must be HOST:PORT (e.g. \"smtp.example.net:587\")", q.smarthost));
  std::string tls;
  r.string("smarthost_tls", tls);
  if (!tls.empty()) {
    if (tls == "none") q.smarthost_tls = TlsMode::none;
    else if (tls == "starttls") q.smarthost_tls = TlsMode::starttls;
    else if (tls == "implicit") q.smarthost_tls = TlsMode::implicit;
    else r.error(*r.take("smarthost_tls"), "queue.smarthost_tls must be \"none\", \"starttls\" or \"implicit\"");
  }
  r.string("smarthost_credentials_file", q.smarthost_credentials_file);
  r.boolean("smarthost_tls_verify", q.smarthost_tls_verify);
  r.string("smarthost_ca_file", q.smarthost_ca_file);
  if (!q.smarthost_credentials_file.empty() && q.smarthost_tls == TlsMode::none)
    r.error(*r.take("smarthost_credentials_file"),
            "queue.smarthost_credentials_file needs queue.smarthost_tls \"starttls\" or \"implicit\": the password is never sent in clear");
  if (const toml::node* n = t.get("resolver"); n && !q.resolver.empty()) {
    std::string host = q.resolver.substr(0, q.resolver.find('@'));
    if (!is_ip_literal(host)) r.error(*n, fmt::format("queue.resolver \"{}\" must be IP or IP@PORT", q.resolver));
  }
}

// An array of "ADDR" or "ADDR/PREFIX" strings; replaces `out` when present.
void read_networks(TableReader& r, std::string_view key, std::string_view name, std::vector<std::string>& out) {
  auto* n = r.take(key);
  if (!n) return;
  const auto* arr = n->as_array();
  if (!arr) {
    r.error(*n, fmt::format("{} must be an array of networks, e.g. [\"192.0.2.0/24\", \"::1\"]", name));
    return;
  }
  out.clear();
  for (const auto& item : *arr) {
    auto v = item.value<std::string>();
    if (!v || !valid_network(*v))
      r.error(item, fmt::format("{}: not an address or network (e.g. \"10.0.0.0/8\", \"::1\")", name));
    else out.push_back(*v);
  }
}

void read_guard(const toml::table& t, GuardConfig& g, Diagnostics& diag) {
  TableReader r(t, "guard", diag);
  r.boolean("enabled", g.enabled);
  r.unsigned_int("auth_failures", g.auth_failures, 1, 100000);
  r.unsigned_int("abuse_events", g.abuse_events, 1, 100000);
  r.unsigned_int("window_seconds", g.window_seconds, 10, 7 * 86400);
  r.unsigned_int("ban_seconds", g.ban_seconds, 1, 365 * 86400);
  r.unsigned_int("escalation", g.escalation, 1, 100);
  r.unsigned_int("max_ban_seconds", g.max_ban_seconds, 1, 10 * 365 * 86400);
  r.unsigned_int("account_delay_ms", g.account_delay_ms, 0, 60000);
  r.unsigned_int("max_account_delay_ms", g.max_account_delay_ms, 0, 600000);
  read_networks(r, "allowlist", "guard.allowlist", g.allowlist);
}

// Checks that need more than one value, or a value's meaning; each problem
// points at the value in the file (file:line:column) when the file sets it.
void validate(const toml::table& root, Config& cfg, Diagnostics& diag) {
  if (cfg.server.data_dir.empty()) diag.add_at(root, "server.data_dir", "server.data_dir must not be empty");
  log::Level lvl;
  if (!log::parse_level(cfg.server.log_level, lvl))
    diag.add_at(root, "server.log_level",
                fmt::format("server.log_level \"{}\" must be debug, info, warn or error", cfg.server.log_level));
  if (auto h = parse_domain(cfg.server.hostname, false); !h)
    diag.add_at(root, "server.hostname",
                fmt::format("server.hostname \"{}\": {}", cfg.server.hostname, h.error().message));
  if (cfg.tls.certificate.empty() != cfg.tls.key.empty())
    diag.add_at(root, cfg.tls.certificate.empty() ? "tls.key" : "tls.certificate",
                "tls.certificate and tls.key must be given together");
  for (const auto& l : cfg.listeners) {
    if (l.tls != TlsMode::none && cfg.tls.certificate.empty())
      diag.add_line(l.line, fmt::format("listener {} needs TLS but [tls] certificate/key are not set "
                                        "(set them, or tls = \"none\" for this listener)", l.address));
  }
  for (size_t i = 0; i < cfg.listeners.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (same_socket(cfg.listeners[i], cfg.listeners[j])) {
        diag.add_line(cfg.listeners[i].line, fmt::format("listener address {} is already used at line {}",
                                                         cfg.listeners[i].address, cfg.listeners[j].line));
        break;
      }
}

}  // namespace

Result<Config> parse_config(std::string_view toml_text, const std::string& origin, const std::string& base_dir) {
  Diagnostics diag(origin);
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    diag.add(e.source(), fmt::format("TOML syntax error: {}", e.description()));
    return user_error(diag.text());
  }
  Config cfg;
  cfg.path = origin;
  {
    TableReader top(root, "", diag);
    auto section = [&](std::string_view name) -> const toml::table* {
      const toml::node* n = top.take(name);
      if (!n) return nullptr;
      if (!n->is_table()) {
        top.error(*n, fmt::format("{} must be a table: write [{}]", name, name));
        return nullptr;
      }
      return n->as_table();
    };
    if (auto* t = section("server")) {
      TableReader r(*t, "server", diag);
      r.string("hostname", cfg.server.hostname);
      r.string("data_dir", cfg.server.data_dir);
      r.unsigned_int("threads", cfg.server.threads, 0, 256);
      r.string("user", cfg.server.user);
      r.boolean("dev_mode", cfg.server.dev_mode);
      r.string("log_level", cfg.server.log_level);
      r.unsigned_int("shutdown_grace_seconds", cfg.server.shutdown_grace_seconds, 0, 3600);
      r.unsigned_int("max_connections", cfg.server.max_connections, 1, 1000000);
      r.unsigned_int("commands_per_second", cfg.server.commands_per_second, 0, 1000000);
      r.unsigned_int("command_burst", cfg.server.command_burst, 1, 10000000);
    }
    if (auto* t = section("tls")) {
      TableReader r(*t, "tls", diag);
      r.string("certificate", cfg.tls.certificate);
      r.string("key", cfg.tls.key);
    }
    if (auto* t = section("smtp")) {
      TableReader r(*t, "smtp", diag);
      r.unsigned_int("max_message_size", cfg.smtp.max_message_size, 1024, 2ull * 1024 * 1024 * 1024);
      r.unsigned_int("max_recipients", cfg.smtp.max_recipients, 1, 100000);
      r.unsigned_int("max_errors", cfg.smtp.max_errors, 1, 1000);
      r.unsigned_int("max_line_length", cfg.smtp.max_line_length, 1000, 1024 * 1024);
      r.unsigned_int("command_timeout_seconds", cfg.smtp.command_timeout_seconds, 1, 3600);
      r.unsigned_int("data_timeout_seconds", cfg.smtp.data_timeout_seconds, 1, 3600);
      r.unsigned_int("line_timeout_seconds", cfg.smtp.line_timeout_seconds, 1, 3600);
      r.unsigned_int("max_connections_per_ip", cfg.smtp.max_connections_per_ip, 1, 1000000);
      read_networks(r, "trusted_networks", "smtp.trusted_networks", cfg.smtp.trusted_networks);
    }
    if (auto* t = section("imap")) {
      TableReader r(*t, "imap", diag);
      r.unsigned_int("max_literal_size", cfg.imap.max_literal_size, 1024, 2ull * 1024 * 1024 * 1024);
      r.unsigned_int("idle_timeout_seconds", cfg.imap.idle_timeout_seconds, 60, 86400);
      r.unsigned_int("login_timeout_seconds", cfg.imap.login_timeout_seconds, 5, 3600);
      r.unsigned_int("line_timeout_seconds", cfg.imap.line_timeout_seconds, 1, 3600);
      r.unsigned_int("max_line_length", cfg.imap.max_line_length, 1024, 16 * 1024 * 1024);
      r.unsigned_int("max_connections_per_ip", cfg.imap.max_connections_per_ip, 1, 1000000);
    }
    if (auto* t = section("pop3")) {
      TableReader r(*t, "pop3", diag);
      r.unsigned_int("idle_timeout_seconds", cfg.pop3.idle_timeout_seconds, 600, 86400);
      r.unsigned_int("line_timeout_seconds", cfg.pop3.line_timeout_seconds, 1, 3600);
      r.unsigned_int("max_errors", cfg.pop3.max_errors, 1, 1000);
      r.unsigned_int("max_line_length", cfg.pop3.max_line_length, 512, 64 * 1024);
      r.unsigned_int("max_connections_per_ip", cfg.pop3.max_connections_per_ip, 1, 1000000);
    }
    if (auto* t = section("queue")) read_queue(*t, cfg.queue, diag);
    if (auto* t = section("guard")) read_guard(*t, cfg.guard, diag);
    read_listeners(top.take("listener"), cfg, diag);
  }
  cfg.server.data_dir = resolve_path(cfg.server.data_dir, base_dir);
  cfg.tls.certificate = resolve_path(cfg.tls.certificate, base_dir);
  cfg.tls.key = resolve_path(cfg.tls.key, base_dir);
  cfg.queue.smarthost_credentials_file = resolve_path(cfg.queue.smarthost_credentials_file, base_dir);
  cfg.queue.smarthost_ca_file = resolve_path(cfg.queue.smarthost_ca_file, base_dir);
  if (diag.empty()) validate(root, cfg, diag);
  if (!diag.empty()) return user_error(diag.text());
  return cfg;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return user_error(fmt::format("{}: cannot read config file: {}", path, std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  auto dir = std::filesystem::absolute(path).parent_path().string();
  return parse_config(ss.str(), path, dir);
}

std::string default_config_path() {
  if (const char* env = std::getenv("POSTERN_CONFIG"); env && *env) return env;
  return "/etc/postern/postern.toml";
}

}  // namespace postern
