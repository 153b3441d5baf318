// Private to smtp/server: the state behind postern::smtp::Session, shared by
// the input loop (session_core.cpp) and the per-verb check/act functions
// (command_table.cpp). Not part of the public interface.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smtp/proto/reply.hpp"
#include "smtp/server/data_reader.hpp"
#include "sasl/scram.hpp"
#include "smtp/server/session.hpp"

namespace postern::smtp::detail {

class SessionCore {
 public:
  using Action = Session::Action;

  SessionCore(SessionOptions options, ClientInfo client, RecipientPolicy& policy, int64_t (*now)());

  // --- driven by Session -------------------------------------------------
  void start();
  void receive(std::string_view bytes);
  std::string take_output() { return std::exchange(out_, {}); }
  Action next_action() const { return action_; }
  const Envelope& envelope() const { return tx_.envelope; }
  std::string take_message() { return std::exchange(ready_message_, {}); }
  void delivery_done(const Status& result);
  void tls_established();
  const AuthRequest& auth_request() const { return auth_request_; }
  void auth_done(AuthResult result);
  void on_timeout();
  void on_shutdown();
  bool in_transaction() const { return tx_.mail_given; }

  // --- used by the command table -------------------------------------------
  enum class Greeting { none, helo, ehlo };
  enum class Phase { command, data, bdat };

  // One mail transaction (RFC 5321 §3.3): MAIL, RCPTs, content.
  struct Transaction {
    bool mail_given = false;
    Envelope envelope;
    bool binary_mime = false;
    unsigned rcpt_attempts = 0;
    bool bdat_started = false;  // RFC 3030 §2: no DATA once BDAT began
    MessageBuffer message{0};
    DataReader data_reader{1000};
  };

  // Appends a reply. Errors (counted toward max_errors) are syntax and
  // sequence errors and refused recipients; at max_errors the session
  // answers 421 4.7.0 and closes.
  void reply(Reply r);
  void reply_error(Reply r);
  void reply_lines(int code, const std::vector<std::string>& lines);
  void close_with(int code, std::string_view enhanced, std::string_view text);

  bool partial_command() const { return phase_ == Phase::command && in_.size() > in_pos_; }
  void reset_transaction();
  void begin_data();
  void begin_bdat(uint64_t size, bool last, std::optional<Reply> refusal);
  // The content is complete: reject it, or build the stored message and ask
  // the adapter to deliver.
  void finish_message();
  // RFC 3207 §5 / CVE-2011-0411: drops input pipelined after STARTTLS.
  void discard_buffered_input();
  // STARTTLS accepted: the adapter writes the 220 then does the handshake.
  void request_start_tls();

  // --- AUTH (auth.cpp, RFC 4954) ------------------------------------------
  // One SASL exchange in progress: the lines after a 334 are its responses.
  struct SaslExchange {
    enum class Mechanism { plain, login, scram } mechanism = Mechanism::plain;
    int step = 0;
    std::string login_user;  // LOGIN: the user name of step 1
    std::optional<sasl::ScramServer> scram;
    bool scram_verified = false;  // server-final sent; waiting for the empty line
  };
  void start_auth(std::string_view argument);
  void sasl_line(std::string_view line);
  void auth_succeeded(const AuthIdentity& identity);
  void auth_failed();
  // Submission header fixes (RFC 6409 §8): Date, Message-ID, no Bcc; and
  // the From: check. Returns the refusal when From: is not the user's.
  std::optional<Reply> check_and_fix_submission(std::string& message);
  // MX: an unauthenticated, untrusted client may not claim one of our
  // domains in From: (our users submit; spoofers come through port 25).
  std::optional<Reply> check_mx_from_header(std::string_view message);
  std::optional<SaslExchange> sasl_;
  AuthRequest auth_request_;
  bool auth_failed_ = false;

  SessionOptions options_;
  ClientInfo client_;
  RecipientPolicy& policy_;
  int64_t (*now_)();

  Greeting greeting_ = Greeting::none;
  std::string helo_;
  bool tls_active_ = false;
  unsigned errors_ = 0;
  uint64_t commands_ = 0;  // command lines (and SASL responses) processed, for rate pacing
  Transaction tx_;

 private:
  bool process_command_line();
  bool process_data();
  bool process_bdat();
  void process();
  void dispatch(std::string_view line);

  Action action_ = Action::read;
  Phase phase_ = Phase::command;
  std::string in_;
  size_t in_pos_ = 0;
  bool discarding_long_line_ = false;
  std::string out_;
  std::string ready_message_;
  uint64_t bdat_remaining_ = 0;
  uint64_t bdat_chunk_size_ = 0;
  bool bdat_last_ = false;
  std::optional<Reply> bdat_refusal_;  // the chunk is consumed, then this is the reply
};

}  // namespace postern::smtp::detail
