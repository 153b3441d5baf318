// Transcript tests of the outbound SMTP client (RFC 5321, 2920, 3207, 6531).
#include "smtp/client/session.hpp"

#include <gtest/gtest.h>

#include "smtp/client/capabilities.hpp"
#include "smtp/client/dot_stuffing.hpp"
#include "client_harness.hpp"

namespace postern::smtp::client {
namespace {

using testing::plain_options;
using testing::Transcript;

const std::string kMessage = "Subject: hi\r\n\r\nHello\r\n.dot line\r\n";

TEST(ClientSession, PipelinedDeliveryWithPerRecipientResults) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com", "y@example.com", "z@example.com"}},
                  kMessage);
  Transcript t(s);
  t.run({"S: 220 mx.example.com ESMTP",
         "C: EHLO out.example.org",
         "S: 250-mx.example.com",
         "S: 250-PIPELINING",
         "S: 250-SIZE 10000",
         "S: 250 ENHANCEDSTATUSCODES"});
  // RFC 2920 §3.1: MAIL and every RCPT go out in one write.
  std::string burst = t.take_unmatched();
  EXPECT_EQ(burst, "MAIL FROM:<a@example.org> SIZE=" + std::to_string(kMessage.size()) +
                       "\r\nRCPT TO:<x@example.com>\r\nRCPT TO:<y@example.com>\r\nRCPT TO:<z@example.com>\r\n");
  t.run({"S: 250 2.1.0 ok",
         "S: 250 2.1.5 ok",
         "S: 550 5.1.1 no such user",
         "S: 451 4.3.0 try later",
         "C: DATA",
         "S: 354 go",
         "C: Subject: hi",
         "C: ",
         "C: Hello",
         "C: ..dot line",
         "C: .",
         "S: 250 2.0.0 queued as 42",
         "C: QUIT",
         "S: 221 bye"});
  EXPECT_TRUE(s.done());
  ASSERT_EQ(s.results().size(), 3u);
  EXPECT_EQ(s.results()[0].status, RecipientStatus::delivered);
  EXPECT_EQ(s.results()[0].reply, "250 2.0.0 queued as 42");
  EXPECT_EQ(s.results()[1].status, RecipientStatus::permanent);
  EXPECT_EQ(s.results()[1].reply, "550 5.1.1 no such user");
  EXPECT_EQ(s.results()[1].enhanced, "5.1.1");
  EXPECT_EQ(s.results()[2].status, RecipientStatus::transient);
  EXPECT_FALSE(s.try_next_host());
}

TEST(ClientSession, WithoutPipeliningRcptsGoOneByOne) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com", "y@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx",
         "C: MAIL FROM:<a@example.org>", "S: 250 ok",
         "C: RCPT TO:<x@example.com>", "S: 250 ok",
         "C: RCPT TO:<y@example.com>", "S: 250 ok",
         "C: DATA", "S: 354 go", "C: x", "C: .", "S: 250 ok", "C: QUIT"});
  EXPECT_EQ(t.unmatched(), "");
  s.connection_lost("closed");  // the server hangs up without a 221: still fine
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::delivered);
  EXPECT_EQ(s.results()[1].status, RecipientStatus::delivered);
}

TEST(ClientSession, HeloFallbackWhenEhloRefused) {
  ClientSession s(plain_options(), {"", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 old", "C: EHLO out.example.org", "S: 502 what?", "C: HELO out.example.org",
         "S: 250 hi", "C: MAIL FROM:<>", "S: 250 ok", "C: RCPT TO:<x@example.com>"});
  EXPECT_FALSE(s.capabilities().esmtp);
}

TEST(ClientSession, MailParametersFollowCapabilities) {
  ClientSession s(plain_options(), {"ü@example.org", {"x@example.com"}, true, true}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250-8BITMIME", "S: 250-SMTPUTF8",
         "S: 250 SIZE", "C: MAIL FROM:<ü@example.org> SIZE=3 BODY=8BITMIME SMTPUTF8"});
}

TEST(ClientSession, Smtputf8MessageToServerWithoutIt) {
  // RFC 6531 §3.2: such a message must not be sent; it bounces.
  ClientSession s(plain_options(), {"a@example.org", {"ü@example.com"}, false, true}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250 8BITMIME", "C: QUIT"});
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
  EXPECT_EQ(s.results()[0].enhanced, "5.6.7");
  EXPECT_NE(s.results()[0].reply.find("SMTPUTF8"), std::string::npos);
}

TEST(ClientSession, MessageLargerThanAnnouncedSize) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com"}}, std::string(100, 'x'));
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250 SIZE 50", "C: QUIT"});
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
  EXPECT_EQ(s.results()[0].enhanced, "5.3.4");
}

TEST(ClientSession, StartTlsThenEhloAgain) {
  ClientOptions o = plain_options();
  o.tls = TlsPolicy::opportunistic;
  ClientSession s(o, {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250-STARTTLS", "S: 250 PIPELINING",
         "C: STARTTLS", "S: 220 go ahead", "TLS", "C: EHLO out.example.org", "S: 250-mx",
         "S: 250 SIZE 100", "C: MAIL FROM:<a@example.org> SIZE=3"});
  EXPECT_TRUE(s.tls_active());
  // Capabilities are those announced after TLS (RFC 3207 §4.2).
  EXPECT_FALSE(s.capabilities().pipelining);
  EXPECT_FALSE(s.capabilities().starttls);
}

TEST(ClientSession, StartTlsRefusedContinuesInPlaintextWhenOpportunistic) {
  ClientOptions o = plain_options();
  o.tls = TlsPolicy::opportunistic;
  ClientSession s(o, {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250 STARTTLS", "C: STARTTLS",
         "S: 454 4.7.0 TLS not available", "C: MAIL FROM:<a@example.org>"});
}

TEST(ClientSession, TlsRequiredButNotOffered) {
  ClientOptions o = plain_options();
  o.tls = TlsPolicy::required;
  ClientSession s(o, {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: QUIT"});
  EXPECT_EQ(s.results()[0].status, RecipientStatus::transient);
  EXPECT_TRUE(s.try_next_host());
}

TEST(ClientSession, BytesInjectedAfterStartTlsReplyAbort) {
  ClientOptions o = plain_options();
  o.tls = TlsPolicy::opportunistic;
  ClientSession s(o, {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250 STARTTLS", "C: STARTTLS"});
  s.receive("220 go\r\n250 injected\r\n");
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.wants_tls());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::transient);
}

TEST(ClientSession, AuthPlainOnlyOverTls) {
  ClientOptions o = plain_options();
  o.tls_active = true;  // implicit TLS to a smarthost
  o.auth_user = "relay";
  o.auth_password = "secret";
  ClientSession s(o, {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 smarthost", "C: EHLO out.example.org", "S: 250-smarthost", "S: 250 AUTH LOGIN PLAIN",
         "C: AUTH PLAIN AHJlbGF5AHNlY3JldA==", "S: 235 2.7.0 ok", "C: MAIL FROM:<a@example.org>"});

  ClientOptions plain = plain_options();
  plain.auth_user = "relay";
  plain.auth_password = "secret";
  ClientSession p(plain, {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript tp(p);
  tp.run({"S: 220 smarthost", "C: EHLO out.example.org", "S: 250-smarthost", "S: 250 AUTH PLAIN", "C: QUIT"});
  EXPECT_EQ(p.results()[0].status, RecipientStatus::transient);
}

TEST(ClientSession, GreetingRefusedIsHostFailure) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 554 go away", "C: QUIT", "S: 221 bye"});
  EXPECT_TRUE(s.done());
  EXPECT_TRUE(s.try_next_host());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::transient);
}

TEST(ClientSession, MailRefusedFailsEveryRecipientEvenWhenPipelined) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com", "y@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250 PIPELINING",
         "C: MAIL FROM:<a@example.org>", "C: RCPT TO:<x@example.com>", "C: RCPT TO:<y@example.com>",
         "S: 553 5.7.1 sender rejected", "S: 503 5.5.1 no MAIL", "S: 503 5.5.1 no MAIL", "C: QUIT"});
  for (const auto& r : s.results()) {
    EXPECT_EQ(r.status, RecipientStatus::permanent);
    EXPECT_EQ(r.reply, "553 5.7.1 sender rejected");
  }
}

TEST(ClientSession, NoAcceptedRecipientSkipsData) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>",
         "S: 250 ok", "C: RCPT TO:<x@example.com>", "S: 550 no", "C: QUIT"});
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
  EXPECT_EQ(s.results()[0].enhanced, "5.0.0");  // synthesized: the server sent no enhanced code
}

TEST(ClientSession, FinalDotRefused) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>",
         "S: 250 ok", "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA", "S: 354 go", "C: x", "C: .",
         "S: 554 5.7.1 spam", "C: QUIT"});
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
  EXPECT_EQ(s.results()[0].reply, "554 5.7.1 spam");
}

TEST(ClientSession, ConnectionLostMidTransactionIsTransient) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com", "y@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>",
         "S: 250 ok", "C: RCPT TO:<x@example.com>", "S: 550 no", "C: RCPT TO:<y@example.com>"});
  s.connection_lost("connection reset");
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
  EXPECT_EQ(s.results()[1].status, RecipientStatus::transient);
  EXPECT_EQ(s.results()[1].reply, "connection reset");
  EXPECT_FALSE(s.try_next_host());
}

TEST(ClientSession, ProtocolErrorEndsSession) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com"}}, "x\r\n");
  s.receive("hello there\r\n");
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::transient);
  EXPECT_TRUE(s.try_next_host());
}

TEST(ClientSession, AddressesCannotInjectCommands) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com>\r\nRSET", "y@example.com"}}, "x\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>",
         "S: 250 ok", "C: RCPT TO:<y@example.com>"});
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
}

TEST(ClientSession, TimeoutsFollowRfc5321) {
  ClientSession s(plain_options(), {"a@example.org", {"x@example.com"}}, "x\r\n");
  Transcript t(s);
  EXPECT_EQ(s.timeout(), std::chrono::seconds(300));  // greeting, §4.5.3.2.1
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>"});
  EXPECT_EQ(s.timeout(), std::chrono::seconds(300));  // MAIL, §4.5.3.2.2
  t.run({"S: 250 ok", "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA"});
  EXPECT_EQ(s.timeout(), std::chrono::seconds(120));  // DATA initiation, §4.5.3.2.4
  t.run({"S: 354 go"});
  EXPECT_TRUE(s.sending_body());
  EXPECT_EQ(s.data_block_timeout(), std::chrono::seconds(180));  // §4.5.3.2.5
  EXPECT_EQ(s.timeout(), std::chrono::seconds(600));  // final dot, §4.5.3.2.6
}

TEST(Capabilities, EhloKeywords) {
  ServerReply r{250, "", {"mx.example.com greets you", "pipelining", "SIZE 35882577", "8BITMIME",
                          "SMTPUTF8", "STARTTLS", "ENHANCEDSTATUSCODES", "AUTH plain LOGIN", "CHUNKING"}};
  auto c = parse_ehlo(r);
  EXPECT_TRUE(c.esmtp && c.pipelining && c.size && c.eight_bit_mime && c.smtputf8 && c.starttls &&
              c.enhanced_status_codes);
  EXPECT_EQ(c.size_limit, 35882577u);
  EXPECT_EQ(c.auth, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  auto bad = parse_ehlo(ServerReply{250, "", {"mx", "SIZE lots"}});
  EXPECT_TRUE(bad.size);
  EXPECT_EQ(bad.size_limit, 0u);
}

TEST(DotStuffing, Rfc5321Section4_5_2) {
  EXPECT_EQ(dot_stuff(".a\r\nb\r\n..c\r\n"), "..a\r\nb\r\n...c\r\n.\r\n");
  EXPECT_EQ(dot_stuff("no final newline"), "no final newline\r\n.\r\n");
  EXPECT_EQ(dot_stuff("lf\nonly\n.\n"), "lf\r\nonly\r\n..\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
}

}  // namespace
}  // namespace postern::smtp::client
