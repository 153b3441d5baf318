// Check and act functions for every SMTP verb (RFC 5321 §4.1.1, RFC 3030,
// RFC 3207), and the table that wires them.
#include "smtp/server/command_table.hpp"

#include <algorithm>

#include "core/strings.hpp"
#include "smtp/proto/command_arguments.hpp"

namespace postern::smtp::detail {
namespace {

using Greeting = SessionCore::Greeting;

Reply bad_sequence(std::string text) { return Reply{503, "5.5.1", std::move(text)}; }
Reply bad_argument(std::string text) { return Reply{501, "5.5.4", std::move(text)}; }

std::optional<Reply> no_check(const SessionCore&, std::string_view) { return std::nullopt; }

std::optional<Reply> require_no_argument(std::string_view verb, std::string_view argument) {
  if (!argument.empty()) return bad_argument("Syntax: " + std::string(verb) + " takes no argument");
  return std::nullopt;
}

// --- EHLO / HELO (RFC 5321 §4.1.1.1) --------------------------------------

std::optional<Reply> check_helo_argument(const SessionCore&, std::string_view argument) {
  // Domain or address-literal. Liberal about its form (many clients send
  // bare host names), strict about what could corrupt the Received: header.
  if (argument.empty()) return bad_argument("Syntax: EHLO <hostname>");
  if (argument.size() > kMaxDomainOctets) return bad_argument("Hostname too long");
  for (unsigned char c : argument) {
    if (c <= ' ' || c >= 127) return bad_argument("Invalid hostname");
  }
  return std::nullopt;
}

void act_ehlo(SessionCore& s, std::string_view argument) {
  s.reset_transaction();  // RFC 5321 §4.1.4: EHLO implies RSET
  s.greeting_ = Greeting::ehlo;
  s.helo_ = std::string(argument);
  s.tx_.envelope.helo = s.helo_;
  std::vector<std::string> lines{s.options_.hostname, "PIPELINING",
                                 "SIZE " + std::to_string(s.options_.limits.max_message_size), "8BITMIME",
                                 "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING"};
  if (s.options_.starttls_available && !s.tls_active_) lines.push_back("STARTTLS");
  // RFC 4954 §3: AUTH only where passwords may travel (TLS, or dev loopback).
  if (s.options_.submission && !s.client_.authenticated && (s.tls_active_ || s.options_.plaintext_auth_allowed))
    lines.push_back("AUTH PLAIN LOGIN SCRAM-SHA-256");
  s.reply_lines(250, lines);
}

void act_helo(SessionCore& s, std::string_view argument) {
  s.reset_transaction();
  s.greeting_ = Greeting::helo;
  s.helo_ = std::string(argument);
  s.tx_.envelope.helo = s.helo_;
  s.reply(Reply{250, "", s.options_.hostname});  // RFC 2034 §3: no enhanced code on HELO
}

void act_auth(SessionCore& s, std::string_view argument) { s.start_auth(argument); }

// --- MAIL (RFC 5321 §4.1.1.2) ---------------------------------------------

std::optional<Reply> check_mail(const SessionCore& s, std::string_view) {
  if (s.greeting_ == Greeting::none) return bad_sequence("Error: send HELO/EHLO first");
  if (s.tx_.mail_given) return bad_sequence("Error: nested MAIL command");
  // RFC 6409 §4.3 / RFC 4954 §6: submission needs AUTH first.
  if (s.options_.submission && !s.client_.authenticated) return Reply{530, "5.7.0", "Authentication required"};
  return std::nullopt;
}

void act_mail(SessionCore& s, std::string_view argument) {
  auto mail = parse_mail_from(argument, s.greeting_ == Greeting::ehlo);
  if (!mail) return s.reply_error(mail.reply());
  // RFC 1870 §6.2: a declared size over our limit is refused up front.
  if (mail->size && *mail->size > s.options_.limits.max_message_size)
    return s.reply(Reply{552, "5.3.4", "Message size exceeds fixed maximum message size"});
  if (mail->sender) {
    if (s.options_.submission && !s.policy_.may_send_as(s.client_.account_id, *mail->sender))
      return s.reply_error(Reply{553, "5.7.1", "Sender address rejected: not owned by user " + s.client_.user});
    if (!s.options_.submission && !s.client_.authenticated && !s.client_.trusted &&
        s.policy_.is_local_domain(mail->sender->domain))
      return s.reply_error(Reply{550, "5.7.1", "Sender address rejected: " + mail->sender->domain +
                                                   " is our domain; our users must submit (port 587/465)"});
  }
  auto& tx = s.tx_;
  tx.mail_given = true;
  tx.envelope.mail_from = mail->sender ? mail->sender->str() : "";
  tx.envelope.smtputf8 = mail->smtputf8;
  tx.envelope.eight_bit = mail->body == BodyType::eight_bit_mime || mail->body == BodyType::binary_mime;
  tx.envelope.declared_size = mail->size.value_or(0);
  tx.binary_mime = mail->body == BodyType::binary_mime;
  s.reply(Reply{250, "2.1.0", "Ok"});
}

// --- RCPT (RFC 5321 §4.1.1.3) ---------------------------------------------

std::optional<Reply> check_rcpt(const SessionCore& s, std::string_view) {
  if (!s.tx_.mail_given) return bad_sequence("Error: need MAIL command");
  return std::nullopt;
}

Reply recipient_reply(const RecipientDecision& decision) {
  auto text = [&](const char* fallback) { return decision.detail.empty() ? std::string(fallback) : decision.detail; };
  switch (decision.verdict) {
    case RecipientDecision::Verdict::accept: return Reply{250, "2.1.5", "Ok"};
    case RecipientDecision::Verdict::unknown_user:
      return Reply{550, "5.1.1", text("Recipient address rejected: User unknown")};
    case RecipientDecision::Verdict::relay_denied: return Reply{554, "5.7.1", text("Relay access denied")};
    case RecipientDecision::Verdict::temporary:
      return Reply{451, "4.3.0", text("Recipient address rejected: try again later")};
    case RecipientDecision::Verdict::mailbox_full:
      return Reply{552, "5.2.2", text("Mailbox full: the recipient is over quota")};
  }
  return Reply{451, "4.3.0", "Recipient address rejected: try again later"};
}

void act_rcpt(SessionCore& s, std::string_view argument) {
  auto& tx = s.tx_;
  ++tx.rcpt_attempts;
  auto rcpt = parse_rcpt_to(argument, tx.envelope.smtputf8, s.options_.hostname);
  if (!rcpt) return s.reply_error(rcpt.reply());
  // RFC 5321 §4.5.3.1.8: 452 for too many recipients; the client retries later.
  if (tx.envelope.recipients.size() >= s.options_.limits.max_recipients)
    return s.reply_error(Reply{452, "4.5.3", "Error: too many recipients"});
  RecipientDecision decision = s.policy_.check_recipient(rcpt->recipient, s.client_.authenticated);
  Reply r = recipient_reply(decision);
  if (decision.verdict != RecipientDecision::Verdict::accept) return s.reply_error(std::move(r));
  std::string address = rcpt->recipient.str();
  auto& recipients = tx.envelope.recipients;
  if (std::find(recipients.begin(), recipients.end(), address) == recipients.end())
    recipients.push_back(std::move(address));
  auto& accounts = tx.envelope.accounts;
  for (int64_t account : decision.accounts) {
    if (std::find(accounts.begin(), accounts.end(), account) == accounts.end()) accounts.push_back(account);
  }
  s.reply(std::move(r));
}

// --- DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030) -------------------------

// Why the transaction cannot take content now, if it cannot.
std::optional<Reply> content_refusal(const SessionCore& s) {
  const auto& tx = s.tx_;
  if (!tx.mail_given) return bad_sequence("Error: need MAIL command");
  if (tx.envelope.recipients.empty()) {
    // RFC 2920 §3.1: after pipelined RCPTs that all failed, 554.
    if (tx.rcpt_attempts == 0) return bad_sequence("Error: need RCPT command");
    return Reply{554, "5.5.1", "Error: no valid recipients"};
  }
  return std::nullopt;
}

std::optional<Reply> check_data(const SessionCore& s, std::string_view argument) {
  if (auto r = require_no_argument("DATA", argument)) return r;
  if (auto r = content_refusal(s)) return r;
  if (s.tx_.bdat_started) return bad_sequence("Error: DATA after BDAT");  // RFC 3030 §2
  if (s.tx_.binary_mime) return bad_sequence("Error: BODY=BINARYMIME requires BDAT");  // RFC 3030 §3
  return std::nullopt;
}

void act_data(SessionCore& s, std::string_view) {
  s.begin_data();
  s.reply(Reply{354, "", "End data with <CR><LF>.<CR><LF>"});  // RFC 2034: 3xx carry no enhanced code
}

void act_bdat(SessionCore& s, std::string_view argument) {
  auto bdat = parse_bdat(argument);
  // Without a valid size the chunk cannot be skipped: what follows is read
  // as commands (RFC 3030 §2 leaves no better choice).
  if (!bdat) return s.reply_error(bdat.reply());
  // A refused chunk is still consumed; the refusal is the reply to it.
  s.begin_bdat(bdat->size, bdat->last, content_refusal(s));
}

// --- RSET, NOOP, QUIT, HELP, VRFY, EXPN -------------------------------------

std::optional<Reply> check_rset(const SessionCore&, std::string_view argument) {
  return require_no_argument("RSET", argument);
}

void act_rset(SessionCore& s, std::string_view) {
  s.reset_transaction();
  s.reply(Reply{250, "2.0.0", "Ok"});
}

void act_noop(SessionCore& s, std::string_view) { s.reply(Reply{250, "2.0.0", "Ok"}); }

// QUIT's argument is ignored: closing politely beats arguing.
void act_quit(SessionCore& s, std::string_view) { s.close_with(221, "2.0.0", "Bye"); }

void act_help(SessionCore& s, std::string_view) {
  s.reply(Reply{214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY STARTTLS"});
}

std::optional<Reply> check_vrfy(const SessionCore&, std::string_view argument) {
  if (argument.empty()) return bad_argument("Syntax: VRFY <address>");
  return std::nullopt;
}

// RFC 5321 §3.5.3: 252 when we will not verify (no address harvesting).
void act_vrfy(SessionCore& s, std::string_view) {
  s.reply(Reply{252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"});
}

// RFC 5321 §3.5.2: EXPN may be disabled; not counted as a client error.
void act_expn(SessionCore& s, std::string_view) { s.reply(Reply{502, "5.5.1", "Error: EXPN not supported"}); }

// --- STARTTLS (RFC 3207) -----------------------------------------------------

std::optional<Reply> check_starttls(const SessionCore& s, std::string_view argument) {
  if (auto r = require_no_argument("STARTTLS", argument)) return r;
  if (s.tls_active_) return bad_sequence("Error: TLS already active");
  if (!s.options_.starttls_available) return Reply{502, "5.5.1", "Error: STARTTLS not available"};
  if (s.greeting_ == Greeting::none) return bad_sequence("Error: send EHLO first");
  return std::nullopt;
}

void act_starttls(SessionCore& s, std::string_view) {
  s.reset_transaction();
  s.reply(Reply{220, "2.0.0", "Ready to start TLS"});
  s.request_start_tls();
}

constexpr CommandRow kCommands[] = {
    {"EHLO", check_helo_argument, act_ehlo},
    {"HELO", check_helo_argument, act_helo},
    {"MAIL", check_mail, act_mail},
    {"RCPT", check_rcpt, act_rcpt},
    {"DATA", check_data, act_data},
    {"BDAT", no_check, act_bdat},  // sequence checked after the chunk is consumed
    {"RSET", check_rset, act_rset},
    {"NOOP", no_check, act_noop},
    {"QUIT", no_check, act_quit},
    {"HELP", no_check, act_help},
    {"VRFY", check_vrfy, act_vrfy},
    {"EXPN", no_check, act_expn},
    {"STARTTLS", check_starttls, act_starttls},
    {"AUTH", no_check, act_auth},  // RFC 4954; checks in SessionCore::start_auth
};

}  // namespace

const CommandRow* find_command(std::string_view verb) {
  for (const auto& row : kCommands) {
    if (row.verb == verb) return &row;
  }
  return nullptr;
}

}  // namespace postern::smtp::detail
