// Transcript tests of connection reuse in the outbound SMTP client: RSET
// after each transaction (RFC 5321 §4.1.1.5), the next message's MAIL on
// the same connection, a refusal of one message leaving the next untouched,
// and a kept connection found dead (closed, 421) reported as such so that
// the message goes again on a new connection without an attempt counted.
#include <gtest/gtest.h>

#include "client_harness.hpp"
#include "smtp/client/session.hpp"

namespace postern::smtp::client {
namespace {

using testing::Transcript;

ClientOptions reuse_options() {
  ClientOptions o = testing::plain_options();
  o.reuse = true;
  return o;
}

// Greeting, EHLO and a first message to x@ that the server takes.
void first_message(ClientSession& s, Transcript& t) {
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250 ENHANCEDSTATUSCODES",
         "C: MAIL FROM:<a@example.org>", "S: 250 ok", "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA",
         "S: 354 go", "C: one", "C: .", "S: 250 2.0.0 queued as 1", "C: RSET", "S: 250 2.0.0 ok"});
  ASSERT_TRUE(s.idle());
  EXPECT_FALSE(s.done());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::delivered);
}

TEST(ClientSessionReuse, SecondMessageGoesStraightToMail) {
  ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript t(s);
  first_message(s, t);
  EXPECT_EQ(t.unmatched(), "");
  s.next_transaction({"b@example.org", {"y@example.com", "z@example.com"}}, "two\r\n");
  EXPECT_FALSE(s.idle());
  EXPECT_EQ(s.transactions(), 2u);
  // No greeting, EHLO, TLS or AUTH again: MAIL at once.
  t.run({"C: MAIL FROM:<b@example.org>", "S: 250 ok", "C: RCPT TO:<y@example.com>", "S: 250 ok",
         "C: RCPT TO:<z@example.com>", "S: 250 ok", "C: DATA", "S: 354 go", "C: two", "C: .",
         "S: 250 2.0.0 queued as 2", "C: RSET", "S: 250 ok"});
  ASSERT_TRUE(s.idle());
  ASSERT_EQ(s.results().size(), 2u);
  EXPECT_EQ(s.results()[0].address, "y@example.com");
  EXPECT_EQ(s.results()[0].status, RecipientStatus::delivered);
  EXPECT_EQ(s.results()[1].status, RecipientStatus::delivered);
  EXPECT_FALSE(s.lost_on_reuse());
  s.quit_idle();
  t.run({"C: QUIT", "S: 221 bye"});
  EXPECT_TRUE(s.done());
}

TEST(ClientSessionReuse, ARefusedRecipientOrMessageDoesNotTouchTheNext) {
  ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript t(s);
  first_message(s, t);
  // Every recipient refused: no DATA, RSET, next message.
  s.next_transaction({"a@example.org", {"nobody@example.com"}}, "two\r\n");
  t.run({"C: MAIL FROM:<a@example.org>", "S: 250 ok", "C: RCPT TO:<nobody@example.com>",
         "S: 550 5.1.1 no such user", "C: RSET", "S: 250 ok"});
  ASSERT_TRUE(s.idle());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
  EXPECT_EQ(s.results()[0].reply, "550 5.1.1 no such user");
  // The content refused at the final dot.
  s.next_transaction({"a@example.org", {"x@example.com"}}, "spam\r\n");
  t.run({"C: MAIL FROM:<a@example.org>", "S: 250 ok", "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA",
         "S: 354 go", "C: spam", "C: .", "S: 554 5.7.1 rejected as spam", "C: RSET", "S: 250 ok"});
  ASSERT_TRUE(s.idle());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
  // A temporary refusal of the sender.
  s.next_transaction({"busy@example.org", {"x@example.com"}}, "three\r\n");
  t.run({"C: MAIL FROM:<busy@example.org>", "S: 451 4.3.0 try later", "C: RSET", "S: 250 ok"});
  ASSERT_TRUE(s.idle());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::transient);
  EXPECT_FALSE(s.lost_on_reuse());  // a real answer: the attempt counts
  // And the next message is delivered as if nothing had happened.
  s.next_transaction({"a@example.org", {"x@example.com"}}, "four\r\n");
  t.run({"C: MAIL FROM:<a@example.org>", "S: 250 ok", "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA",
         "S: 354 go", "C: four", "C: .", "S: 250 ok", "C: RSET", "S: 250 ok"});
  EXPECT_EQ(s.results()[0].status, RecipientStatus::delivered);
  EXPECT_EQ(s.transactions(), 5u);
}

TEST(ClientSessionReuse, AConnectionFoundClosedIsReportedAsLostOnReuse) {
  ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript t(s);
  first_message(s, t);
  s.next_transaction({"a@example.org", {"y@example.com"}}, "two\r\n");
  t.run({"C: MAIL FROM:<a@example.org>"});
  s.connection_lost("connection closed");
  EXPECT_TRUE(s.done());
  EXPECT_TRUE(s.lost_on_reuse());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::transient);
}

TEST(ClientSessionReuse, A421ToTheFirstCommandIsLostOnReuse) {
  ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript t(s);
  first_message(s, t);
  s.next_transaction({"a@example.org", {"y@example.com"}}, "two\r\n");
  t.run({"C: MAIL FROM:<a@example.org>", "S: 421 4.4.2 idle timeout, closing", "C: QUIT"});
  EXPECT_TRUE(s.lost_on_reuse());
  EXPECT_FALSE(s.idle());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::transient);
}

TEST(ClientSessionReuse, FailureAfterTheFirstAnswerCountsAsAnAttempt) {
  ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript t(s);
  first_message(s, t);
  s.next_transaction({"a@example.org", {"y@example.com"}}, "two\r\n");
  t.run({"C: MAIL FROM:<a@example.org>", "S: 250 ok", "C: RCPT TO:<y@example.com>"});
  s.connection_lost("connection reset");
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.lost_on_reuse());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::transient);
  EXPECT_EQ(s.results()[0].reply, "connection reset");
}

TEST(ClientSessionReuse, A421OrARefusedRsetEndsTheConnection) {
  {
    ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "x\r\n");
    Transcript t(s);
    // RFC 5321 §3.8: 421 means the server closes: QUIT, never RSET.
    t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>", "S: 250 ok",
           "C: RCPT TO:<x@example.com>", "S: 421 4.3.2 shutting down", "C: QUIT"});
    EXPECT_FALSE(s.idle());
    EXPECT_FALSE(s.lost_on_reuse());  // the first transaction: an ordinary deferral
  }
  {
    ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
    Transcript t(s);
    t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>", "S: 250 ok",
           "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA", "S: 354 go", "C: one", "C: .", "S: 250 ok",
           "C: RSET", "S: 500 what?", "C: QUIT"});
    EXPECT_FALSE(s.idle());
    EXPECT_EQ(s.results()[0].status, RecipientStatus::delivered);  // decided before the RSET
    s.connection_lost("closed");
    EXPECT_TRUE(s.done());
    EXPECT_EQ(s.results()[0].status, RecipientStatus::delivered);
  }
}

TEST(ClientSessionReuse, UnsolicitedWordsWhileIdleEndTheSession) {
  ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript t(s);
  first_message(s, t);
  s.receive("421 4.4.2 mx closing idle connection\r\n");
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.idle());
  EXPECT_EQ(s.results()[0].status, RecipientStatus::delivered);
}

TEST(ClientSessionReuse, RefusedBeforeMailNeedsNoRset) {
  ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250-mx", "S: 250 SIZE 10", "C: MAIL FROM:<a@example.org> SIZE=5",
         "S: 250 ok", "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA", "S: 354 go", "C: one", "C: .",
         "S: 250 ok", "C: RSET", "S: 250 ok"});
  ASSERT_TRUE(s.idle());
  // Too large for this server: refused here, nothing sent, still idle.
  s.next_transaction({"a@example.org", {"x@example.com"}}, std::string(20, 'x'));
  EXPECT_TRUE(s.idle());
  EXPECT_EQ(t.take_unmatched(), "");
  EXPECT_EQ(s.results()[0].status, RecipientStatus::permanent);
  EXPECT_EQ(s.results()[0].enhanced, "5.3.4");
}

TEST(ClientSessionReuse, RsetHasItsOwnTimeoutAndWithoutReuseTheSessionQuits) {
  ClientSession s(reuse_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript t(s);
  t.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>", "S: 250 ok",
         "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA", "S: 354 go", "C: one", "C: .", "S: 250 ok",
         "C: RSET"});
  EXPECT_EQ(s.timeout(), std::chrono::seconds(20));

  ClientSession once(testing::plain_options(), {"a@example.org", {"x@example.com"}}, "one\r\n");
  Transcript o(once);
  o.run({"S: 220 mx", "C: EHLO out.example.org", "S: 250 mx", "C: MAIL FROM:<a@example.org>", "S: 250 ok",
         "C: RCPT TO:<x@example.com>", "S: 250 ok", "C: DATA", "S: 354 go", "C: one", "C: .", "S: 250 ok",
         "C: QUIT"});
  EXPECT_FALSE(once.idle());
}

}  // namespace
}  // namespace postern::smtp::client
