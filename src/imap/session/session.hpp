// One IMAP connection's protocol state machine (RFC 9051 §3), sans-I/O:
// bytes in through receive(), bytes out through take_output(). Commands run
// as coroutines awaiting MailAccess; the net/ adapter owns the socket, TLS
// and timers and drives a Session from one event-loop thread.
//
// Contract for the adapter: calls are made from one thread. receive() and
// mailbox_changed() may overlap (a notification while a command awaits the
// store): the later call then only records its input, which the running one
// processes before it returns. Output may be appended by any call: call
// take_output() after each one returns and write it. Parses untrusted input.
#pragma once

#include <utility>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imap/mail_access.hpp"
#include "imap/proto/command_reader.hpp"
#include "imap/session/context.hpp"

namespace postern::imap {

class Session {
 public:
  Session(SessionOptions options, MailAccess& access);

  // "* OK [CAPABILITY ...] Postern IMAP ready\r\n"
  std::string greeting();

  // Feeds received bytes and runs every complete command (and the IDLE
  // "DONE" / AUTHENTICATE continuation lines).
  Task<void> receive(std::string_view bytes);

  std::string take_output();

  // LOGOUT, too many bad commands, an unrecoverable reader error or a
  // timeout: write the output, then close.
  bool wants_close() const { return ctx_.close; }
  // Failed logins since the last call (the adapter delays the answer and
  // tells the guard), and BAD answers so far (protocol abuse).
  int take_auth_failures() { return std::exchange(ctx_.auth_failures, 0); }
  const std::string& failed_user() const { return ctx_.failed_user; }
  int bad_commands() const { return ctx_.bad_commands; }
  // Commands (and malformed command lines) processed so far, for the
  // adapter's command-rate pacing.
  uint64_t commands() const { return commands_; }
  // True while a command has begun arriving but is not complete.
  bool partial_command() const { return !in_.empty() || !reader_.idle(); }
  // "OK Begin TLS negotiation now" was queued: write it, handshake, then call
  // tls_established(). Bytes received before the handshake were discarded
  // (RFC 9051 §6.2.1: no plaintext command injection).
  bool wants_starttls() const { return ctx_.starttls_pending; }
  void tls_established();
  // "OK DEFLATE active" was queued (RFC 4978): write it uncompressed, then
  // call compression_started(), which returns the raw bytes received after
  // the command (already compressed); from then on both directions deflate.
  bool wants_compress() const { return ctx_.compress_pending; }
  std::string compression_started();

  bool idling() const { return ctx_.line_mode == LineMode::idle; }
  std::optional<int64_t> account_id() const;

  // The store changed something in this account. While IDLE, announces the
  // changes to the selected mailbox at once; when no command runs, announces
  // EXISTS and flag changes but keeps EXPUNGEs for the next command (RFC 9051
  // §7.5.1); while a command runs, marks the mailbox dirty for its end.
  Task<void> mailbox_changed();

  // The inactivity timer fired (RFC 9051 §5.4): BYE and close.
  void on_timeout();

 private:
  Task<void> drive();
  Task<void> run_command(Command& command);
  void on_reader_error(const ReaderError& e);

  SessionContext ctx_;
  CommandReader reader_;
  std::string in_;    // received, not yet fed to the reader (see drive())
  size_t in_pos_ = 0;
  uint64_t commands_ = 0;
  bool busy_ = false;
};

}  // namespace postern::imap
