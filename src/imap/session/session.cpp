// The session loop: splits input between the command reader and the
// non-command lines (IDLE's DONE, SASL responses), dispatches commands
// through the command table with state checks, and announces mailbox
// changes where RFC 9051 §7.5.1 allows.
#include "imap/session/session.hpp"

#include <variant>

#include "imap/commands/command_table.hpp"

namespace postern::imap {

Session::Session(SessionOptions options, MailAccess& access)
    : ctx_(std::move(options), access), reader_(ctx_.options.limits) {}

std::string Session::greeting() {
  std::string g;
  append_untagged_status(g, Condition::ok, "Postern IMAP ready", "CAPABILITY", ctx_.capabilities());
  return g;
}

std::string Session::take_output() { return std::exchange(ctx_.out, {}); }

std::string Session::compression_started() {
  ctx_.compress_pending = false;
  ctx_.compress_active = true;
  // RFC 4978 §3: the client compresses right after its command's CRLF, so
  // whatever followed it is compressed data for the adapter to inflate.
  std::string rest = in_.substr(std::min(in_pos_, in_.size()));
  in_.clear();
  in_pos_ = 0;
  return rest;
}

void Session::tls_established() {
  ctx_.starttls_pending = false;
  ctx_.options.tls_active = true;
}

std::optional<int64_t> Session::account_id() const {
  if (!ctx_.user) return std::nullopt;
  return ctx_.user->account_id;
}

void Session::on_timeout() {
  if (ctx_.close) return;
  append_untagged_status(ctx_.out, Condition::bye, "Autologout; idle for too long");
  ctx_.close = true;
}

Task<void> Session::receive(std::string_view bytes) {
  if (ctx_.close || ctx_.transport_pending()) co_return;  // nothing more is read
  in_.append(bytes);
  if (busy_) co_return;  // the running call picks the bytes up
  busy_ = true;
  co_await drive();
  busy_ = false;
}

Task<void> Session::mailbox_changed() {
  if (!ctx_.selected || ctx_.close) co_return;
  ctx_.dirty = true;
  if (busy_) co_return;  // announced at the end of the running command (or IDLE loop)
  busy_ = true;
  // No command in progress: EXPUNGE must wait, except in IDLE (RFC 9051 §7.5.1, RFC 2177).
  co_await announce_changes(ctx_, ctx_.line_mode == LineMode::idle);
  co_await drive();
  busy_ = false;
}

void Session::on_reader_error(const ReaderError& e) {
  std::string_view code = e.code == ReaderCode::too_big ? "TOOBIG" : "";
  if (e.error.kind == ErrorKind::syntax) {
    ctx_.bad(e.tag, e.error.message, code);
  } else {
    ctx_.no(e.tag, e.error.message, code);
  }
  ctx_.flush_reply();
  if (e.close && !ctx_.close) {
    append_untagged_status(ctx_.out, Condition::bye, "Cannot continue reading this connection");
    ctx_.close = true;
  }
}

Task<void> Session::drive() {
  while (!ctx_.close && !ctx_.transport_pending()) {
    if (in_pos_ >= in_.size()) break;
    auto lf = in_.find('\n', in_pos_);
    if (ctx_.line_mode != LineMode::command) {
      if (lf == std::string::npos) {
        if (in_.size() - in_pos_ > ctx_.options.limits.max_line) {
          // An endless non-command line: no way to resynchronize.
          append_untagged_status(ctx_.out, Condition::bye, "Line too long");
          ctx_.close = true;
        }
        break;
      }
      std::string line = in_.substr(in_pos_, lf - in_pos_);
      in_pos_ = lf + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (ctx_.line_mode == LineMode::idle) {
        finish_idle(ctx_, line);
      } else {
        co_await continue_authenticate(ctx_, std::move(line));
      }
      ctx_.flush_reply();
      continue;
    }
    // Feed at most one line at a time: a command ends at a line end, so
    // after one the bytes not yet fed are exactly what follows it (IDLE's
    // DONE, or bytes after STARTTLS that must be dropped).
    size_t n = (lf == std::string::npos ? in_.size() : lf + 1) - in_pos_;
    reader_.feed(std::string_view(in_).substr(in_pos_, n));
    in_pos_ += n;
    for (;;) {
      auto ev = reader_.next();
      if (std::holds_alternative<NeedMore>(ev)) break;
      if (std::holds_alternative<ContinuationRequest>(ev)) {
        append_continuation(ctx_.out);
        continue;
      }
      if (auto* err = std::get_if<ReaderError>(&ev)) {
        ++commands_;
        on_reader_error(*err);
        if (ctx_.close) break;
        continue;
      }
      ++commands_;
      co_await run_command(std::get<Command>(ev));
      if (ctx_.close || ctx_.transport_pending() || ctx_.line_mode != LineMode::command) break;
    }
  }
  if (ctx_.starttls_pending) {
    // RFC 9051 §6.2.1 / CVE-2011-0411: anything pipelined after STARTTLS
    // was sent in plaintext and must not be executed after the handshake.
    in_.clear();
    in_pos_ = 0;
    reader_.reset();
  }
  // Keep the input buffer small between commands (DESIGN.md: idle is cheap).
  if (in_pos_ >= in_.size()) {
    in_.clear();
    in_.shrink_to_fit();
    in_pos_ = 0;
  } else if (in_pos_ > 0) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
  // In IDLE, changes are pushed as they come (RFC 2177 §3).
  while (ctx_.line_mode == LineMode::idle && ctx_.dirty && !ctx_.close) co_await announce_changes(ctx_, true);
}

Task<void> Session::run_command(Command& c) {
  const CommandSpec* spec = find_command(c.name);
  if (!spec) {
    ctx_.bad(c.tag, "Unknown command");
  } else if (c.uid && !(spec->flags & kAllowUid)) {
    ctx_.bad(c.tag, "UID cannot be used with this command");
  } else if (!(spec->states & static_cast<uint8_t>(ctx_.state))) {
    ctx_.bad(c.tag, ctx_.state == SessionState::not_authenticated ? "Please log in first"
                                                                   : "Command not allowed in this state");
  } else {
    co_await spec->handler(ctx_, c);
    if (ctx_.selected && !(spec->flags & kNoAnnounce) && (ctx_.dirty || (spec->flags & kPoll))) {
      bool uses_seq = (spec->flags & kUsesSeqNumbers) && !c.uid;
      co_await announce_changes(ctx_, !uses_seq);
    }
  }
  ctx_.flush_reply();
  // Limits may depend on the state (not used yet); keep the reader in step.
  reader_.set_limits(ctx_.options.limits);
}

}  // namespace postern::imap
