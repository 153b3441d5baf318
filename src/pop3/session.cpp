// The session loop: splits input into lines (with the length limit and the
// bad-command budget), dispatches commands by state, and completes the
// adapter's actions (login, message streaming, UPDATE, TLS).
#include "pop3/session.hpp"

namespace postern::pop3 {

Session::Session(SessionOptions options) : options_(std::move(options)) {}

std::string Session::greeting() const { return "+OK Postern POP3 server ready\r\n"; }

void Session::ok(std::string_view text) {
  out_ += "+OK";
  if (!text.empty()) {
    out_ += ' ';
    out_ += text;
  }
  out_ += "\r\n";
}

void Session::err(std::string_view text, std::string_view code) {
  out_ += "-ERR ";
  if (!code.empty()) {
    // RFC 2449 §8: "[" resp-code "]" before the text.
    out_ += '[';
    out_ += code;
    out_ += "] ";
  }
  out_ += text;
  out_ += "\r\n";
}

void Session::close_with(std::string_view line) {
  out_ += line;
  out_ += "\r\n";
  state_ = State::closed;
  action_ = Action::close;
  in_.clear();
  in_pos_ = 0;
}

void Session::bad_command(std::string_view text) {
  err(text);
  ++bad_commands_;
  if (++errors_ >= options_.limits.max_errors) close_with("-ERR Too many bad commands, closing connection");
}

std::optional<int64_t> Session::mailbox_id() const {
  if (state_ != State::transaction) return std::nullopt;
  return maildrop_.mailbox_id();
}

void Session::receive(std::string_view bytes) {
  if (action_ == Action::close || action_ == Action::start_tls) return;
  in_.append(bytes);
  drive();
}

void Session::drive() {
  while (action_ == Action::read && in_pos_ < in_.size()) {
    auto lf = in_.find('\n', in_pos_);
    if (lf == std::string::npos) {
      if (in_.size() - in_pos_ >= options_.limits.max_line) {
        // Over-long: drop what we have and the rest up to the next LF.
        in_.clear();
        in_pos_ = 0;
        if (!discarding_) {
          discarding_ = true;
          sasl_pending_ = false;
          bad_command("Line too long");
        }
      }
      break;
    }
    std::string_view line(in_.data() + in_pos_, lf - in_pos_);
    size_t line_size = lf + 1 - in_pos_;
    in_pos_ = lf + 1;
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    if (line_size > options_.limits.max_line) {
      sasl_pending_ = false;
      bad_command("Line too long");
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    run_line(line);
  }
  if (action_ == Action::start_tls) {
    // RFC 2595 §4 / CVE-2011-0411: what was pipelined after STLS arrived in
    // plaintext and must not run after the handshake.
    in_.clear();
    in_pos_ = 0;
  }
  // Keep the buffer small between commands.
  if (in_pos_ >= in_.size()) {
    in_.clear();
    in_pos_ = 0;
  } else if (in_pos_ > 4096) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
}

void Session::run_line(std::string_view line) {
  ++commands_;
  if (sasl_pending_) {
    sasl_pending_ = false;
    continue_auth(line);
    return;
  }
  run_command(line);
}

void Session::run_command(std::string_view line) {
  auto c = parse_command_line(line);
  if (!c) {
    bad_command("Unknown command");
    return;
  }
  const std::string& k = c->keyword;
  if (k == "CAPA") return cmd_capa();
  if (k == "QUIT") return cmd_quit();
  if (state_ == State::authorization) {
    if (k == "USER") return cmd_user(*c);
    if (k == "PASS") return cmd_pass(*c);
    if (k == "AUTH") return cmd_auth(*c);
    if (k == "STLS") return cmd_stls(*c);
    if (k == "STAT" || k == "LIST" || k == "RETR" || k == "DELE" || k == "NOOP" || k == "RSET" || k == "TOP" ||
        k == "UIDL")
      return bad_command("Not logged in");
    return bad_command("Unknown command");
  }
  if (k == "STAT") return cmd_stat(*c);
  if (k == "LIST") return cmd_list(*c, false);
  if (k == "UIDL") return cmd_list(*c, true);
  if (k == "RETR") return cmd_retr(*c, false);
  if (k == "TOP") return cmd_retr(*c, true);
  if (k == "DELE") return cmd_dele(*c);
  if (k == "RSET") return cmd_rset(*c);
  if (k == "NOOP") {
    if (!c->args.empty()) return bad_command("NOOP takes no arguments");
    return ok("");
  }
  if (k == "USER" || k == "PASS" || k == "AUTH" || k == "STLS" || k == "APOP")
    return bad_command("Already logged in");
  bad_command("Unknown command");
}

void Session::login_done(LoginResult result) {
  if (action_ != Action::login) return;
  action_ = Action::read;
  std::string user = std::move(login_.user);
  login_ = {};
  switch (result.outcome) {
    case LoginResult::Outcome::ok:
      maildrop_ = Maildrop(std::move(result.maildrop));
      state_ = State::transaction;
      ok("Maildrop locked and ready, " + std::to_string(maildrop_.count()) + " messages (" +
         std::to_string(maildrop_.octets()) + " octets)");
      break;
    case LoginResult::Outcome::bad_credentials:
      auth_failed_ = true;
      failed_user_ = std::move(user);
      err("Authentication failed", "AUTH");
      if (++errors_ >= options_.limits.max_errors) close_with("-ERR Too many failed logins, closing connection");
      break;
    case LoginResult::Outcome::in_use:
      // RFC 2449 §8.1.1 IN-USE: the credentials were right.
      err("Mailbox is in use by another POP3 session", "IN-USE");
      break;
    case LoginResult::Outcome::failed:
      err("Temporary server error, try again later", "SYS/TEMP");
      break;
  }
  drive();
}

void Session::tls_established() {
  if (action_ != Action::start_tls) return;
  options_.tls_active = true;
  options_.starttls_available = false;
  action_ = Action::read;
}

bool Session::message_chunk(std::string_view chunk) {
  if (action_ != Action::send_message || !encoder_) return false;
  if (!message_started_) {
    message_started_ = true;
    if (message_.top_lines) ok("Top of message follows");
    else ok(std::to_string(message_.message.size) + " octets");
  }
  return encoder_->encode(chunk, out_);
}

void Session::message_end(Status status) {
  if (action_ != Action::send_message) return;
  if (status) {
    if (!message_started_) message_chunk("");  // an empty message still gets its +OK
    encoder_->finish(out_);
  } else if (!message_started_) {
    if (status.error().kind == ErrorKind::user)
      err("Message " + std::to_string(message_.number) + " is no longer available");
    else
      err("Cannot read the message, try again later", "SYS/TEMP");
  } else {
    // The multi-line reply is half sent: there is no way to finish it.
    encoder_.reset();
    message_started_ = false;
    state_ = State::closed;
    action_ = Action::close;
    return;
  }
  encoder_.reset();
  message_started_ = false;
  action_ = Action::read;
  drive();
}

void Session::update_done(Status status) {
  if (action_ != Action::update) return;
  if (status) {
    close_with("+OK Postern POP3 server signing off (" + std::to_string(update_.uids.size()) + " messages deleted)");
  } else {
    // RFC 2449 §8.1.2 / RFC 3206: a server-side failure.
    close_with("-ERR [SYS/TEMP] Some deleted messages were not removed");
  }
}

void Session::on_timeout() {
  if (action_ == Action::close) return;
  // RFC 1939 §3: autologout closes without entering UPDATE.
  close_with("-ERR Autologout; idle for too long");
}

void Session::on_shutdown() {
  if (action_ != Action::read) return;
  close_with("-ERR [SYS/TEMP] Server shutting down");
}

}  // namespace postern::pop3
