// The local delivery pipeline turns an accepted message into a store request.
#include <gtest/gtest.h>

#include "delivery/local_delivery.hpp"

namespace postern::delivery {
namespace {

TEST(LocalDelivery, OneInboxCopyPerAccountAndCachedSummary) {
  LocalMessage m;
  m.content =
      "Received: from x\r\n\tby y; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
      "From: Alice <alice@example.org>\r\nSubject: Quarterly\r\n report\r\n"
      "Message-ID: <abc@example.org>\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\nHi\r\n";
  m.return_path = "alice@example.org";
  m.accounts = {3, 7};
  m.received_at = 1700000100;
  auto d = prepare_local_delivery(m);
  ASSERT_EQ(d.targets.size(), 2u);
  EXPECT_EQ(d.targets[0].account_id, 3);
  EXPECT_EQ(d.targets[1].mailbox, "INBOX");
  EXPECT_EQ(d.summary.subject, "Quarterly report");
  EXPECT_EQ(d.summary.from, "Alice <alice@example.org>");
  EXPECT_EQ(d.summary.message_id, "<abc@example.org>");
  ASSERT_TRUE(d.summary.date.has_value());
  EXPECT_EQ(*d.summary.date, 1700000000);
  EXPECT_EQ(d.internal_date, 1700000100);
  EXPECT_EQ(d.return_path, "alice@example.org");
  EXPECT_EQ(d.content, m.content);
}

TEST(LocalDelivery, MissingAndOverlongHeadersAreTolerated) {
  std::string subject(5000, 'x');
  auto s = summarize("Subject: " + subject + "\r\n\r\n");
  EXPECT_EQ(s.subject.size(), 998u);
  EXPECT_TRUE(s.from.empty());
  EXPECT_FALSE(s.date.has_value());
  auto none = summarize("no headers at all");
  EXPECT_TRUE(none.subject.empty());
}

}  // namespace
}  // namespace postern::delivery
