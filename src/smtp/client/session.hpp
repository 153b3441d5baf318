// The outbound SMTP client as a sans-I/O state machine (RFC 5321 §3, §4):
// greeting, EHLO (HELO fallback), optional STARTTLS (RFC 3207) and AUTH
// PLAIN (RFC 4954), MAIL FROM with SIZE / BODY=8BITMIME / SMTPUTF8
// parameters, one RCPT per recipient (pipelined with MAIL when the server
// offers PIPELINING, RFC 2920), DATA with dot-stuffing, QUIT. With
// ClientOptions::reuse the session outlives its first transaction: it sends
// RSET instead of QUIT (RFC 5321 §4.1.1.5) and, once that is answered, is
// idle() and can run the next message's transaction on the same connection
// (the connection cache, as Postfix's). It owns no socket: the adapter
// (net/smtp_client_connection) writes take_output(), feeds what it reads to
// receive(), performs the TLS handshake when wants_tls() says so, and
// enforces timeout() (RFC 5321 §4.5.3.2).
// Trust: everything received is untrusted network input.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "smtp/client/capabilities.hpp"
#include "smtp/client/reply_parser.hpp"

namespace postern::smtp::client {

enum class TlsPolicy {
  none,           // never STARTTLS (tests, a smarthost on loopback)
  opportunistic,  // STARTTLS when offered, plaintext otherwise (MX delivery default)
  required,       // no STARTTLS offered or no TLS = transient failure
};

// RFC 5321 §4.5.3.2 minimums; tests shrink them.
struct Timeouts {
  std::chrono::seconds greeting{300};    // §4.5.3.2.1
  std::chrono::seconds ehlo{300};        // not named by the RFC; as for MAIL
  std::chrono::seconds starttls{120};
  std::chrono::seconds mail{300};        // §4.5.3.2.2
  std::chrono::seconds rcpt{300};        // §4.5.3.2.3
  std::chrono::seconds data_init{120};   // §4.5.3.2.4: the 354
  std::chrono::seconds data_block{180};  // §4.5.3.2.5: each write of the body
  std::chrono::seconds final_dot{600};   // §4.5.3.2.6: the reply to "."
  std::chrono::seconds rset{20};         // not named by the RFC; Postfix's smtp_rset_timeout
  std::chrono::seconds quit{60};
};

struct ClientOptions {
  std::string helo_name = "localhost";
  TlsPolicy tls = TlsPolicy::opportunistic;
  bool tls_active = false;    // the connection is already TLS (implicit TLS, port 465)
  std::string auth_user;      // AUTH PLAIN when set; only ever sent over TLS
  std::string auth_password;
  // Keep the connection for another transaction: RSET after each one
  // instead of QUIT; the owner later calls next_transaction() or quit_idle().
  bool reuse = false;
  Timeouts timeouts;
};

struct Envelope {
  std::string mail_from;                // "" = the null reverse-path (DSNs)
  std::vector<std::string> recipients;  // addr-spec, no angle brackets
  bool eight_bit = false;               // 8-bit body: BODY=8BITMIME when offered (RFC 6152)
  bool smtputf8 = false;                // needs SMTPUTF8: UTF-8 addresses or headers (RFC 6531)
};

enum class RecipientStatus { pending, delivered, transient, permanent };

struct RecipientResult {
  std::string address;
  RecipientStatus status = RecipientStatus::pending;
  std::string reply;     // the server's reply ("550 5.1.1 no such user") or our own reason
  std::string enhanced;  // RFC 3463 code for DSNs ("5.1.1"); synthesized when the server gave none
};

class ClientSession {
 public:
  // `message` is the whole message as stored (CRLF line ends).
  ClientSession(ClientOptions options, Envelope envelope, std::string message);

  // Bytes the server sent. Parses every complete reply and advances.
  void receive(std::string_view bytes);
  // Bytes to send now (empty when waiting). Moves them out.
  std::string take_output();

  // STARTTLS was accepted: the adapter must handshake now (nothing else is
  // written or read), then call tls_established() or tls_failed().
  bool wants_tls() const { return step_ == Step::tls_handshake; }
  void tls_established();
  void tls_failed(const std::string& reason);

  // The connection closed, failed or a timeout() expired: every unresolved
  // recipient becomes transient with `reason`. After the final "." was sent
  // and before its reply arrived this may duplicate the message at the
  // next attempt (RFC 1047); that is the accepted at-least-once window.
  void connection_lost(const std::string& reason);

  bool done() const { return step_ == Step::done; }
  // How long the adapter may wait for the next reply now.
  std::chrono::seconds timeout() const;
  // True while the message body is being written (each write bounded by data_block).
  bool sending_body() const { return step_ == Step::data_body; }
  std::chrono::seconds data_block_timeout() const { return options_.timeouts.data_block; }

  const std::vector<RecipientResult>& results() const { return results_; }
  // The failure belonged to this host, not the message (no connection, bad
  // greeting, EHLO/TLS/AUTH failure): the next MX may be tried.
  bool try_next_host() const { return host_failed_; }
  const Capabilities& capabilities() const { return caps_; }
  bool tls_active() const { return options_.tls_active; }

  // Connection reuse (ClientOptions::reuse).
  // The transaction is over (results() final), the server accepted the
  // RSET after it, and the connection may carry another message.
  bool idle() const { return step_ == Step::idle; }
  // Starts the next message's transaction on this connection (MAIL FROM
  // right away: greeting, EHLO, TLS and AUTH are done). Only when idle().
  void next_transaction(Envelope envelope, std::string message);
  // Ends an idle session politely: QUIT (then done() once answered or the
  // connection closes).
  void quit_idle();
  // This transaction ran on a reused connection, and that connection turned
  // out dead (closed, reset, timed out, or 421) before the server answered
  // its first command: nothing about the message was learnt. The owner
  // retries it on a new connection without counting an attempt (Postfix
  // does the same).
  bool lost_on_reuse() const { return lost_on_reuse_; }
  // Transactions started on this connection so far (including this one).
  unsigned transactions() const { return transactions_; }

 private:
  enum class Step {
    greeting, ehlo, helo, starttls, tls_handshake, auth, transaction, data, data_body, rset, idle, quit, done
  };
  enum class Expect { greeting, ehlo, helo, starttls, auth, mail, rcpt, data, dot, rset, quit };

  void on_reply(const ServerReply& reply);
  void send(const std::string& line, Expect expect);
  void send_ehlo();
  void after_ehlo();
  void after_auth();
  void start_transaction();
  void after_rcpts();
  void fail_all(RecipientStatus status, const std::string& reply, const std::string& enhanced,
                bool host_failure);
  void resolve(RecipientResult& r, RecipientStatus status, const ServerReply& reply);
  void end_transaction();
  void quit();

  ClientOptions options_;
  Envelope envelope_;
  std::string message_;
  std::vector<RecipientResult> results_;
  std::vector<bool> accepted_;  // RCPT got 2xx; resolved at the final "."
  Capabilities caps_;
  ReplyParser parser_;
  std::string out_;
  std::vector<Expect> expected_;  // replies still owed, oldest first
  std::vector<size_t> sent_rcpts_;  // indexes into results_, in the order RCPTs were sent
  size_t next_rcpt_reply_ = 0;
  Step step_ = Step::greeting;
  bool after_tls_ = false;
  bool mail_failed_ = false;
  bool host_failed_ = false;
  bool mail_sent_ = false;       // this transaction's MAIL went out
  bool replied_ = false;         // the server answered a command of this transaction
  bool reused_ = false;          // this transaction runs on a connection that carried one before
  bool reusable_ = true;         // no 421 or other sign that the server is closing
  bool lost_on_reuse_ = false;
  unsigned transactions_ = 1;
};

const char* to_string(RecipientStatus s);

}  // namespace postern::smtp::client
