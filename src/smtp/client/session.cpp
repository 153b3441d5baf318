// The outbound SMTP client state machine; see session.hpp.
#include "smtp/client/session.hpp"

#include <algorithm>
#include <utility>

#include "core/strings.hpp"
#include "sasl/base64.hpp"
#include "smtp/client/dot_stuffing.hpp"

namespace postern::smtp::client {

namespace {

// An address we put on a command line must not be able to add a line.
bool safe_address(std::string_view a) {
  return std::none_of(a.begin(), a.end(), [](char c) {
    return c == '\r' || c == '\n' || c == '<' || c == '>' || c == '\0';
  });
}

// RFC 3463: the server's code when it sent one, else class.0.0.
std::string enhanced_of(const ServerReply& r) {
  if (!r.enhanced.empty()) return r.enhanced;
  return std::to_string(r.code / 100) + ".0.0";
}

}  // namespace

const char* to_string(RecipientStatus s) {
  switch (s) {
    case RecipientStatus::pending: return "pending";
    case RecipientStatus::delivered: return "delivered";
    case RecipientStatus::transient: return "transient";
    case RecipientStatus::permanent: return "permanent";
  }
  return "?";
}

ClientSession::ClientSession(ClientOptions options, Envelope envelope, std::string message)
    : options_(std::move(options)), envelope_(std::move(envelope)), message_(std::move(message)) {
  for (const auto& r : envelope_.recipients) results_.push_back({r, RecipientStatus::pending, "", ""});
  accepted_.assign(results_.size(), false);
  expected_.push_back(Expect::greeting);
}

std::string ClientSession::take_output() { return std::exchange(out_, std::string()); }

void ClientSession::send(const std::string& line, Expect expect) {
  out_ += line;
  out_ += "\r\n";
  expected_.push_back(expect);
}

std::chrono::seconds ClientSession::timeout() const {
  const auto& t = options_.timeouts;
  if (expected_.empty()) return t.quit;
  switch (expected_.front()) {
    case Expect::greeting: return t.greeting;
    case Expect::ehlo:
    case Expect::helo:
    case Expect::auth: return t.ehlo;
    case Expect::starttls: return t.starttls;
    case Expect::mail: return t.mail;
    case Expect::rcpt: return t.rcpt;
    case Expect::data: return t.data_init;
    case Expect::dot: return t.final_dot;
    case Expect::rset: return t.rset;
    case Expect::quit: return t.quit;
  }
  return t.quit;
}

void ClientSession::receive(std::string_view bytes) {
  if (done()) return;
  parser_.feed(bytes);
  while (!done()) {
    auto reply = parser_.next();
    if (!reply) break;
    if (expected_.empty()) {
      // A reply nobody asked for: the server is confused or hostile.
      connection_lost("unexpected reply from server: " + reply->summary());
      return;
    }
    on_reply(*reply);
  }
  if (parser_.failed() && !done()) connection_lost("protocol error: " + parser_.error());
}

void ClientSession::on_reply(const ServerReply& reply) {
  Expect e = expected_.front();
  expected_.erase(expected_.begin());
  // RFC 5321 §3.8: 421 announces that the server closes the channel.
  if (reply.code == 421) reusable_ = false;
  switch (e) {
    case Expect::greeting:
      if (reply.code != 220) {
        // Postfix's smtp_skip_5xx_greeting: a refusing host is a host
        // problem, the next MX (or a later attempt) may accept.
        fail_all(RecipientStatus::transient, "greeting: " + reply.summary(), "4.4.0", true);
        quit();
        return;
      }
      step_ = Step::ehlo;
      send_ehlo();
      return;
    case Expect::ehlo:
      if (reply.positive()) {
        caps_ = parse_ehlo(reply);
        after_ehlo();
      } else if (reply.permanent() && !after_tls_) {
        step_ = Step::helo;
        send("HELO " + options_.helo_name, Expect::helo);
      } else {
        fail_all(RecipientStatus::transient, "EHLO: " + reply.summary(), "4.4.0", true);
        quit();
      }
      return;
    case Expect::helo:
      if (!reply.positive()) {
        fail_all(RecipientStatus::transient, "HELO: " + reply.summary(), "4.4.0", true);
        quit();
        return;
      }
      caps_ = Capabilities{};
      after_ehlo();
      return;
    case Expect::starttls:
      if (reply.code == 220) {
        // Bytes that arrived with the 220 were sent before TLS and must not
        // be read as if they came over it (CVE-2011-0411, RFC 3207 §4.2).
        if (parser_.buffered() > 0) {
          connection_lost("server sent data after its STARTTLS reply");
          return;
        }
        step_ = Step::tls_handshake;
        return;
      }
      if (options_.tls == TlsPolicy::required) {
        fail_all(RecipientStatus::transient, "STARTTLS refused: " + reply.summary(), "4.7.0", true);
        quit();
        return;
      }
      after_tls_ = true;  // refused: go on in plaintext, never ask again
      after_auth();
      return;
    case Expect::auth:
      if (reply.code != 235) {
        // A smarthost refusing our credentials is a configuration problem
        // the admin can fix; keep the mail.
        fail_all(RecipientStatus::transient, "AUTH: " + reply.summary(), "4.7.0", true);
        quit();
        return;
      }
      start_transaction();
      return;
    case Expect::mail:
      if (reused_ && !replied_ && reply.code == 421) {
        // The server timed the idle connection out as we reused it: not
        // the message's fault.
        lost_on_reuse_ = true;
      }
      replied_ = true;
      if (!reply.positive()) {
        mail_failed_ = true;
        fail_all(reply.permanent() ? RecipientStatus::permanent : RecipientStatus::transient,
                 reply.summary(), enhanced_of(reply), false);
      }
      if (!caps_.pipelining || mail_failed_) {
        // Without pipelining the RCPTs go one by one after MAIL succeeds.
        if (mail_failed_) {
          if (expected_.empty()) end_transaction();
          return;
        }
        send("RCPT TO:<" + results_[sent_rcpts_[0]].address + ">", Expect::rcpt);
      }
      return;
    case Expect::rcpt: {
      size_t i = sent_rcpts_[next_rcpt_reply_++];
      if (mail_failed_) {
        // Pipelined RCPTs after a refused MAIL: their replies mean nothing.
        if (expected_.empty()) end_transaction();
        return;
      }
      if (reply.positive()) accepted_[i] = true;
      else resolve(results_[i], reply.permanent() ? RecipientStatus::permanent : RecipientStatus::transient, reply);
      if (!caps_.pipelining && next_rcpt_reply_ < sent_rcpts_.size()) {
        send("RCPT TO:<" + results_[sent_rcpts_[next_rcpt_reply_]].address + ">", Expect::rcpt);
        return;
      }
      if (next_rcpt_reply_ == sent_rcpts_.size()) after_rcpts();
      return;
    }
    case Expect::data:
      if (reply.code != 354) {
        for (size_t i = 0; i < results_.size(); ++i)
          if (accepted_[i])
            resolve(results_[i], reply.permanent() ? RecipientStatus::permanent : RecipientStatus::transient, reply);
        end_transaction();
        return;
      }
      step_ = Step::data_body;
      out_ += dot_stuff(message_);
      expected_.push_back(Expect::dot);
      return;
    case Expect::dot: {
      RecipientStatus s = reply.positive()    ? RecipientStatus::delivered
                          : reply.permanent() ? RecipientStatus::permanent
                                              : RecipientStatus::transient;
      for (size_t i = 0; i < results_.size(); ++i)
        if (accepted_[i]) resolve(results_[i], s, reply);
      end_transaction();
      return;
    }
    case Expect::rset:
      if (reply.positive() && reusable_) step_ = Step::idle;
      else quit();
      return;
    case Expect::quit:
      step_ = Step::done;
      return;
  }
}

void ClientSession::send_ehlo() { send("EHLO " + options_.helo_name, Expect::ehlo); }

void ClientSession::after_ehlo() {
  if (!options_.tls_active && !after_tls_ && options_.tls != TlsPolicy::none) {
    if (caps_.starttls) {
      step_ = Step::starttls;
      send("STARTTLS", Expect::starttls);
      return;
    }
    if (options_.tls == TlsPolicy::required) {
      fail_all(RecipientStatus::transient, "TLS required but the server does not offer STARTTLS", "4.7.0", true);
      quit();
      return;
    }
  }
  after_auth();
}

// Named for where it goes next: AUTH if configured, then the transaction.
void ClientSession::after_auth() {
  if (options_.auth_user.empty()) {
    start_transaction();
    return;
  }
  if (!options_.tls_active) {
    fail_all(RecipientStatus::transient, "refusing to send credentials without TLS", "4.7.0", true);
    quit();
    return;
  }
  if (std::find(caps_.auth.begin(), caps_.auth.end(), "PLAIN") == caps_.auth.end()) {
    fail_all(RecipientStatus::transient, "the server does not offer AUTH PLAIN", "4.7.0", true);
    quit();
    return;
  }
  step_ = Step::auth;
  std::string token;
  token.push_back('\0');
  token += options_.auth_user;
  token.push_back('\0');
  token += options_.auth_password;
  send("AUTH PLAIN " + sasl::base64_encode(token), Expect::auth);
}

void ClientSession::tls_established() {
  if (step_ != Step::tls_handshake) return;
  options_.tls_active = true;
  after_tls_ = true;
  caps_ = Capabilities{};  // RFC 3207 §4.2: forget everything learned before TLS
  parser_ = ReplyParser{};
  step_ = Step::ehlo;
  send_ehlo();
}

void ClientSession::tls_failed(const std::string& reason) {
  if (step_ != Step::tls_handshake) return;
  // The connection is unusable after a failed handshake either way.
  fail_all(RecipientStatus::transient, "TLS handshake failed: " + reason, "4.7.0", true);
  step_ = Step::done;
}

void ClientSession::start_transaction() {
  step_ = Step::transaction;
  if (envelope_.smtputf8 && !caps_.smtputf8) {
    fail_all(RecipientStatus::permanent,
             "message needs SMTPUTF8 (internationalized address or header) and the server does not "
             "support it (RFC 6531 §3.2)",
             "5.6.7", false);
    end_transaction();
    return;
  }
  if (caps_.size_limit > 0 && message_.size() > caps_.size_limit) {
    fail_all(RecipientStatus::permanent,
             "message size " + std::to_string(message_.size()) + " exceeds the server's limit of " +
                 std::to_string(caps_.size_limit),
             "5.3.4", false);
    end_transaction();
    return;
  }
  if (!safe_address(envelope_.mail_from)) {
    fail_all(RecipientStatus::permanent, "invalid sender address", "5.1.7", false);
    end_transaction();
    return;
  }
  for (size_t i = 0; i < results_.size(); ++i) {
    auto& r = results_[i];
    if (r.status != RecipientStatus::pending) continue;
    if (!safe_address(r.address) || r.address.empty()) {
      r.status = RecipientStatus::permanent;
      r.reply = "invalid recipient address";
      r.enhanced = "5.1.3";
    } else {
      sent_rcpts_.push_back(i);
    }
  }
  if (sent_rcpts_.empty()) {
    end_transaction();
    return;
  }
  std::string mail = "MAIL FROM:<" + envelope_.mail_from + ">";
  if (caps_.size) mail += " SIZE=" + std::to_string(message_.size());
  if (envelope_.eight_bit && caps_.eight_bit_mime) mail += " BODY=8BITMIME";
  if (envelope_.smtputf8) mail += " SMTPUTF8";
  send(mail, Expect::mail);
  mail_sent_ = true;
  if (caps_.pipelining)
    for (size_t i : sent_rcpts_) send("RCPT TO:<" + results_[i].address + ">", Expect::rcpt);
}

void ClientSession::after_rcpts() {
  if (std::none_of(accepted_.begin(), accepted_.end(), [](bool a) { return a; })) {
    end_transaction();
    return;
  }
  step_ = Step::data;
  send("DATA", Expect::data);
}

void ClientSession::resolve(RecipientResult& r, RecipientStatus status, const ServerReply& reply) {
  if (r.status != RecipientStatus::pending) return;
  r.status = status;
  r.reply = reply.summary();
  r.enhanced = enhanced_of(reply);
}

void ClientSession::fail_all(RecipientStatus status, const std::string& reply, const std::string& enhanced,
                             bool host_failure) {
  bool any = false;
  for (auto& r : results_) {
    if (r.status != RecipientStatus::pending) continue;
    r.status = status;
    r.reply = reply;
    r.enhanced = enhanced;
    any = true;
  }
  if (any && host_failure) host_failed_ = true;
}

// Every recipient of the transaction has its result: QUIT, or with reuse
// RSET (RFC 5321 §4.1.1.5) so that the next transaction starts clean
// whatever this one ended with.
void ClientSession::end_transaction() {
  std::string().swap(message_);  // a kept connection must not hold the last message's bytes
  if (!options_.reuse || !reusable_) {
    quit();
    return;
  }
  if (!mail_sent_) {
    step_ = Step::idle;  // refused before MAIL: the server has nothing to forget
    return;
  }
  step_ = Step::rset;
  send("RSET", Expect::rset);
}

void ClientSession::next_transaction(Envelope envelope, std::string message) {
  if (step_ != Step::idle) return;
  envelope_ = std::move(envelope);
  message_ = std::move(message);
  results_.clear();
  for (const auto& r : envelope_.recipients) results_.push_back({r, RecipientStatus::pending, "", ""});
  accepted_.assign(results_.size(), false);
  sent_rcpts_.clear();
  next_rcpt_reply_ = 0;
  mail_failed_ = host_failed_ = mail_sent_ = replied_ = lost_on_reuse_ = false;
  reused_ = true;
  ++transactions_;
  start_transaction();
}

void ClientSession::quit_idle() {
  if (step_ == Step::idle) quit();
}

void ClientSession::quit() {
  step_ = Step::quit;
  send("QUIT", Expect::quit);
}

void ClientSession::connection_lost(const std::string& reason) {
  if (done()) return;
  if (step_ == Step::quit || step_ == Step::rset || step_ == Step::idle) {
    step_ = Step::done;  // everything was decided; the server just hung up early
    return;
  }
  // A reused connection that died before its first answer: see lost_on_reuse().
  if (reused_ && !replied_) lost_on_reuse_ = true;
  // Before any recipient was answered the host is at fault, not the message.
  bool answered = next_rcpt_reply_ > 0 || mail_failed_;
  fail_all(RecipientStatus::transient, reason, "4.4.2", !answered);
  step_ = Step::done;
}

}  // namespace postern::smtp::client
