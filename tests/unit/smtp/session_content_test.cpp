// Transcript tests of message content: DATA dot-unstuffing and line ends
// (RFC 5321 §4.5.2), BDAT chunks (RFC 3030), and STARTTLS (RFC 3207)
// including the discarding of pipelined plaintext (CVE-2011-0411).
#include <gtest/gtest.h>

#include "smtp/server/session.hpp"
#include "session_harness.hpp"

namespace postern::smtp {
namespace {

using testing::ehlo_reply;
using testing::script;
using testing::Transcript;

class ContentTranscript : public ::testing::TestWithParam<size_t> {
 protected:
  size_t chunk() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Fragmentation, ContentTranscript, ::testing::Values(0, 1, 3, 7),
                         [](const auto& info) { return "chunk" + std::to_string(info.param); });

// Body of the one delivered message, without the Received: header.
std::string body_of(const testing::Delivered& d) {
  size_t end = d.message.find("+0000\r\n");
  return end == std::string::npos ? d.message : d.message.substr(end + 7);
}

// Runs EHLO/MAIL/RCPT/DATA, then feeds `data` raw in `chunk`-byte pieces.
// Returns the output after the 354.
std::string send_data(Transcript& t, std::string_view data, size_t chunk) {
  t.session.start();
  t.session.receive("EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
  t.session.take_output();
  size_t step = chunk == 0 ? data.size() : chunk;
  std::string out;
  for (size_t i = 0; i < data.size(); i += step) {
    t.session.receive(data.substr(i, step));
    out += t.session.take_output();
  }
  if (t.session.next_action() == Session::Action::deliver) {
    t.delivered.push_back({t.session.envelope(), t.session.take_message()});
    t.session.delivery_done(Ok{});
    out += t.session.take_output();
  }
  return out;
}

TEST_P(ContentTranscript, DotUnstuffing) {
  // RFC 5321 §4.5.2: a leading dot is removed from every line.
  Transcript t;
  std::string out = send_data(t, "..hidden\r\n.\r\nNOOP\r\n", chunk());
  // The first ".\r\n" ended the data; what follows is a command again.
  EXPECT_EQ(out, "250 2.0.0 Ok: stored\r\n250 2.0.0 Ok\r\n");
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_EQ(body_of(t.delivered[0]), ".hidden\r\n");
}

TEST_P(ContentTranscript, DotLinesInsideData) {
  Transcript t;
  std::string out = send_data(t, "a\r\n..\r\n...\r\n.x\r\nnot.a.dot\r\n.\r\nNOOP\r\n", chunk());
  EXPECT_EQ(out, "250 2.0.0 Ok: stored\r\n250 2.0.0 Ok\r\n");
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_EQ(body_of(t.delivered[0]), "a\r\n.\r\n..\r\nx\r\nnot.a.dot\r\n");
}

TEST_P(ContentTranscript, BareLfIsNormalizedButNeverEndsData) {
  // SMTP smuggling: "<LF>.<LF>" and "<LF>.<CRLF>" are content, not the end.
  Transcript t;
  std::string out = send_data(t, "one\ntwo\n.\nMAIL FROM:<evil@example.org>\n.\r\nthree\r\n.\r\n", chunk());
  EXPECT_EQ(out, "250 2.0.0 Ok: stored\r\n");
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_EQ(body_of(t.delivered[0]), "one\r\ntwo\r\n\r\nMAIL FROM:<evil@example.org>\r\n\r\nthree\r\n");
}

TEST_P(ContentTranscript, BareCrIsKept) {
  Transcript t;
  std::string out = send_data(t, "a\rb\r\n\r.\r\n.\r\n", chunk());
  EXPECT_EQ(out, "250 2.0.0 Ok: stored\r\n");
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_EQ(body_of(t.delivered[0]), "a\rb\r\n\r.\r\n");
}

TEST_P(ContentTranscript, EmptyMessage) {
  Transcript t;
  std::string out = send_data(t, ".\r\n", chunk());
  EXPECT_EQ(out, "250 2.0.0 Ok: stored\r\n");
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_EQ(body_of(t.delivered[0]), "");
}

TEST_P(ContentTranscript, BdatChunks) {
  // RFC 3030 §2: exact-size chunks, no dot-unstuffing, LAST triggers delivery.
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: MAIL FROM:<a@example.org> BODY=BINARYMIME",
                    "C: RCPT TO:<b@example.net>",
                    "C: BDAT 5",
                    "C: .x\r",  // 5 octets: ".x\r" + CRLF from the script
                    "C: BDAT 3",
                    "C: ",      // 2 of its 3 octets ("\r\n"); the "Z" below completes it
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 250 2.0.0 5 octets received",
                }}),
        chunk());
  // The 3-octet chunk got "\r\n" and waits for one more octet.
  t.session.receive("Z");
  EXPECT_EQ(t.session.take_output(), "250 2.0.0 3 octets received\r\n");
  t.session.receive("DATA\r\n");
  // RFC 3030 §2: DATA cannot follow BDAT in one transaction.
  EXPECT_EQ(t.session.take_output(), "503 5.5.1 Error: DATA after BDAT\r\n");
  t.session.receive("BDAT 0 LAST\r\n");
  ASSERT_EQ(t.session.next_action(), Session::Action::deliver);
  EXPECT_TRUE(t.session.envelope().eight_bit);
  std::string message = t.session.take_message();
  EXPECT_TRUE(message.ends_with("+0000\r\n.x\r\r\n\r\nZ"));
  t.session.delivery_done(Ok{});
  EXPECT_EQ(t.session.take_output(), "250 2.0.0 Ok: stored\r\n");
}

TEST_P(ContentTranscript, BdatPipelinedWithCommandLookalikes) {
  Transcript t;
  std::string chunk_text = "QUIT\r\n.\r\n";  // content, not commands
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: MAIL FROM:<a@example.org>",
                    "C: RCPT TO:<b@example.net>",
                    "C: BDAT 9 LAST",
                    "C: QUIT",
                    "C: .",
                    "C: NOOP",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "=> deliver ok",
                    "S: 250 2.0.0 Ok: stored",
                    "S: 250 2.0.0 Ok",
                }}),
        chunk());
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_EQ(body_of(t.delivered[0]), chunk_text);
}

TEST_P(ContentTranscript, BdatZeroLastAndRefusedChunks) {
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    // No transaction: the chunk is consumed, then refused.
                    "C: BDAT 4",
                    "C: NO",
                    "S: 503 5.5.1 Error: need MAIL command",
                    "C: MAIL FROM:<a@example.org>",
                    "C: RCPT TO:<unknown@example.net>",
                    "C: BDAT 6 LAST",
                    "C: RSET",
                    "S: 250 2.1.0 Ok",
                    "S: 550 5.1.1 Recipient address rejected: User unknown",
                    "S: 554 5.5.1 Error: no valid recipients",
                    "C: BDAT x",
                    "S: 501 5.5.4 Syntax: BDAT <size> [LAST]",
                    "C: RSET",
                    "S: 250 2.0.0 Ok",
                    "C: MAIL FROM:<a@example.org> BODY=BINARYMIME",
                    "C: RCPT TO:<b@example.net>",
                    "C: DATA",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 503 5.5.1 Error: BODY=BINARYMIME requires BDAT",  // RFC 3030 §3
                    "C: BDAT 0 LAST",
                    "=> deliver ok",
                    "S: 250 2.0.0 Ok: stored",
                }}),
        chunk());
  ASSERT_EQ(t.delivered.size(), 1u);
  EXPECT_EQ(body_of(t.delivered[0]), "");
}

TEST_P(ContentTranscript, StarttlsDiscardsPipelinedInput) {
  // RFC 3207 §5 / CVE-2011-0411: commands sent with STARTTLS must not run
  // after the handshake.
  Transcript t;
  t.run(script({{"S: 220 mx.example.net ESMTP Postern", "C: EHLO client.example"},
                ehlo_reply(),
                {
                    "C: MAIL FROM:<a@example.org>",
                    "S: 250 2.1.0 Ok",
                    "C: STARTTLS",
                    "C: RSET",
                    "C: MAIL FROM:<injected@example.org>",
                    "S: 220 2.0.0 Ready to start TLS",
                    "=> start_tls",
                    // RFC 3207 §4.2: state reset; EHLO again; no STARTTLS offered.
                    "C: MAIL FROM:<a@example.org>",
                    "S: 503 5.5.1 Error: send HELO/EHLO first",
                    "C: EHLO client.example",
                },
                ehlo_reply(false),
        {
            "C: STARTTLS",
            "S: 503 5.5.1 Error: TLS already active",
            "C: MAIL FROM:<a@example.org>",
            "C: RCPT TO:<b@example.net>",
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
  EXPECT_NE(t.delivered[0].message.find("with ESMTPS id S1"), std::string::npos);  // RFC 3848
}

TEST(Starttls, RefusedWhenUnavailableOrBeforeEhlo) {
  auto options = testing::default_options();
  options.starttls_available = false;
  Transcript t(options);
  t.run({"S: 220 mx.example.net ESMTP Postern", "C: STARTTLS", "S: 502 5.5.1 Error: STARTTLS not available"});
  Transcript u;
  u.run({"S: 220 mx.example.net ESMTP Postern", "C: STARTTLS", "S: 503 5.5.1 Error: send EHLO first",
         "C: EHLO c", "S: 250-mx.example.net", "S: 250-PIPELINING", "S: 250-SIZE 52428800", "S: 250-8BITMIME",
         "S: 250-SMTPUTF8", "S: 250-ENHANCEDSTATUSCODES", "S: 250-CHUNKING", "S: 250 STARTTLS",
         "C: STARTTLS x", "S: 501 5.5.4 Syntax: STARTTLS takes no argument"});
}

TEST(Starttls, BytesArrivingBeforeHandshakeAreDropped) {
  Transcript t;
  t.session.start();
  t.session.receive("EHLO c\r\nSTARTTLS\r\n");
  t.session.take_output();
  ASSERT_EQ(t.session.next_action(), Session::Action::start_tls);
  t.session.receive("MAIL FROM:<injected@example.org>\r\n");
  t.session.tls_established();
  t.session.receive("EHLO c\r\n");
  std::string out = t.session.take_output();
  EXPECT_TRUE(out.starts_with("250-mx.example.net\r\n")) << out;
  EXPECT_FALSE(t.session.in_transaction());
}

}  // namespace
}  // namespace postern::smtp
