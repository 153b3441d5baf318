// Test harness for transcript tests of postern::smtp::Session: a fake
// RecipientPolicy, a fixed clock, and a runner for "C:"/"S:" scripts that can
// feed the client side in one piece, byte by byte, or in odd-sized chunks.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/strings.hpp"
#include "smtp/server/session.hpp"

namespace postern::smtp::testing {

// Tue, 14 Nov 2023 22:13:20 +0000
inline int64_t fixed_now() { return 1700000000; }

// Local part decides: "unknown*" → unknown_user, "tempfail*" → temporary;
// domain "elsewhere.example" → relay_denied unless authenticated; anything
// else is accepted and reaches one account per distinct local part.
class FakePolicy : public RecipientPolicy {
 public:
  RecipientDecision check_recipient(const EmailAddress& recipient, bool authenticated) override {
    checked.push_back(recipient);
    RecipientDecision d;
    if (istarts_with(recipient.local, "unknown")) {
      d.verdict = RecipientDecision::Verdict::unknown_user;
    } else if (istarts_with(recipient.local, "tempfail")) {
      d.verdict = RecipientDecision::Verdict::temporary;
    } else if (recipient.domain == "elsewhere.example" && !authenticated) {
      d.verdict = RecipientDecision::Verdict::relay_denied;
    } else {
      d.verdict = RecipientDecision::Verdict::accept;
      d.accounts.push_back(static_cast<int64_t>(recipient.local.size()));
    }
    return d;
  }
  // Account 7 (alice@example.test) owns alice@ and alice+tag@ and was
  // granted pr@example.test; example.test is our domain.
  bool may_send_as(int64_t account, const EmailAddress& a) override {
    if (account != 7 || a.domain != "example.test") return false;
    return a.local == "alice" || a.local.starts_with("alice+") || a.local == "pr";
  }
  bool is_local_domain(std::string_view domain) override { return domain == "example.test"; }
  std::vector<EmailAddress> checked;
};

inline SessionOptions default_options() {
  SessionOptions o;
  o.hostname = "mx.example.net";
  o.starttls_available = true;
  return o;
}

inline ClientInfo default_client() {
  ClientInfo c;
  c.ip = "192.0.2.7";
  c.port = 40000;
  c.session_id = "S1";
  return c;
}

struct Delivered {
  Envelope envelope;
  std::string message;
};

// Feeds transcripts to a fresh session. Script lines:
//   "C: text"   client sends text + CRLF (consecutive C lines form one batch)
//   "S: text"   server replies text + CRLF
//   "=> deliver ok|temporary|fail"  session must ask for delivery; answer it
//   "=> start_tls"  session must ask for the TLS handshake; complete it
//   "=> close"  session must ask to close
// `chunk` is how many bytes each receive() gets (0: a whole batch at once).
class Transcript {
 public:
  explicit Transcript(SessionOptions options = default_options(), ClientInfo client = default_client())
      : session(std::move(options), std::move(client), policy, fixed_now) {}

  void run(const std::vector<std::string>& script, size_t chunk = 0) {
    session.start();
    actual_ = session.take_output();
    for (const auto& line : script) {
      SCOPED_TRACE(line);
      std::string_view body = std::string_view(line).substr(line.size() >= 3 ? 3 : line.size());
      if (line.starts_with("C: ")) {
        if (!expected_.empty()) check();
        pending_ += std::string(body) + "\r\n";
      } else if (line.starts_with("S: ")) {
        feed(chunk);
        expected_ += std::string(body) + "\r\n";
      } else if (line.starts_with("=> ")) {
        feed(chunk);
        check();
        act(body);
      } else {
        ADD_FAILURE() << "bad script line";
      }
    }
    feed(chunk);
    check();
  }

  void feed(size_t chunk) {
    if (pending_.empty()) return;
    std::string_view bytes = pending_;
    size_t step = chunk == 0 ? bytes.size() : chunk;
    for (size_t i = 0; i < bytes.size(); i += step) {
      session.receive(bytes.substr(i, step));
      actual_ += session.take_output();
    }
    pending_.clear();
  }

  void check() {
    EXPECT_EQ(actual_, expected_);
    actual_.clear();
    expected_.clear();
  }

  void act(std::string_view what) {
    if (what.starts_with("deliver")) {
      ASSERT_EQ(session.next_action(), Session::Action::deliver);
      delivered.push_back({session.envelope(), session.take_message()});
      if (what == "deliver ok") session.delivery_done(Ok{});
      else if (what == "deliver temporary") session.delivery_done(temporary_error("disk full"));
      else session.delivery_done(internal_error("broken"));
    } else if (what == "start_tls") {
      ASSERT_EQ(session.next_action(), Session::Action::start_tls);
      session.tls_established();
    } else if (what.starts_with("auth")) {
      // The adapter's lookup: password "secret" is alice's (account 7).
      ASSERT_EQ(session.next_action(), Session::Action::authenticate);
      const auto& req = session.auth_request();
      AuthResult r;
      if (req.user == "alice@example.test") {
        if (req.kind == AuthRequest::Kind::scram_keys) {
          r.identity = AuthIdentity{7, "alice@example.test"};
          r.scram = sasl::make_scram_credentials("secret", 4096, std::string("0123456789abcdef"));
        } else if (req.password == "secret") {
          r.identity = AuthIdentity{7, "alice@example.test"};
        }
      }
      session.auth_done(std::move(r));
    } else if (what == "close") {
      ASSERT_EQ(session.next_action(), Session::Action::close);
    } else {
      ADD_FAILURE() << "unknown action " << what;
    }
    actual_ += session.take_output();
  }

  FakePolicy policy;
  Session session;
  std::vector<Delivered> delivered;

 private:
  std::string pending_;
  std::string expected_;
  std::string actual_;
};

// The EHLO reply of default_options() before TLS.
inline std::vector<std::string> ehlo_reply(bool starttls = true) {
  std::vector<std::string> lines = {"S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800",
                                    "S: 250-8BITMIME",       "S: 250-SMTPUTF8",   "S: 250-ENHANCEDSTATUSCODES"};
  if (starttls) {
    lines.push_back("S: 250-CHUNKING");
    lines.push_back("S: 250 STARTTLS");
  } else {
    lines.push_back("S: 250 CHUNKING");
  }
  return lines;
}

// Concatenates script fragments.
inline std::vector<std::string> script(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace postern::smtp::testing
