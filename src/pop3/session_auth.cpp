// AUTHORIZATION state: CAPA (RFC 2449 §5), USER/PASS (RFC 1939 §7), AUTH
// PLAIN (RFC 5034, RFC 4616) and STLS (RFC 2595 §4). Handles credentials:
// never logs or echoes them.
#include "pop3/session.hpp"
#include "sasl/base64.hpp"
#include "sasl/plain.hpp"

namespace postern::pop3 {

namespace {
constexpr std::string_view kNeedTls = "Plaintext authentication disallowed on non-secure connections, use STLS";
}

std::string Session::capabilities() const {
  std::string c = "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n";
  if (state_ == State::authorization) {
    // RFC 2595 §4 / RFC 2449 §6.8: advertise only what may be used now.
    if (auth_allowed()) c += "USER\r\nSASL PLAIN\r\n";
    if (options_.starttls_available && !options_.tls_active) c += "STLS\r\n";
  }
  c += "IMPLEMENTATION Postern\r\n";
  return c;
}

void Session::cmd_capa() {
  ok("Capability list follows");
  out_ += capabilities();
  out_ += ".\r\n";
}

void Session::cmd_user(const CommandLine& c) {
  user_.reset();
  if (!auth_allowed()) return err(kNeedTls, "AUTH");
  if (c.rest.empty()) return bad_command("USER needs a name");
  user_ = c.rest;
  ok("Send your password");  // the same whether or not the user exists
}

void Session::cmd_pass(const CommandLine& c) {
  if (!auth_allowed()) return err(kNeedTls, "AUTH");
  if (!user_) return bad_command("USER first");
  // RFC 1939 §7: the password may contain spaces; take the rest verbatim.
  login_ = {std::exchange(user_, std::nullopt).value(), c.rest};
  action_ = Action::login;
}

void Session::cmd_auth(const CommandLine& c) {
  user_.reset();
  if (c.args.empty()) {
    // Bare AUTH lists the mechanisms (RFC 1734 usage some clients still send).
    ok("Supported mechanisms follow");
    if (auth_allowed()) out_ += "PLAIN\r\n";
    out_ += ".\r\n";
    return;
  }
  std::string mech = c.args[0];
  for (char& ch : mech)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  if (mech != "PLAIN") return bad_command("Unsupported authentication mechanism");
  if (!auth_allowed()) return err(kNeedTls, "AUTH");
  if (c.args.size() > 2) return bad_command("Too many arguments");
  if (c.args.size() == 2) return finish_plain(c.args[1]);  // RFC 5034 §4 initial response
  out_ += "+ \r\n";  // empty challenge
  sasl_pending_ = true;
}

void Session::continue_auth(std::string_view line) {
  if (line == "*") {
    // RFC 5034 §4: the client cancels the exchange.
    err("Authentication cancelled");
    return;
  }
  finish_plain(line);
}

void Session::finish_plain(std::string_view b64) {
  std::optional<std::string> msg = b64 == "=" ? std::optional<std::string>("") : sasl::base64_decode(b64);
  if (!msg) return bad_command("Invalid base64 in the SASL response");
  auto creds = sasl::parse_plain(*msg);
  if (!creds) return bad_command(creds.error().message);
  if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
    // A refusal of what was asked, not a wrong password: not counted.
    return err("Authorization identity not permitted", "AUTH");
  }
  login_ = {std::move(creds->authcid), std::move(creds->password)};
  action_ = Action::login;
}

void Session::cmd_stls(const CommandLine& c) {
  if (!c.args.empty()) return bad_command("STLS takes no arguments");
  if (options_.tls_active) return err("Already using TLS");
  if (!options_.starttls_available) return err("TLS is not available here");
  user_.reset();
  ok("Begin TLS negotiation");
  action_ = Action::start_tls;
}

}  // namespace postern::pop3
