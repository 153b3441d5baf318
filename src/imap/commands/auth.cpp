// Authentication: STARTTLS (RFC 9051 §6.2.1), LOGIN (§6.2.3) and
// AUTHENTICATE PLAIN (§6.2.2, RFC 4616) with SASL-IR (RFC 4959) and the
// continuation round-trip. Handles credentials: never logs them.
#include "imap/commands/command_table.hpp"
#include "imap/proto/session_args.hpp"
#include "sasl/base64.hpp"
#include "sasl/plain.hpp"

namespace postern::imap {

namespace {

Task<void> login(SessionContext& s, std::string_view tag, std::string user, std::string password) {
  std::string who = user;
  auto r = co_await s.access.authenticate(std::move(user), std::move(password), s.options.client_address);
  if (!r) {
    s.fail(tag, r.error());
    co_return;
  }
  if (!*r) {
    ++s.auth_failures;
    s.failed_user = std::move(who);
    s.no(tag, "Authentication failed", "AUTHENTICATIONFAILED");
    co_return;
  }
  s.user = std::move(**r);
  s.state = SessionState::authenticated;
  // RFC 9051 §6.2.3: the new capability list, so the client need not ask.
  s.ok(tag, "Logged in", "CAPABILITY", s.capabilities());
}

// RFC 4616 §2: message = [authzid] NUL authcid NUL passwd.
Task<void> finish_plain(SessionContext& s, std::string tag, std::string_view b64) {
  std::optional<std::string> msg = b64 == "=" ? std::optional<std::string>("") : sasl::base64_decode(b64);
  if (!msg) {
    s.bad(tag, "Invalid base64 in the SASL response");
    co_return;
  }
  auto creds = sasl::parse_plain(*msg);
  if (!creds) {
    s.bad(tag, creds.error().message);
    co_return;
  }
  if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
    // Acting as another user is not supported.
    s.no(tag, "Authorization identity not permitted", "AUTHORIZATIONFAILED");
    co_return;
  }
  co_await login(s, tag, std::move(creds->authcid), std::move(creds->password));
}

}  // namespace

// RFC 9051 §6.2.1. The session drops anything pipelined after this command
// and the adapter runs the handshake.
Task<void> cmd_starttls(SessionContext& s, Command& c) {
  if (!c.args.empty()) {
    s.bad(c.tag, "STARTTLS takes no arguments");
    co_return;
  }
  if (s.options.tls_active || !s.options.starttls_available) {
    s.bad(c.tag, "TLS is not available here");
    co_return;
  }
  s.ok(c.tag, "Begin TLS negotiation now");
  s.starttls_pending = true;
}

// RFC 9051 §6.2.3
Task<void> cmd_login(SessionContext& s, Command& c) {
  if (s.login_disabled()) {
    // RFC 9051 §6.2.3: LOGINDISABLED advertised; RFC 5530 PRIVACYREQUIRED.
    s.no(c.tag, "Plaintext authentication requires TLS", "PRIVACYREQUIRED");
    co_return;
  }
  auto args = parse_login(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  co_await login(s, c.tag, std::move(args->user), std::move(args->password));
}

// RFC 9051 §6.2.2
Task<void> cmd_authenticate(SessionContext& s, Command& c) {
  auto args = parse_authenticate(c.args);
  if (!args) {
    s.fail(c.tag, args.error());
    co_return;
  }
  if (args->mechanism != "PLAIN") {
    s.no(c.tag, "Unsupported authentication mechanism", "CANNOT");
    co_return;
  }
  if (s.login_disabled()) {
    s.no(c.tag, "Plaintext authentication requires TLS", "PRIVACYREQUIRED");
    co_return;
  }
  if (args->initial_response) {  // RFC 4959 SASL-IR
    co_await finish_plain(s, c.tag, *args->initial_response);
    co_return;
  }
  // Empty challenge; the next line is the client's response.
  append_continuation(s.out, "");
  s.line_mode = LineMode::sasl;
  s.pending_tag = c.tag;
}

Task<void> continue_authenticate(SessionContext& s, std::string line) {
  s.line_mode = LineMode::command;
  std::string tag = std::exchange(s.pending_tag, {});
  if (line == "*") {  // RFC 9051 §6.2.2: the client cancels
    s.bad(tag, "Authentication cancelled");
    co_return;
  }
  co_await finish_plain(s, tag, line);
}

}  // namespace postern::imap
