// SMTP AUTH (RFC 4954) with PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-
// login) and SCRAM-SHA-256 (RFC 7677), and the submission rules that use
// the authenticated identity (RFC 6409 §8 header fixes, sender checks).
// Credentials are looked up by the adapter (Action::authenticate): the
// password hash and keys never enter this sans-I/O core.
#include <openssl/rand.h>

#include <ctime>

#include "core/strings.hpp"
#include "mime/address_list.hpp"
#include "mime/header.hpp"
#include "sasl/base64.hpp"
#include "sasl/plain.hpp"
#include "smtp/server/session_core.hpp"

namespace postern::smtp::detail {

namespace {
using Mechanism = SessionCore::SaslExchange::Mechanism;

Reply challenge(std::string_view data) { return Reply{334, "", sasl::base64_encode(data)}; }
Reply syntax(std::string text) { return Reply{501, "5.5.2", std::move(text)}; }
}  // namespace

void SessionCore::start_auth(std::string_view argument) {
  if (!options_.submission) return reply_error(Reply{502, "5.5.1", "Error: AUTH is only offered on submission"});
  if (greeting_ != Greeting::ehlo) return reply_error(Reply{503, "5.5.1", "Error: send EHLO first"});
  if (client_.authenticated) return reply_error(Reply{503, "5.5.1", "Error: already authenticated"});
  if (tx_.mail_given) return reply_error(Reply{503, "5.5.1", "Error: AUTH not permitted during a mail transaction"});
  // RFC 4954 §4 / RFC 3207: no passwords in clear (538 per RFC 4954 §6).
  if (!tls_active_ && !options_.plaintext_auth_allowed)
    return reply_error(Reply{538, "5.7.11", "Encryption required for requested authentication mechanism"});
  size_t sp = argument.find(' ');
  std::string mech = to_upper_ascii(argument.substr(0, sp));
  std::string_view initial = sp == std::string_view::npos ? std::string_view() : argument.substr(sp + 1);
  SaslExchange x;
  if (mech == "PLAIN") x.mechanism = Mechanism::plain;
  else if (mech == "LOGIN") x.mechanism = Mechanism::login;
  else if (mech == "SCRAM-SHA-256") x.mechanism = Mechanism::scram;
  else return reply_error(Reply{504, "5.5.4", "Unrecognized authentication type"});
  sasl_ = std::move(x);
  if (sp == std::string_view::npos) {
    // No initial response: ask for it ("Username:" for LOGIN).
    reply(sasl_->mechanism == Mechanism::login ? challenge("Username:") : Reply{334, "", ""});
    return;
  }
  sasl_line(initial);
}

void SessionCore::sasl_line(std::string_view line) {
  auto& x = *sasl_;
  if (line == "*") {  // RFC 4954 §4: the client cancels
    sasl_.reset();
    return reply_error(Reply{501, "5.7.0", "Authentication cancelled"});
  }
  // RFC 4954 §4: "=" is an empty initial response.
  auto decoded = line == "=" ? std::optional<std::string>("") : sasl::base64_decode(line);
  if (!decoded) {
    sasl_.reset();
    return reply_error(syntax("Invalid base64 in the authentication response"));
  }
  switch (x.mechanism) {
    case Mechanism::plain: {
      auto creds = sasl::parse_plain(*decoded);
      if (!creds) {
        sasl_.reset();
        return reply_error(syntax(creds.error().message));
      }
      if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
        sasl_.reset();
        return auth_failed();
      }
      auth_request_ = AuthRequest{AuthRequest::Kind::password, std::move(creds->authcid), std::move(creds->password)};
      action_ = Action::authenticate;
      return;
    }
    case Mechanism::login:
      if (x.step == 0) {
        x.login_user = std::move(*decoded);
        x.step = 1;
        return reply(challenge("Password:"));
      }
      auth_request_ = AuthRequest{AuthRequest::Kind::password, std::move(x.login_user), std::move(*decoded)};
      action_ = Action::authenticate;
      return;
    case Mechanism::scram: {
      if (x.scram_verified) {
        // The empty answer to the server-final challenge.
        auth_succeeded(AuthIdentity{auth_request_.kind == AuthRequest::Kind::scram_keys ? client_.account_id : 0,
                                    client_.user});
        return;
      }
      if (x.step == 0) {
        x.scram.emplace();
        auto user = x.scram->client_first(*decoded);
        if (!user) {
          sasl_.reset();
          if (user.error().kind == ErrorKind::user) return auth_failed();
          return reply_error(syntax(user.error().message));
        }
        x.step = 1;
        auth_request_ = AuthRequest{AuthRequest::Kind::scram_keys, *user, {}};
        action_ = Action::authenticate;
        return;
      }
      auto final = x.scram->client_final(*decoded);
      if (!final) {
        sasl_.reset();
        if (final.error().kind == ErrorKind::user) return auth_failed();
        return reply_error(syntax(final.error().message));
      }
      x.scram_verified = true;
      return reply(challenge(*final));
    }
  }
}

void SessionCore::auth_done(AuthResult result) {
  if (action_ != Action::authenticate || !sasl_) return;
  action_ = Action::read;
  if (auth_request_.kind == AuthRequest::Kind::password) {
    if (result.identity) auth_succeeded(*result.identity);
    else auth_failed();
  } else {
    // SCRAM: the identity is pending until the proof checks out; unknown
    // users get a decoy challenge and fail at the proof.
    if (result.identity && result.scram) {
      client_.account_id = result.identity->account_id;
      client_.user = result.identity->address;
    }
    std::optional<sasl::ScramCredentials> keys;
    if (result.identity) keys = std::move(result.scram);
    reply(challenge(sasl_->scram->server_first(keys)));
  }
  process();
}

void SessionCore::auth_succeeded(const AuthIdentity& identity) {
  sasl_.reset();
  client_.authenticated = true;
  client_.account_id = identity.account_id;
  client_.user = identity.address;
  reply(Reply{235, "2.7.0", "Authentication successful"});
}

void SessionCore::auth_failed() {
  sasl_.reset();
  client_.account_id = 0;
  client_.user.clear();
  auth_failed_ = true;
  reply_error(Reply{535, "5.7.8", "Authentication credentials invalid"});
}

std::optional<Reply> SessionCore::check_and_fix_submission(std::string& message) {
  auto headers = mime::parse_header_section(message);
  // From: every address must be the user's (RFC 6409 §8.3 lets the MSA refuse).
  const auto* from = mime::find_field(headers, "From");
  if (!from) return Reply{550, "5.6.0", "Message has no From: header"};
  auto addresses = mime::parse_address_list(mime::unfold(from->value));
  if (addresses.empty()) return Reply{550, "5.6.0", "Message has an unreadable From: header"};
  for (const auto& a : addresses) {
    if (!a.host) continue;  // group markers
    std::string text = a.mailbox.value_or("") + "@" + *a.host;
    auto parsed = parse_email_address(text);
    if (!parsed || !policy_.may_send_as(client_.account_id, *parsed))
      return Reply{553, "5.7.1", "From: <" + text + "> is not an address " + client_.user + " may send as"};
  }
  std::string added;
  if (!mime::find_field(headers, "Date")) {
    std::time_t t = now_ ? static_cast<std::time_t>(now_()) : std::time(nullptr);
    char buf[64];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    added += std::string("Date: ") + buf + "\r\n";
  }
  if (!mime::find_field(headers, "Message-ID")) {
    unsigned char random[12];
    RAND_bytes(random, sizeof random);
    added += "Message-ID: <" + to_hex(random, sizeof random) + "@" + options_.hostname + ">\r\n";
  }
  // Bcc: must not travel (RFC 5322 §3.6.3); remove every occurrence, last
  // first so earlier offsets stay valid.
  std::vector<std::pair<size_t, size_t>> bcc;
  for (const auto& f : headers.fields) {
    if (!iequals(f.name, "Bcc")) continue;
    size_t start = static_cast<size_t>(f.name.data() - message.data());
    size_t end = static_cast<size_t>(f.value.data() + f.value.size() - message.data());
    if (message.compare(end, 2, "\r\n") == 0) end += 2;
    bcc.emplace_back(start, end - start);
  }
  for (auto it = bcc.rbegin(); it != bcc.rend(); ++it) message.erase(it->first, it->second);
  message.insert(0, added);
  return std::nullopt;
}

std::optional<Reply> SessionCore::check_mx_from_header(std::string_view message) {
  auto headers = mime::parse_header_section(message);
  const auto* from = mime::find_field(headers, "From");
  if (!from) return std::nullopt;
  for (const auto& a : mime::parse_address_list(mime::unfold(from->value))) {
    if (a.host && policy_.is_local_domain(*a.host))
      return Reply{550, "5.7.1", "From: claims our domain " + *a.host + "; our users must submit (port 587/465)"};
  }
  return std::nullopt;
}

}  // namespace postern::smtp::detail
