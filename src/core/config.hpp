// The one configuration file (TOML), parsed into typed structs. Every field's
// meaning and default is documented here and in docs/config.md. Loading
// rejects unknown keys, wrong types and bad values with `file:line: message`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace postern {

enum class TlsMode { none, starttls, implicit };

struct ListenerConfig {
  std::string protocol;   // "smtp" (MX role, STARTTLS offered), "submission" (STARTTLS, AUTH),
                          // "submissions" (implicit TLS, AUTH), "imap" (STARTTLS), "imaps" (implicit TLS),
                          // "pop3" (STLS), "pop3s" (implicit TLS)
  std::string address;    // "host:port" as written, for messages
  std::string host;       // IP literal to bind ("0.0.0.0", "::", "127.0.0.1")
  uint16_t port = 0;
  TlsMode tls = TlsMode::none;  // derived from protocol unless `tls` is given
  int line = 0;           // where it was declared, for later error messages
};

struct ServerConfig {
  std::string hostname = "localhost";  // our name in greetings and Received:
  std::string data_dir = "/var/lib/postern";  // store: database, blobs
  unsigned threads = 0;                // event-loop threads; 0 = number of cores
  std::string user;                    // drop privileges to this user after binding (when root)
  bool dev_mode = false;               // allow plaintext AUTH on loopback (development only)
  std::string log_level = "info";      // debug | info | warn | error
  unsigned shutdown_grace_seconds = 30;  // SIGTERM: how long in-flight transactions may take
  unsigned max_connections = 10000;    // concurrent sessions of all protocols together
  // Each session's command rate: a burst, then this many per second; a
  // client above it is slowed down (its next read waits), not refused.
  unsigned commands_per_second = 250;  // 0 = no pacing
  unsigned command_burst = 2500;
};

struct TlsConfig {
  std::string certificate;  // PEM chain; empty disables STARTTLS / implicit-TLS listeners
  std::string key;          // PEM private key (file should be mode 0600)
};

struct SmtpConfig {
  uint64_t max_message_size = 50ull * 1024 * 1024;  // bytes, announced in EHLO SIZE
  unsigned max_recipients = 100;                    // per message (RFC 5321 §4.5.3.1.8 minimum 100)
  unsigned max_errors = 10;                         // bad commands before the session is closed
  unsigned max_line_length = 4096;                  // octets per command or text line (incl. CRLF)
  unsigned command_timeout_seconds = 300;           // RFC 5321 §4.5.3.2.7
  unsigned data_timeout_seconds = 180;              // per DATA chunk, RFC 5321 §4.5.3.2.5
  unsigned line_timeout_seconds = 60;               // one command line, first byte to end (slowloris)
  unsigned max_connections_per_ip = 20;             // concurrent SMTP sessions (MX and submission) from one address
  // MX clients allowed to use our domains as senders without AUTH (e.g. a
  // web application's host). Empty: nobody; our users submit.
  std::vector<std::string> trusted_networks;
};

struct ImapConfig {
  uint64_t max_literal_size = 64ull * 1024 * 1024;  // APPEND size limit (NO [TOOBIG] above)
  unsigned idle_timeout_seconds = 1800;             // autologout; RFC 9051 §5.4: at least 30 minutes
  unsigned login_timeout_seconds = 60;              // before authentication
  unsigned line_timeout_seconds = 60;               // one command before authentication, first byte to end
  unsigned max_line_length = 64 * 1024;             // one command line without its literals (BAD above)
  unsigned max_connections_per_ip = 50;             // concurrent IMAP sessions from one address
};

// Automatic bans (src/guard): thresholds within a sliding window, ban
// lengths with escalation, networks never banned, per-account slowdown.
struct GuardConfig {
  bool enabled = true;
  unsigned auth_failures = 10;          // failed logins from one source within the window -> ban
  unsigned abuse_events = 30;           // protocol errors, relay attempts, unknown recipients -> ban
  unsigned window_seconds = 600;
  unsigned ban_seconds = 900;           // first ban
  unsigned escalation = 4;              // each repeat ban lasts this many times longer
  unsigned max_ban_seconds = 7 * 86400;
  unsigned account_delay_ms = 1000;     // added per recent failure on an account, for failed attempts only
  unsigned max_account_delay_ms = 10000;
  std::vector<std::string> allowlist = {"127.0.0.0/8", "::1"};  // never banned
};

struct Pop3Config {
  unsigned idle_timeout_seconds = 600;  // autologout; RFC 1939 §3: at least 10 minutes
  unsigned line_timeout_seconds = 60;   // one command line, first byte to end (slowloris)
  unsigned max_errors = 10;             // bad commands or failed logins before the session is closed
  unsigned max_line_length = 1024;      // one command line incl. CRLF (RFC 2449 §4: 255 octets suffice)
  unsigned max_connections_per_ip = 10; // concurrent POP3 sessions from one address
};

// The outbound queue (src/queue): retries, lifetime, concurrency, and where
// mail goes (MX lookup, or a smarthost).
struct QueueConfig {
  unsigned lifetime_seconds = 5 * 86400;       // give up (bounce) after this long in the queue
  unsigned delay_warning_seconds = 4 * 3600;   // one "delayed" DSN after this long; 0 = never
  // Waits between attempts; the last one repeats (Postfix-like backoff).
  std::vector<unsigned> retry_schedule_seconds = {60, 300, 900, 1800, 3600, 7200, 14400};
  unsigned max_concurrent_deliveries = 20;     // SMTP client connections at once
  unsigned max_per_domain = 4;                 // of those, to one destination domain
  unsigned scan_interval_seconds = 30;         // how often the runner looks for due mail (it is also woken on enqueue)
  unsigned connect_timeout_seconds = 30;       // TCP connect to one MX address
  // Connection reuse (Postfix's connection cache): after a message, RSET and
  // keep the connection for the next message to the same host.
  unsigned connection_reuse_messages = 100;    // messages one connection may carry; 1 = a new connection per message
  unsigned connection_reuse_seconds = 300;     // no new message on a connection older than this
  unsigned connection_idle_seconds = 5;        // an unused kept connection is closed after this; 0 = keep none
  std::string resolver;                        // "IP" or "IP@PORT" to forward DNS to; "" = /etc/resolv.conf
  uint16_t remote_port = 25;                   // port of remote MX hosts (change only for tests)
  std::string tls = "opportunistic";           // MX delivery: "none" | "opportunistic" | "required"
  std::string smarthost;                       // "host:port": relay everything through it instead of MX lookup
  TlsMode smarthost_tls = TlsMode::starttls;   // "none" | "starttls" (required) | "implicit"
  std::string smarthost_credentials_file;      // one line "user:password"; AUTH PLAIN, only over TLS
  bool smarthost_tls_verify = true;            // refuse a smarthost whose certificate does not verify
  std::string smarthost_ca_file;               // extra trust anchors (PEM) for the smarthost, e.g. a private CA
  std::string smarthost_host;                  // derived from smarthost
  uint16_t smarthost_port = 0;                 // derived from smarthost
};

struct Config {
  std::string path;        // the file this came from ("" for built-in defaults)
  ServerConfig server;
  TlsConfig tls;
  SmtpConfig smtp;
  ImapConfig imap;
  Pop3Config pop3;
  QueueConfig queue;
  GuardConfig guard;
  std::vector<ListenerConfig> listeners;
};

// Loads and validates `path`. On failure the error message holds one line
// per problem, each `path:line:column: problem (hint)`. Relative paths in the
// file are resolved against the directory containing it.
Result<Config> load_config(const std::string& path);

// The same from TOML text (tests, fuzzing). `origin` names it in messages;
// relative paths resolve against `base_dir`.
Result<Config> parse_config(std::string_view toml_text, const std::string& origin,
                            const std::string& base_dir);

// Default config location: $POSTERN_CONFIG, else /etc/postern/postern.toml.
std::string default_config_path();

}  // namespace postern
