// TRANSACTION state (RFC 1939 §5): STAT, LIST, UIDL, RETR, TOP, DELE, RSET,
// and QUIT, which enters the UPDATE state (§6) when messages are marked.
#include "pop3/session.hpp"

namespace postern::pop3 {

std::optional<uint32_t> Session::message_arg(std::string_view arg) {
  auto n = parse_message_number(arg);
  if (!n) {
    bad_command("Invalid message number");
    return std::nullopt;
  }
  if (!maildrop_.exists(*n)) {
    err("No such message");
    return std::nullopt;
  }
  if (maildrop_.deleted(*n)) {
    err("Message " + std::to_string(*n) + " already deleted");
    return std::nullopt;
  }
  return n;
}

void Session::cmd_stat(const CommandLine& c) {
  if (!c.args.empty()) return bad_command("STAT takes no arguments");
  ok(std::to_string(maildrop_.count()) + " " + std::to_string(maildrop_.octets()));
}

// LIST and UIDL share their shape: one message, or every undeleted one.
void Session::cmd_list(const CommandLine& c, bool uidl) {
  if (c.args.size() > 1) return bad_command("Too many arguments");
  auto value = [&](uint32_t n) { return uidl ? maildrop_.uidl(n) : std::to_string(maildrop_.at(n).size); };
  if (c.args.size() == 1) {
    auto n = message_arg(c.args[0]);
    if (!n) return;
    ok(std::to_string(*n) + " " + value(*n));
    return;
  }
  ok(uidl ? "Unique-ID listing follows"
          : std::to_string(maildrop_.count()) + " messages (" + std::to_string(maildrop_.octets()) + " octets)");
  for (uint32_t n = 1; n <= maildrop_.size(); ++n) {
    if (maildrop_.deleted(n)) continue;
    out_ += std::to_string(n);
    out_ += ' ';
    out_ += value(n);
    out_ += "\r\n";
  }
  out_ += ".\r\n";
}

void Session::cmd_retr(const CommandLine& c, bool top) {
  if (c.args.size() != (top ? 2u : 1u)) return bad_command(top ? "Usage: TOP msg n" : "Usage: RETR msg");
  std::optional<uint64_t> lines;
  if (top) {
    lines = parse_line_count(c.args[1]);
    if (!lines) return bad_command("Invalid line count");
  }
  auto n = message_arg(c.args[0]);
  if (!n) return;
  message_ = {*n, maildrop_.at(*n), lines};
  encoder_.emplace(lines);
  message_started_ = false;
  action_ = Action::send_message;
}

void Session::cmd_dele(const CommandLine& c) {
  if (c.args.size() != 1) return bad_command("Usage: DELE msg");
  auto n = message_arg(c.args[0]);
  if (!n) return;
  maildrop_.mark_deleted(*n);
  ok("Message " + std::to_string(*n) + " deleted");
}

void Session::cmd_rset(const CommandLine& c) {
  if (!c.args.empty()) return bad_command("RSET takes no arguments");
  maildrop_.reset();
  ok("Maildrop has " + std::to_string(maildrop_.count()) + " messages (" + std::to_string(maildrop_.octets()) +
     " octets)");
}

void Session::cmd_quit() {
  if (state_ != State::transaction) return close_with("+OK Postern POP3 server signing off");
  auto uids = maildrop_.deleted_uids();
  if (uids.empty()) return close_with("+OK Postern POP3 server signing off");
  // RFC 1939 §6: UPDATE removes the marked messages, then the reply.
  update_ = {maildrop_.mailbox_id(), std::move(uids)};
  action_ = Action::update;
}

}  // namespace postern::pop3
