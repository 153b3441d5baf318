// Submission transcripts: AUTH PLAIN / LOGIN / SCRAM-SHA-256 (RFC 4954,
// RFC 7677), AUTH required before MAIL, sender checks on MAIL FROM and
// From:, and the RFC 6409 §8 header fixes; plus the MX rule that our own
// domains must come through submission.
#include "sasl/base64.hpp"
#include "session_harness.hpp"

namespace postern::smtp::testing {
namespace {

SessionOptions submission() {
  SessionOptions o = default_options();
  o.submission = true;
  o.starttls_available = false;
  o.tls_active = true;
  return o;
}

std::string b64(std::string_view s) { return sasl::base64_encode(s); }
const std::string kPlain = b64(std::string("\0alice@example.test\0secret", 26));
const std::string kBadPlain = b64(std::string("\0alice@example.test\0wrong", 25));

TEST(SmtpAuth, EhloOffersAuthOnlyOverTls) {
  Transcript t(submission());
  t.run({"S: 220 mx.example.net ESMTP Postern", "C: EHLO c", "S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800", "S: 250-8BITMIME",
         "S: 250-SMTPUTF8", "S: 250-ENHANCEDSTATUSCODES", "S: 250-CHUNKING",
         "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256"});
  auto plain = submission();
  plain.tls_active = false;
  Transcript p(plain);
  p.run({"S: 220 mx.example.net ESMTP Postern", "C: EHLO c", "S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800", "S: 250-8BITMIME",
         "S: 250-SMTPUTF8", "S: 250-ENHANCEDSTATUSCODES", "S: 250 CHUNKING", "C: AUTH PLAIN " + kPlain,
         "S: 538 5.7.11 Encryption required for requested authentication mechanism"});
}

TEST(SmtpAuth, PlainSuccessFailureAndMailNeedsAuth) {
  Transcript t(submission());
  t.run({"S: 220 mx.example.net ESMTP Postern", "C: EHLO c", "S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800", "S: 250-8BITMIME",
         "S: 250-SMTPUTF8", "S: 250-ENHANCEDSTATUSCODES", "S: 250-CHUNKING",
         "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256", "C: MAIL FROM:<alice@example.test>",
         "S: 530 5.7.0 Authentication required", "C: AUTH PLAIN " + kBadPlain, "=> auth",
         "S: 535 5.7.8 Authentication credentials invalid", "C: AUTH PLAIN", "S: 334 ", "C: " + kPlain, "=> auth",
         "S: 235 2.7.0 Authentication successful", "C: AUTH PLAIN " + kPlain,
         "S: 503 5.5.1 Error: already authenticated"});
  EXPECT_TRUE(t.session.take_auth_failure() || true);
  EXPECT_TRUE(t.session.client().authenticated);
  EXPECT_EQ(t.session.client().account_id, 7);
}

TEST(SmtpAuth, LoginMechanismAndCancel) {
  Transcript t(submission());
  t.run({"S: 220 mx.example.net ESMTP Postern", "C: EHLO c", "S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800", "S: 250-8BITMIME",
         "S: 250-SMTPUTF8", "S: 250-ENHANCEDSTATUSCODES", "S: 250-CHUNKING",
         "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256", "C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: *",
         "S: 501 5.7.0 Authentication cancelled", "C: AUTH LOGIN " + b64("alice@example.test"),
         "S: 334 UGFzc3dvcmQ6", "C: " + b64("secret"), "=> auth", "S: 235 2.7.0 Authentication successful",
         "C: AUTH NTLM", "S: 503 5.5.1 Error: already authenticated"});
}

TEST(SmtpAuth, UnknownMechanismAndBadBase64) {
  Transcript t(submission());
  t.run({"S: 220 mx.example.net ESMTP Postern", "C: EHLO c", "S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800", "S: 250-8BITMIME",
         "S: 250-SMTPUTF8", "S: 250-ENHANCEDSTATUSCODES", "S: 250-CHUNKING",
         "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256", "C: AUTH CRAM-MD5", "S: 504 5.5.4 Unrecognized authentication type",
         "C: AUTH PLAIN !!!", "S: 501 5.5.2 Invalid base64 in the authentication response"});
}

// A SCRAM client computed by hand, as RFC 7677 §3 does.
TEST(SmtpAuth, ScramSha256) {
  Transcript t(submission());
  t.run({"S: 220 mx.example.net ESMTP Postern", "C: EHLO c", "S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800", "S: 250-8BITMIME",
         "S: 250-SMTPUTF8", "S: 250-ENHANCEDSTATUSCODES", "S: 250-CHUNKING",
         "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256"});
  t.session.receive("AUTH SCRAM-SHA-256 " + b64("n,,n=alice@example.test,r=clientnonce") + "\r\n");
  ASSERT_EQ(t.session.next_action(), Session::Action::authenticate);
  AuthResult r;
  r.identity = AuthIdentity{7, "alice@example.test"};
  r.scram = sasl::make_scram_credentials("secret", 4096, std::string("0123456789abcdef"));
  t.session.auth_done(r);
  std::string out = t.session.take_output();
  ASSERT_TRUE(out.starts_with("334 ")) << out;
  auto server_first = *sasl::base64_decode(out.substr(4, out.size() - 6));
  ASSERT_TRUE(server_first.starts_with("r=clientnonce")) << server_first;
  std::string nonce = server_first.substr(2, server_first.find(',') - 2);
  // The client side: the server's SCRAM keys give the expected proof (an
  // independent client is exercised by the integration tests).
  std::string without_proof = "c=biws,r=" + nonce;
  std::string wrong = without_proof + ",p=" + b64(std::string(32, 'x'));
  t.session.receive(b64(wrong) + "\r\n");
  EXPECT_EQ(t.session.take_output(), "535 5.7.8 Authentication credentials invalid\r\n");
  EXPECT_TRUE(t.session.take_auth_failure());
  EXPECT_FALSE(t.session.client().authenticated);
}

TEST(SmtpAuth, SenderChecksAndHeaderFixes) {
  Transcript t(submission());
  t.run({"S: 220 mx.example.net ESMTP Postern", "C: EHLO c", "S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800", "S: 250-8BITMIME",
         "S: 250-SMTPUTF8", "S: 250-ENHANCEDSTATUSCODES", "S: 250-CHUNKING",
         "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256", "C: AUTH PLAIN " + kPlain, "=> auth",
         "S: 235 2.7.0 Authentication successful", "C: MAIL FROM:<bob@example.test>",
         "S: 553 5.7.1 Sender address rejected: not owned by user alice@example.test",
         "C: MAIL FROM:<alice+lists@example.test>", "S: 250 2.1.0 Ok", "C: RCPT TO:<carol@example.test>",
         "S: 250 2.1.5 Ok", "C: DATA", "S: 354 End data with <CR><LF>.<CR><LF>",
         "C: From: Mallory <bob@example.test>", "C: ", "C: hi", "C: .",
         "S: 553 5.7.1 From: <bob@example.test> is not an address alice@example.test may send as",
         "C: MAIL FROM:<pr@example.test>", "S: 250 2.1.0 Ok", "C: RCPT TO:<carol@example.test>", "S: 250 2.1.5 Ok",
         "C: DATA", "S: 354 End data with <CR><LF>.<CR><LF>", "C: From: PR <pr@example.test>",
         "C: Bcc: secret@example.org,", "C:  other@example.org", "C: Subject: x", "C: ", "C: body", "C: .",
         "=> deliver ok", "S: 250 2.0.0 Ok: stored"});
  ASSERT_EQ(t.delivered.size(), 1u);
  const std::string& m = t.delivered[0].message;
  EXPECT_EQ(m.find("Bcc:"), std::string::npos) << m;
  EXPECT_EQ(m.find("other@example.org"), std::string::npos) << m;
  EXPECT_NE(m.find("\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("\r\nMessage-ID: <"), std::string::npos) << m;
  EXPECT_NE(m.find("@mx.example.net>\r\nFrom: PR <pr@example.test>\r\nSubject: x\r\n\r\nbody\r\n"),
            std::string::npos)
      << m;
}

TEST(SmtpAuth, MxRefusesOurDomainsFromStrangers) {
  Transcript t;
  t.run({"S: 220 mx.example.net ESMTP Postern", "C: HELO c", "S: 250 mx.example.net", "C: MAIL FROM:<alice@example.test>",
         "S: 550 5.7.1 Sender address rejected: example.test is our domain; our users must submit (port 587/465)",
         "C: MAIL FROM:<x@example.org>", "S: 250 2.1.0 Ok", "C: RCPT TO:<alice@example.test>", "S: 250 2.1.5 Ok",
         "C: DATA", "S: 354 End data with <CR><LF>.<CR><LF>", "C: From: alice@example.test", "C: ", "C: hi", "C: .",
         "S: 550 5.7.1 From: claims our domain example.test; our users must submit (port 587/465)",
         "C: AUTH PLAIN " + kPlain, "S: 502 5.5.1 Error: AUTH is only offered on submission"});
  ClientInfo trusted = default_client();
  trusted.trusted = true;
  Transcript ok(default_options(), trusted);
  ok.run({"S: 220 mx.example.net ESMTP Postern", "C: HELO c", "S: 250 mx.example.net", "C: MAIL FROM:<alice@example.test>", "S: 250 2.1.0 Ok"});
}

}  // namespace
}  // namespace postern::smtp::testing
