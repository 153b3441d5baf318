// Fuzzes the SMTP server session (smtp/server) as the I/O adapter drives it:
// arbitrary bytes in arbitrary fragments, with deliveries answered and TLS
// handshakes completed when the session asks. The first two input bytes pick
// the options and the fragmentation. Checks that replies stay well framed,
// that stored messages respect the size limit, and that input stays bounded.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "smtp/server/session.hpp"

namespace {

using namespace postern;
using namespace postern::smtp;

class Policy : public RecipientPolicy {
 public:
  RecipientDecision check_recipient(const EmailAddress& r, bool) override {
    RecipientDecision d;
    switch (r.local.size() % 4) {
      case 0: d.verdict = RecipientDecision::Verdict::accept; d.accounts = {1, 2}; break;
      case 1: d.verdict = RecipientDecision::Verdict::unknown_user; break;
      case 2: d.verdict = RecipientDecision::Verdict::relay_denied; d.detail = "no\r\nrelay"; break;
      default: d.verdict = RecipientDecision::Verdict::accept; d.accounts = {3}; break;
    }
    return d;
  }
  bool may_send_as(int64_t, const EmailAddress& a) override { return a.local.size() % 2 == 0; }
  bool is_local_domain(std::string_view d) override { return d == "example.test"; }
};

int64_t fixed_now() { return 1700000000; }

// Every reply line: 3 digits, ' ' or '-', text, CRLF; no stray CR or LF.
void check_output(std::string_view out) {
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find("\r\n", start);
    if (end == std::string_view::npos) std::abort();
    std::string_view line = out.substr(start, end - start);
    if (line.size() < 4) std::abort();
    for (int i = 0; i < 3; ++i)
      if (line[i] < '0' || line[i] > '9') std::abort();
    if (line[3] != ' ' && line[3] != '-') std::abort();
    if (line.find('\r') != std::string_view::npos || line.find('\n') != std::string_view::npos) std::abort();
    start = end + 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t flags = data[0];
  uint8_t fragmentation = data[1];
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  SessionOptions options;
  options.hostname = "mx.example.net";
  options.starttls_available = flags & 1;
  options.tls_active = flags & 2;
  if (flags & 4) {
    options.limits.max_message_size = 64;
    options.limits.max_line_length = 32;
    options.limits.max_recipients = 2;
  }
  options.limits.max_errors = (flags & 8) ? 3 : 1000;
  options.submission = flags & 32;
  options.plaintext_auth_allowed = flags & 64;
  ClientInfo client{"192.0.2.1", 25, "F1", static_cast<bool>(flags & 16)};
  Policy policy;
  Session session(options, client, policy, fixed_now);
  session.start();
  check_output(session.take_output());

  unsigned delivery = 0;
  uint32_t rng = fragmentation * 2654435761u + 1;
  size_t pos = 0;
  while (pos < input.size()) {
    rng = rng * 1103515245u + 12345u;
    size_t len = fragmentation == 0 ? input.size() : 1 + (rng >> 16) % (fragmentation % 64 + 1);
    len = std::min(len, input.size() - pos);
    session.receive(input.substr(pos, len));
    pos += len;
    // Act on requests until the session wants input again (or closes).
    for (int guard = 0; guard < 10000; ++guard) {
      check_output(session.take_output());
      auto action = session.next_action();
      if (action == Session::Action::deliver) {
        const Envelope& env = session.envelope();
        if (env.recipients.empty() || env.recipients.size() > options.limits.max_recipients) std::abort();
        std::string message = session.take_message();
        // Received: header is bounded by the helo (<= 255) and recipient (<= 256).
        if (message.size() > options.limits.max_message_size + 1024) std::abort();
        if (message.rfind("Received: from ", 0) != 0) std::abort();
        switch (delivery++ % 3) {
          case 0: session.delivery_done(Ok{}); break;
          case 1: session.delivery_done(temporary_error("t")); break;
          default: session.delivery_done(internal_error("i")); break;
        }
      } else if (action == Session::Action::start_tls) {
        session.tls_established();
      } else if (action == Session::Action::authenticate) {
        const AuthRequest& req = session.auth_request();
        AuthResult r;
        if (req.user.size() % 2 == 0) {
          r.identity = AuthIdentity{1, req.user};
          static const auto keys = postern::sasl::make_scram_credentials("pw", 4096, std::string(16, 's'));
          if (req.kind == AuthRequest::Kind::scram_keys) r.scram = keys;
          else if (req.password != "pw") r.identity.reset();
        }
        session.auth_done(std::move(r));
      } else {
        break;
      }
    }
    if (session.next_action() == Session::Action::close) return 0;
  }
  session.on_timeout();
  check_output(session.take_output());
  if (session.next_action() != Session::Action::close) std::abort();
  return 0;
}
