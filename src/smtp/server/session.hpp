// The SMTP server session (MX role) as a sans-I/O state machine: bytes in,
// bytes out, and a few actions the I/O adapter (net/) must perform. It owns
// the command state (RFC 5321 §4.1.4 ordering), pipelining (RFC 2920), DATA
// and BDAT (RFC 3030) collection with dot-unstuffing and limits, and the
// Received: header. It parses untrusted network input and never touches the
// store itself: recipients are checked through RecipientPolicy, messages are
// handed to the adapter through Action::deliver.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/email_address.hpp"
#include "core/result.hpp"
#include "sasl/scram.hpp"

namespace postern::smtp {

struct SessionLimits {
  uint64_t max_message_size = 50ull * 1024 * 1024;  // SIZE; larger: 552 5.3.4
  unsigned max_recipients = 100;                    // more: 452 4.5.3
  unsigned max_errors = 10;                         // then 421 4.7.0 and close
  unsigned max_line_length = 4096;                  // command / text line incl. CRLF; 500 5.5.2
};

struct SessionOptions {
  std::string hostname;         // our name: greeting, EHLO, Received "by"
  SessionLimits limits;
  bool starttls_available = false;  // advertise STARTTLS (certificate configured, not yet in TLS)
  bool tls_active = false;          // implicit TLS listener: already encrypted
  // Submission (RFC 6409, ports 587/465): AUTH offered, required before
  // MAIL, senders checked against the user's addresses, headers fixed up.
  bool submission = false;
  // AUTH before TLS (loopback in dev mode only); otherwise 538 5.7.11.
  bool plaintext_auth_allowed = false;
};

struct ClientInfo {
  std::string ip;           // textual address of the peer, e.g. "127.0.0.1" or "::1"
  uint16_t port = 0;
  std::string session_id;   // appears in logs and in Received: "id"
  bool authenticated = false;  // AUTH succeeded: relaying allowed
  int64_t account_id = 0;      // the authenticated account
  std::string user;            // its address
  // MX port: from a trusted network (smtp.trusted_networks), which may use
  // our domains as senders without authenticating.
  bool trusted = false;
};

// What the adapter must look up for an AUTH exchange (Action::authenticate).
struct AuthRequest {
  enum class Kind { password, scram_keys } kind = Kind::password;
  std::string user;
  std::string password;  // Kind::password only
};

struct AuthIdentity {
  int64_t account_id = 0;
  std::string address;
};

// The adapter's answer: for Kind::password the identity when the password
// is right; for Kind::scram_keys the account and its keys when it has them.
struct AuthResult {
  std::optional<AuthIdentity> identity;
  std::optional<sasl::ScramCredentials> scram;
};

struct RecipientDecision {
  enum class Verdict {
    accept,           // 250 2.1.5
    unknown_user,     // 550 5.1.1
    relay_denied,     // 554 5.7.1
    temporary,        // 451 4.3.0
    mailbox_full,     // 552 5.2.2 (RFC 3463; Dovecot's default for a full quota)
  };
  Verdict verdict = Verdict::unknown_user;
  std::vector<int64_t> accounts;  // local accounts this recipient reaches
  std::string detail;             // optional text for the reply / log
};

// Injected by the server; called synchronously during RCPT processing.
class RecipientPolicy {
 public:
  virtual ~RecipientPolicy() = default;
  virtual RecipientDecision check_recipient(const EmailAddress& recipient, bool authenticated) = 0;
  // Submission: may this account use `address` as envelope sender or From:?
  virtual bool may_send_as(int64_t account_id, const EmailAddress& address) = 0;
  // MX: is `domain` one of ours (then unauthenticated senders may not claim it)?
  virtual bool is_local_domain(std::string_view domain) = 0;
};

// One accepted message transaction, as handed to the delivery pipeline.
struct Envelope {
  std::string helo;                   // EHLO/HELO argument
  std::string mail_from;              // reverse-path without <>, "" for the null sender
  std::vector<std::string> recipients;  // forward-paths as given (accepted ones only)
  std::vector<int64_t> accounts;      // union of the accepted recipients' accounts, deduplicated
  bool smtputf8 = false;
  bool eight_bit = false;             // BODY=8BITMIME or BINARYMIME
  uint64_t declared_size = 0;         // SIZE= parameter, 0 when absent
};

class Session {
 public:
  enum class Action {
    read,       // need more input: call receive()
    deliver,    // take envelope()+take_message(), store, then call delivery_done()
    start_tls,  // write take_output(), do the TLS handshake, then tls_established()
    authenticate,  // look up auth_request(), then call auth_done()
    close,      // write take_output(), then close the connection
  };

  // `now` returns the current unix time (injected for deterministic tests).
  Session(SessionOptions options, ClientInfo client, RecipientPolicy& policy,
          int64_t (*now)() = nullptr);
  ~Session();

  // Queues the 220 greeting.
  void start();
  // Feeds bytes from the peer (any fragmentation) and processes as many
  // complete commands as possible (pipelining), stopping at an action.
  void receive(std::string_view bytes);
  // Bytes to send to the peer; the adapter writes them before acting.
  std::string take_output();
  Action next_action() const;

  // Action::deliver: the envelope and the message bytes to store: a Received:
  // header (RFC 5321 §4.4) followed by the data exactly as sent, dot-unstuffed,
  // CRLF line ends.
  const Envelope& envelope() const;
  std::string take_message();
  // Result of the delivery: ok → 250 2.0.0; temporary → 451 4.3.0; other → 554 5.3.0.
  // Resumes processing of any pipelined input.
  void delivery_done(const Status& result);

  void tls_established();     // after start_tls: state resets per RFC 3207 §4.2
  const AuthRequest& auth_request() const;
  void auth_done(AuthResult result);
  // True once after a failed AUTH: the adapter delays the reply (brute force).
  bool take_auth_failure();
  // Error replies (4xx/5xx to commands: syntax, unknown command, refused
  // recipient or relay) so far: protocol abuse counted by the guard.
  unsigned error_count() const;
  // True while part of a command line has arrived but not its end (not
  // during message content): the adapter bounds how long that may last,
  // so a client trickling bytes (slowloris) cannot hold a session forever.
  bool partial_command() const;
  // Command lines processed so far (the adapter paces the command rate).
  uint64_t commands() const;
  const ClientInfo& client() const;
  void on_timeout();          // 421 4.4.2 and close
  void on_shutdown();         // 421 4.3.2 and close (SIGTERM, between transactions)
  // True while a transaction is in progress (MAIL seen, not finished).
  bool in_transaction() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::smtp
