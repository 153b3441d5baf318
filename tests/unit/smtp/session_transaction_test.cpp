// Transcript tests of the SMTP server session: greeting, EHLO/HELO, a full
// transaction, pipelining, recipient verdicts, command ordering and malformed
// input. Every transcript runs whole, byte by byte, and in 7-byte chunks.
#include <gtest/gtest.h>

#include "smtp/server/session.hpp"
#include "session_harness.hpp"

namespace postern::smtp {
namespace {

using testing::ehlo_reply;
using testing::script;
using testing::Transcript;

class SessionTranscript : public ::testing::TestWithParam<size_t> {
 protected:
  size_t chunk() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Fragmentation, SessionTranscript, ::testing::Values(0, 1, 7),
                         [](const auto& info) { return "chunk" + std::to_string(info.param); });

TEST_P(SessionTranscript, GreetingAndEhlo) {
  Transcript t;
  // RFC 5321 §4.2 greeting; RFC 2034 §3: no enhanced codes on greeting and EHLO reply.
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"}, ehlo_reply()}), chunk());
}

TEST_P(SessionTranscript, EhloWithoutStarttlsWhenUnavailable) {
  auto options = testing::default_options();
  options.starttls_available = false;
  Transcript t(options);
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"}, ehlo_reply(false)}), chunk());
}

TEST_P(SessionTranscript, EhloOnImplicitTlsListenerHasNoStarttls) {
  auto options = testing::default_options();
  options.tls_active = true;
  Transcript t(options);
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"}, ehlo_reply(false)}), chunk());
}

TEST_P(SessionTranscript, FullTransaction) {
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: MAIL FROM:<alice@example.org>",
                    "S: 250 2.1.0 Ok",
                    "C: RCPT TO:<bob@example.net>",
                    "S: 250 2.1.5 Ok",
                    "C: DATA",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    "C: Subject: hi",
                    "C: ",
                    "C: hello",
                    "C: .",
                    "=> deliver ok",
                    "S: 250 2.0.0 Ok: stored",
                    "C: QUIT",
                    "S: 221 2.0.0 Bye",
                    "=> close",
                }}),
        chunk());
  ASSERT_EQ(t.delivered.size(), 1u);
  const auto& env = t.delivered[0].envelope;
  EXPECT_EQ(env.helo, "client.example");
  EXPECT_EQ(env.mail_from, "alice@example.org");
  EXPECT_EQ(env.recipients, std::vector<std::string>{"bob@example.net"});
  EXPECT_EQ(env.accounts, std::vector<int64_t>{3});
  EXPECT_FALSE(env.smtputf8);
  EXPECT_FALSE(env.eight_bit);
  // RFC 5321 §4.4 trace header, then the data exactly as sent.
  EXPECT_EQ(t.delivered[0].message,
            "Received: from client.example (unknown [192.0.2.7])\r\n"
            "\tby mx.example.net (Postern) with ESMTP id S1\r\n"
            "\tfor <bob@example.net>; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "Subject: hi\r\n\r\nhello\r\n");
}

TEST_P(SessionTranscript, PipelinedBatchIsAnsweredInOrder) {
  // RFC 2920 §3.1: MAIL, RCPTs and DATA in one batch; replies in order.
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: MAIL FROM:<> BODY=8BITMIME",
                    "C: RCPT TO:<bob@example.net>",
                    "C: RCPT TO:<unknown@example.net>",
                    "C: RCPT TO:<carol@example.net>",
                    "C: RCPT TO:<bob@example.net>",
                    "C: DATA",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 550 5.1.1 Recipient address rejected: User unknown",
                    "S: 250 2.1.5 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    // RFC 2920 §3.1: commands after the content wait for the delivery result.
                    "C: x",
                    "C: .",
                    "C: MAIL FROM:<alice@example.org>",
                    "C: RCPT TO:<dave@example.net>",
                    "C: DATA",
                    "=> deliver ok",
                    "S: 250 2.0.0 Ok: stored",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    "C: y",
                    "C: .",
                    "C: QUIT",
                    "=> deliver ok",
                    "S: 250 2.0.0 Ok: stored",
                    "S: 221 2.0.0 Bye",
                    "=> close",
                }}),
        chunk());
  ASSERT_EQ(t.delivered.size(), 2u);
  EXPECT_EQ(t.delivered[0].envelope.mail_from, "");
  EXPECT_TRUE(t.delivered[0].envelope.eight_bit);
  // Duplicates are kept once; accounts are a deduplicated union.
  EXPECT_EQ(t.delivered[0].envelope.recipients, (std::vector<std::string>{"bob@example.net", "carol@example.net"}));
  EXPECT_EQ(t.delivered[0].envelope.accounts, (std::vector<int64_t>{3, 5}));
  // Two recipients: no "for" clause, the date follows "id ...;".
  EXPECT_EQ(t.delivered[0].message,
            "Received: from client.example (unknown [192.0.2.7])\r\n"
            "\tby mx.example.net (Postern) with ESMTP id S1;\r\n"
            "\tTue, 14 Nov 2023 22:13:20 +0000\r\n"
            "x\r\n");
  EXPECT_EQ(t.delivered[1].envelope.mail_from, "alice@example.org");
  EXPECT_EQ(t.delivered[1].envelope.recipients, std::vector<std::string>{"dave@example.net"});
  EXPECT_TRUE(t.delivered[1].message.ends_with("+0000\r\ny\r\n"));
}

TEST_P(SessionTranscript, DeliveryFailuresResetTheTransaction) {
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: HELO client.example", "S: 250 mx.example.net"},
                {
                    "C: MAIL FROM:<a@example.org>",
                    "C: RCPT TO:<b@example.net>",
                    "C: DATA",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    "C: .",
                    "=> deliver temporary",
                    "S: 451 4.3.0 Error: temporary failure, try again later",
                    "C: RCPT TO:<b@example.net>",
                    "S: 503 5.5.1 Error: need MAIL command",
                    "C: MAIL FROM:<a@example.org>",
                    "C: RCPT TO:<b@example.net>",
                    "C: DATA",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    "C: .",
                    "=> deliver fail",
                    "S: 554 5.3.0 Error: message could not be stored",
                }}),
        chunk());
  ASSERT_EQ(t.delivered.size(), 2u);
  // HELO keeps the helo across transactions; protocol SMTP (RFC 3848).
  EXPECT_EQ(t.delivered[1].envelope.helo, "client.example");
  EXPECT_TRUE(t.delivered[1].message.starts_with("Received: from client.example (unknown [192.0.2.7])\r\n"
                                                 "\tby mx.example.net (Postern) with SMTP id S1\r\n"));
}

TEST_P(SessionTranscript, RecipientVerdicts) {
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: MAIL FROM:<a@example.org>",
                    "S: 250 2.1.0 Ok",
                    "C: RCPT TO:<x@elsewhere.example>",
                    "S: 554 5.7.1 Relay access denied",
                    "C: RCPT TO:<unknown@example.net>",
                    "S: 550 5.1.1 Recipient address rejected: User unknown",
                    "C: RCPT TO:<tempfail@example.net>",
                    "S: 451 4.3.0 Recipient address rejected: try again later",
                    // RFC 2920 §3.1: DATA after every RCPT failed.
                    "C: DATA",
                    "S: 554 5.5.1 Error: no valid recipients",
                    // RFC 5321 §4.1.1.3: <postmaster> is the local postmaster.
                    "C: RCPT TO:<Postmaster>",
                    "S: 250 2.1.5 Ok",
                }}),
        chunk());
  ASSERT_EQ(t.policy.checked.size(), 4u);
  EXPECT_EQ(t.policy.checked[3], (EmailAddress{"postmaster", "mx.example.net"}));
  EXPECT_TRUE(t.session.in_transaction());
}

TEST_P(SessionTranscript, AuthenticatedClientMayRelay) {
  auto client = testing::default_client();
  client.authenticated = true;
  Transcript t(testing::default_options(), client);
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: MAIL FROM:<a@example.org>",
                    "C: RCPT TO:<x@elsewhere.example>",
                    "C: DATA",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    "C: .",
                    "=> deliver ok",
                    "S: 250 2.0.0 Ok: stored",
                }}),
        chunk());
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_NE(t.delivered[0].message.find("with ESMTPA id S1"), std::string::npos);  // RFC 3848
}

TEST_P(SessionTranscript, BadSequence) {
  // RFC 5321 §4.1.4 command ordering; 503 5.5.1 for each violation.
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern",
                 "C: MAIL FROM:<a@example.org>",
                 "S: 503 5.5.1 Error: send HELO/EHLO first",
                 "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: RCPT TO:<b@example.net>",
                    "S: 503 5.5.1 Error: need MAIL command",
                    "C: DATA",
                    "S: 503 5.5.1 Error: need MAIL command",
                    "C: MAIL FROM:<a@example.org>",
                    "S: 250 2.1.0 Ok",
                    "C: MAIL FROM:<a@example.org>",
                    "S: 503 5.5.1 Error: nested MAIL command",
                    "C: DATA",
                    "S: 503 5.5.1 Error: need RCPT command",
                    "C: RSET",
                    "S: 250 2.0.0 Ok",
                    "C: RCPT TO:<b@example.net>",
                    "S: 503 5.5.1 Error: need MAIL command",
                }}),
        chunk());
  EXPECT_FALSE(t.session.in_transaction());
}

TEST_P(SessionTranscript, OtherVerbs) {
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern",
                 "C: noop",
                 "S: 250 2.0.0 Ok",
                 "C: NOOP ignored argument",
                 "S: 250 2.0.0 Ok",
                 "C: HELP",
                 "S: 214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT HELP VRFY STARTTLS",
                 // RFC 5321 §3.5.3: 252 instead of verifying
                 "C: VRFY bob",
                 "S: 252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery",
                 "C: VRFY",
                 "S: 501 5.5.4 Syntax: VRFY <address>",
                 "C: EXPN staff",
                 "S: 502 5.5.1 Error: EXPN not supported",
                 "C: RSET now",
                 "S: 501 5.5.4 Syntax: RSET takes no argument",
                 "C: EHLO",
                 "S: 501 5.5.4 Syntax: EHLO <hostname>",
                 "C: EHLO a b",
                 "S: 501 5.5.4 Invalid hostname",
                 "C: HELO [192.0.2.1]",
                 "S: 250 mx.example.net",
                 // RFC 5321 §4.1.1.2: no esmtp parameters after HELO
                 "C: MAIL FROM:<a@example.org> SIZE=10",
                 "S: 555 5.5.4 Unsupported parameter SIZE",
                 "C: QUIT",
                 "S: 221 2.0.0 Bye",
                 "=> close"}}),
        chunk());
}

TEST_P(SessionTranscript, MalformedCommands) {
  Transcript t;
  t.run(script({{
            "S: 220 mx.example.net ESMTP Postern",
            "C: FOO bar",
            "S: 500 5.5.2 Error: command not recognized",
            "C: ",
            "S: 500 5.5.2 Error: bad syntax",
            "C: EHLO a\x01",
            "S: 500 5.5.2 Error: invalid character in command",
            "C: EHLO \xff\xfe",
            "S: 500 5.5.2 Error: invalid UTF-8 in command",
            "C: MAIL FROM:<a@example.org>",  // before EHLO
            "S: 503 5.5.1 Error: send HELO/EHLO first",
            "C: EHLO client.example",
        },
        ehlo_reply(),
        {
            "C: MAIL FROM:<>",
            "S: 250 2.1.0 Ok",
            "C: RCPT TO:<j\xc3\xb6rg@example.net>",
            "S: 553 5.6.7 SMTPUTF8 required for a non-ASCII address",  // RFC 6531 §3.4
            "C: RCPT TO:<bob@example.net> NOTIFY=NEVER",
            "S: 555 5.5.4 Unsupported parameter NOTIFY",
        }}),
        chunk());
}

TEST_P(SessionTranscript, Smtputf8Transaction) {
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8",
                    "C: RCPT TO:<b\xc3\xa9" "a@example.net>",
                    "C: DATA",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    "C: .",
                    "=> deliver ok",
                    "S: 250 2.0.0 Ok: stored",
                }}),
        chunk());
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_TRUE(t.delivered[0].envelope.smtputf8);
  EXPECT_EQ(t.delivered[0].envelope.mail_from, "j\xc3\xb6rg@example.org");
  EXPECT_NE(t.delivered[0].message.find("with UTF8SMTP id S1"), std::string::npos);  // RFC 6531 §3.7.3
}

TEST(Session, NulByteInCommandIsRejected) {
  Transcript t;
  t.session.start();
  t.session.take_output();
  t.session.receive(std::string_view("NO\0OP\r\nNOOP\r\n", 13));
  EXPECT_EQ(t.session.take_output(), "500 5.5.2 Error: invalid character in command\r\n250 2.0.0 Ok\r\n");
}

TEST(Session, BareLfEndsACommand) {
  Transcript t;
  t.session.start();
  t.session.take_output();
  t.session.receive("NOOP\nNOOP\r\n");
  EXPECT_EQ(t.session.take_output(), "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n");
  EXPECT_EQ(t.session.next_action(), Session::Action::read);
}

TEST(Session, TimeoutAndShutdownClose) {
  Transcript a;
  a.session.start();
  a.session.take_output();
  a.session.on_timeout();
  EXPECT_EQ(a.session.take_output(), "421 4.4.2 mx.example.net Error: timeout exceeded\r\n");
  EXPECT_EQ(a.session.next_action(), Session::Action::close);
  a.session.receive("NOOP\r\n");  // ignored once closing
  EXPECT_EQ(a.session.take_output(), "");

  Transcript b;
  b.session.on_shutdown();
  EXPECT_EQ(b.session.take_output(), "421 4.3.2 mx.example.net Service shutting down\r\n");
  EXPECT_EQ(b.session.next_action(), Session::Action::close);
}

TEST(Session, RealClockWhenNowIsNull) {
  testing::FakePolicy policy;
  Session s(testing::default_options(), testing::default_client(), policy, nullptr);
  s.start();
  s.receive("EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n.\r\n");
  ASSERT_EQ(s.next_action(), Session::Action::deliver);
  std::string message = s.take_message();
  EXPECT_TRUE(message.starts_with("Received: from c (unknown [192.0.2.7])\r\n"));
  EXPECT_TRUE(message.ends_with(" +0000\r\n"));
  EXPECT_EQ(message.find("Thu, 01 Jan 1970"), std::string::npos);
}

}  // namespace
}  // namespace postern::smtp
