// Tests of the Received: header builder (RFC 5321 §4.4, RFC 3848, RFC 6531
// §3.7.3, RFC 5322 §3.3 date) and the DATA decoder on its own.
#include <gtest/gtest.h>

#include "smtp/server/data_reader.hpp"
#include "smtp/server/received_header.hpp"

namespace postern::smtp {
namespace {

TEST(ReceivedHeader, ProtocolTypes) {
  // RFC 3848 and RFC 6531 §3.7.3 "with" values
  EXPECT_EQ(protocol_type(false, false, false, false), "SMTP");
  EXPECT_EQ(protocol_type(true, false, false, false), "ESMTP");
  EXPECT_EQ(protocol_type(true, false, true, false), "ESMTPS");
  EXPECT_EQ(protocol_type(true, false, false, true), "ESMTPA");
  EXPECT_EQ(protocol_type(true, false, true, true), "ESMTPSA");
  EXPECT_EQ(protocol_type(true, true, false, false), "UTF8SMTP");
  EXPECT_EQ(protocol_type(true, true, true, false), "UTF8SMTPS");
  EXPECT_EQ(protocol_type(true, true, true, true), "UTF8SMTPSA");
}

TEST(ReceivedHeader, Dates) {
  // RFC 5322 §3.3 date-time, always UTC here.
  EXPECT_EQ(rfc5322_date_utc(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date_utc(1700000000), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(rfc5322_date_utc(951782400), "Tue, 29 Feb 2000 00:00:00 +0000");
}

TEST(ReceivedHeader, Ipv6AndSingleRecipient) {
  ReceivedInfo info{"client.example", "2001:db8::1", "mx.example.net", "ESMTPS", "ABC", "bob@example.net",
                    1700000000};
  // RFC 5321 §4.4: TCP-info is an address-literal, IPv6 with its tag.
  EXPECT_EQ(build_received_header(info),
            "Received: from client.example (unknown [IPv6:2001:db8::1])\r\n"
            "\tby mx.example.net (Postern) with ESMTPS id ABC\r\n"
            "\tfor <bob@example.net>; Tue, 14 Nov 2023 22:13:20 +0000\r\n");
}

TEST(ReceivedHeader, LongClausesAreFolded) {
  std::string helo(70, 'h');
  std::string recipient = std::string(60, 'r') + "@example.net";
  ReceivedInfo info{helo, "192.0.2.1", "mx.example.net", "ESMTP", "ABC", recipient, 1700000000};
  std::string header = build_received_header(info);
  EXPECT_EQ(header, "Received: from " + helo + "\r\n\t(unknown [192.0.2.1])\r\n" +
                        "\tby mx.example.net (Postern) with ESMTP id ABC\r\n" + "\tfor <" + recipient +
                        ">;\r\n\tTue, 14 Nov 2023 22:13:20 +0000\r\n");
  // Every line is short enough and every continuation starts with a TAB.
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 998u);  // RFC 5322 §2.1.1
    if (start > 0) {
      EXPECT_EQ(header[start], '\t');
    }
    start = end + 2;
  }
}

TEST(DataReader, KeepsAtMostTwoOctetsOfAPartialLine) {
  MessageBuffer message(1000);
  DataReader reader(1000);
  bool done = false;
  EXPECT_EQ(reader.consume(".", message, done), 0u);
  EXPECT_EQ(reader.consume(".\r", message, done), 0u);
  EXPECT_EQ(reader.consume("..a", message, done), 3u);  // unstuffed: ".a"
  EXPECT_EQ(reader.consume("b\r", message, done), 1u);
  EXPECT_EQ(reader.consume("\r\n.\r\n", message, done), 5u);
  EXPECT_TRUE(done);
  EXPECT_EQ(message.take(), ".ab\r\n");
}

TEST(DataReader, CountsButDropsContentPastTheLimit) {
  MessageBuffer message(10);
  DataReader reader(1000);
  bool done = false;
  std::string data = std::string(100, 'x') + "\r\n.\r\n";
  EXPECT_EQ(reader.consume(data, message, done), data.size());
  EXPECT_TRUE(done);
  EXPECT_TRUE(message.too_big());
  EXPECT_EQ(message.size(), 102u);
  EXPECT_EQ(message.take(), "");
}

}  // namespace
}  // namespace postern::smtp
