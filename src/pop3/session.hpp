// One POP3 connection's protocol state machine (RFC 1939 with RFC 2449
// CAPA and response codes, RFC 2595 STLS, RFC 5034 SASL PLAIN, RFC 3206
// [SYS/*] and [AUTH]), sans-I/O: bytes in through receive(), bytes out
// through take_output(), and a few actions the net/ adapter performs (check
// a password and open the maildrop, stream a message, apply deletions, TLS).
// It parses untrusted network input and never touches the store itself.
//
// Contract for the adapter, from one thread: after every call, write
// take_output(), then act on next_action() until it is Action::read (feed
// receive()) or Action::close. Commands pipelined behind an action wait in
// the session's buffer and run when the action completes (RFC 2449 §6.6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "pop3/command.hpp"
#include "pop3/maildrop.hpp"
#include "pop3/message_encoder.hpp"

namespace postern::pop3 {

struct SessionLimits {
  // Octets per command line incl. CRLF. RFC 2449 §4 caps commands at 255;
  // a SASL PLAIN response in base64 may be longer, hence the margin.
  size_t max_line = 1024;
  unsigned max_errors = 10;  // bad commands or failed logins, then -ERR and close
};

struct SessionOptions {
  std::string hostname;
  SessionLimits limits;
  bool starttls_available = false;     // STLS offered (certificate configured, not in TLS yet)
  bool tls_active = false;             // implicit TLS (pop3s), or after STLS
  bool plaintext_auth_allowed = false; // passwords outside TLS: loopback in dev mode only
};

// Action::login: check the password, then lock and snapshot the maildrop.
struct LoginRequest {
  std::string user;
  std::string password;
};

struct LoginResult {
  enum class Outcome {
    ok,               // the maildrop is locked and `maildrop` is its snapshot
    bad_credentials,  // -ERR [AUTH]
    in_use,           // another POP3 session holds the maildrop: -ERR [IN-USE]
    failed,           // the directory or store failed: -ERR [SYS/TEMP]
  };
  Outcome outcome = Outcome::bad_credentials;
  MaildropSnapshot maildrop;
};

// Action::send_message: stream the blob of `message`; `top_lines` is set
// for TOP.
struct MessageRequest {
  uint32_t number = 0;
  MaildropMessage message;
  std::optional<uint64_t> top_lines;
};

// Action::update: expunge these UIDs of INBOX (RFC 1939 §6 UPDATE state).
struct UpdateRequest {
  int64_t mailbox_id = 0;
  std::vector<uint32_t> uids;
};

class Session {
 public:
  enum class Action {
    read,          // feed receive()
    login,         // login_request() -> login_done()
    start_tls,     // write the output, handshake, then tls_established()
    send_message,  // message_request() -> message_chunk()* -> message_end()
    update,        // update_request() -> update_done()
    close,         // write the output, then close the connection
  };

  explicit Session(SessionOptions options);

  // "+OK Postern POP3 server ready\r\n"
  std::string greeting() const;

  void receive(std::string_view bytes);
  std::string take_output() { return std::exchange(out_, {}); }
  Action next_action() const { return action_; }

  const LoginRequest& login_request() const { return login_; }
  void login_done(LoginResult result);
  // The failed login that was just answered (for the adapter's log and its
  // slow-down), consumed by the call.
  bool take_auth_failure() { return std::exchange(auth_failed_, false); }
  const std::string& failed_user() const { return failed_user_; }
  // Bad commands so far (unknown, malformed, wrong state, over-long lines),
  // for the guard's abuse count; failed logins are not included.
  unsigned bad_commands() const { return bad_commands_; }
  // Lines processed so far (commands and SASL responses), for the adapter's
  // command-rate pacing.
  uint64_t commands() const { return commands_; }
  // Part of a line has arrived but not its end (the adapter's slowloris limit).
  bool partial_line() const { return action_ == Action::read && (in_pos_ < in_.size() || discarding_); }
  std::optional<int64_t> mailbox_id() const;

  void tls_established();

  const MessageRequest& message_request() const { return message_; }
  // The next chunk of the message's octets. The first one emits "+OK".
  // False once TOP has what it needs: stop reading and call message_end().
  bool message_chunk(std::string_view chunk);
  // The message is complete (ok) or could not be read. An error before any
  // chunk is a -ERR reply; after one, the reply cannot be completed and the
  // session closes.
  void message_end(Status status);

  const UpdateRequest& update_request() const { return update_; }
  void update_done(Status status);

  // The autologout timer expired (RFC 1939 §3: no UPDATE, nothing deleted).
  void on_timeout();
  // The server is shutting down: between commands, say so and close.
  void on_shutdown();

  bool in_transaction_state() const { return state_ == State::transaction; }

 private:
  enum class State { authorization, transaction, closed };

  void drive();
  void run_line(std::string_view line);
  void run_command(std::string_view line);
  void bad_command(std::string_view text);
  void ok(std::string_view text);
  void err(std::string_view text, std::string_view code = {});
  void close_with(std::string_view line);

  bool auth_allowed() const { return options_.tls_active || options_.plaintext_auth_allowed; }
  std::string capabilities() const;

  // AUTHORIZATION state (session_auth.cpp)
  void cmd_capa();
  void cmd_user(const CommandLine& c);
  void cmd_pass(const CommandLine& c);
  void cmd_auth(const CommandLine& c);
  void cmd_stls(const CommandLine& c);
  void continue_auth(std::string_view line);
  void finish_plain(std::string_view b64);

  // TRANSACTION state (session_transaction.cpp)
  void cmd_stat(const CommandLine& c);
  void cmd_list(const CommandLine& c, bool uidl);
  void cmd_retr(const CommandLine& c, bool top);
  void cmd_dele(const CommandLine& c);
  void cmd_rset(const CommandLine& c);
  void cmd_quit();
  // The message named by `arg`, or nullopt after a -ERR reply.
  std::optional<uint32_t> message_arg(std::string_view arg);

  SessionOptions options_;
  State state_ = State::authorization;
  Action action_ = Action::read;
  std::string out_;
  std::string in_;
  size_t in_pos_ = 0;
  bool discarding_ = false;    // dropping the rest of an over-long line
  bool sasl_pending_ = false;  // AUTH PLAIN sent "+ ": the next line is the response
  unsigned errors_ = 0;        // bad commands and failed logins (max_errors)
  unsigned bad_commands_ = 0;
  uint64_t commands_ = 0;
  std::optional<std::string> user_;  // USER given, PASS expected next
  bool auth_failed_ = false;
  std::string failed_user_;
  LoginRequest login_;
  Maildrop maildrop_;
  MessageRequest message_;
  std::optional<MessageEncoder> encoder_;
  bool message_started_ = false;
  UpdateRequest update_;
};

}  // namespace postern::pop3
