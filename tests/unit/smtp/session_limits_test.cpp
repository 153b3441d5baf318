// Transcript tests of the session limits: message size (RFC 1870, RFC 5321
// §4.5.3.1.10), recipients (§4.5.3.1.8), line length (§4.5.3.1.4-6) and the
// error budget that ends abusive sessions.
#include <gtest/gtest.h>

#include "smtp/server/session.hpp"
#include "session_harness.hpp"

namespace postern::smtp {
namespace {

using testing::script;
using testing::Transcript;

SessionOptions small_limits() {
  auto o = testing::default_options();
  o.starttls_available = false;
  o.limits.max_message_size = 100;
  o.limits.max_recipients = 2;
  o.limits.max_line_length = 40;
  o.limits.max_errors = 5;
  return o;
}

const std::vector<std::string> kSmallEhlo = {
    "S: 250-mx.example.net", "S: 250-PIPELINING",          "S: 250-SIZE 100",  "S: 250-8BITMIME",
    "S: 250-SMTPUTF8",       "S: 250-ENHANCEDSTATUSCODES", "S: 250 CHUNKING"};

class LimitsTranscript : public ::testing::TestWithParam<size_t> {
 protected:
  size_t chunk() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Fragmentation, LimitsTranscript, ::testing::Values(0, 1, 5),
                         [](const auto& info) { return "chunk" + std::to_string(info.param); });

TEST_P(LimitsTranscript, DeclaredSizeTooBig) {
  // RFC 1870 §6.2: SIZE= over the limit → 552 5.3.4 at MAIL.
  Transcript t(small_limits());
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO c.example"},
                kSmallEhlo,
                {"C: MAIL FROM:<a@example.org> SIZE=101",
                 "S: 552 5.3.4 Message size exceeds fixed maximum message size",
                 "C: MAIL FROM:<a@example.org> SIZE=100", "S: 250 2.1.0 Ok"}}),
        chunk());
}

TEST_P(LimitsTranscript, DataTooBigIsReadToTheEndThenRefused) {
  Transcript t(small_limits());
  std::vector<std::string> lines = {"C: MAIL FROM:<a@example.org>", "C: RCPT TO:<b@example.net>", "C: DATA",
                                    "S: 250 2.1.0 Ok", "S: 250 2.1.5 Ok",
                                    "S: 354 End data with <CR><LF>.<CR><LF>"};
  for (int i = 0; i < 10; ++i) lines.push_back("C: 0123456789012345678");  // 10 × 21 octets > 100
  lines.push_back("C: .");
  lines.push_back("C: NOOP");
  lines.push_back("S: 552 5.3.4 Message size exceeds fixed maximum message size");
  lines.push_back("S: 250 2.0.0 Ok");
  lines.push_back("C: RCPT TO:<b@example.net>");
  lines.push_back("S: 503 5.5.1 Error: need MAIL command");  // the transaction is over
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO c.example"}, kSmallEhlo, lines}), chunk());
  EXPECT_TRUE(t.delivered.empty());
}

TEST_P(LimitsTranscript, MessageOfExactlyTheLimitIsAccepted) {
  Transcript t(small_limits());
  std::vector<std::string> lines = {"C: MAIL FROM:<a@example.org>", "C: RCPT TO:<b@example.net>", "C: DATA",
                                    "S: 250 2.1.0 Ok", "S: 250 2.1.5 Ok",
                                    "S: 354 End data with <CR><LF>.<CR><LF>"};
  for (int i = 0; i < 5; ++i) lines.push_back("C: 012345678901234567");  // 5 × 20 = 100 octets
  lines.push_back("C: .");
  lines.push_back("=> deliver ok");
  lines.push_back("S: 250 2.0.0 Ok: stored");
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO c.example"}, kSmallEhlo, lines}), chunk());
  ASSERT_EQ(t.delivered.size(), 1u);
}

TEST_P(LimitsTranscript, BdatTooBig) {
  Transcript t(small_limits());
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO c.example"},
                kSmallEhlo,
                {"C: MAIL FROM:<a@example.org>", "C: RCPT TO:<b@example.net>", "C: BDAT 98",
                 "C: " + std::string(96, 'x'), "C: BDAT 3", "C: x", "C: BDAT 2 LAST", "C: ",
                 "S: 250 2.1.0 Ok", "S: 250 2.1.5 Ok", "S: 250 2.0.0 98 octets received",
                 "S: 552 5.3.4 Message size exceeds fixed maximum message size",
                 "S: 552 5.3.4 Message size exceeds fixed maximum message size", "C: NOOP",
                 "S: 250 2.0.0 Ok"}}),
        chunk());
  EXPECT_TRUE(t.delivered.empty());
  EXPECT_FALSE(t.session.in_transaction());
}

TEST_P(LimitsTranscript, TooManyRecipients) {
  // RFC 5321 §4.5.3.1.8: 452 past the recipient limit; accepted ones stay.
  Transcript t(small_limits());
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO c.example"},
                kSmallEhlo,
                {"C: MAIL FROM:<a@example.org>", "C: RCPT TO:<b@example.net>", "C: RCPT TO:<c@example.net>",
                 "C: RCPT TO:<d@example.net>", "C: DATA", "S: 250 2.1.0 Ok", "S: 250 2.1.5 Ok", "S: 250 2.1.5 Ok",
                 "S: 452 4.5.3 Error: too many recipients", "S: 354 End data with <CR><LF>.<CR><LF>", "C: .",
                 "=> deliver ok", "S: 250 2.0.0 Ok: stored"}}),
        chunk());
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_EQ(t.delivered[0].envelope.recipients, (std::vector<std::string>{"b@example.net", "c@example.net"}));
}

TEST_P(LimitsTranscript, CommandLineTooLong) {
  // RFC 5321 §4.5.3.1.4 / §4.5.3.1.10: 500 and the rest of the line dropped.
  Transcript t(small_limits());
  t.run(script({{"S: 220 mx.example.net ESMTP Postern",
                 "C: NOOP " + std::string(100, 'a'),  // 105 + CRLF > 40
                 "C: NOOP " + std::string(33, 'b'),   // 38 + CRLF = 40: fits
                 "C: NOOP " + std::string(34, 'c'),   // 41: one too many
                 "S: 500 5.5.2 Error: line too long", "S: 250 2.0.0 Ok", "S: 500 5.5.2 Error: line too long",
                 "C: NOOP", "S: 250 2.0.0 Ok"}}),
        chunk());
}

TEST_P(LimitsTranscript, DataLineTooLong) {
  Transcript t(small_limits());
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO c.example"},
                kSmallEhlo,
                {"C: MAIL FROM:<a@example.org>", "C: RCPT TO:<b@example.net>", "C: DATA", "S: 250 2.1.0 Ok",
                 "S: 250 2.1.5 Ok", "S: 354 End data with <CR><LF>.<CR><LF>", "C: " + std::string(39, 'x'), "C: .",
                 "S: 554 5.6.0 Message rejected: line longer than 40 octets"}}),
        chunk());
  EXPECT_TRUE(t.delivered.empty());
}

TEST_P(LimitsTranscript, TooManyErrorsCloses) {
  // Syntax/sequence errors and refused recipients count; at max_errors: 421.
  Transcript t(small_limits());
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO c.example"},
                kSmallEhlo,
                {"C: MAIL FROM:<a@example.org>", "C: RCPT TO:<unknown1@example.net>",
                 "C: RCPT TO:<x@elsewhere.example>", "C: FOO", "C: RCPT TO:<bad>", "C: NOOP", "C: DATA",
                 "C: NOOP", "S: 250 2.1.0 Ok", "S: 550 5.1.1 Recipient address rejected: User unknown",
                 "S: 554 5.7.1 Relay access denied", "S: 500 5.5.2 Error: command not recognized",
                 "S: 501 5.1.3 Bad recipient address syntax: missing @ in address", "S: 250 2.0.0 Ok",
                 "S: 554 5.5.1 Error: no valid recipients",
                 "S: 421 4.7.0 mx.example.net Too many errors, closing connection", "=> close"}}),
        chunk());
}

}  // namespace
}  // namespace postern::smtp
