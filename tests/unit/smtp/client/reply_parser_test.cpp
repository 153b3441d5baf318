// RFC 5321 §4.2 reply parsing for the outbound client.
#include "smtp/client/reply_parser.hpp"

#include <gtest/gtest.h>

namespace postern::smtp::client {
namespace {

TEST(ReplyParser, SingleLineWithEnhancedCode) {
  ReplyParser p;
  p.feed("550 5.1.1 <x@example.com>: no such user\r\n");
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 550);
  EXPECT_EQ(r->enhanced, "5.1.1");
  ASSERT_EQ(r->lines.size(), 1u);
  EXPECT_EQ(r->lines[0], "<x@example.com>: no such user");
  EXPECT_TRUE(r->permanent());
  EXPECT_EQ(r->summary(), "550 5.1.1 <x@example.com>: no such user");
}

TEST(ReplyParser, MultilineArrivingByteByByte) {
  std::string wire = "250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 1000\r\n";
  ReplyParser p;
  std::optional<ServerReply> r;
  for (char c : wire) {
    EXPECT_FALSE(r.has_value());
    p.feed(std::string_view(&c, 1));
    r = p.next();
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, 250);
  EXPECT_EQ(r->lines, (std::vector<std::string>{"mx.example.com", "PIPELINING", "SIZE 1000"}));
  EXPECT_FALSE(p.next());
  EXPECT_FALSE(p.failed());
}

TEST(ReplyParser, ContinuationLinesDropRepeatedEnhancedCode) {
  ReplyParser p;
  p.feed("452-4.5.3 too many\r\n452 4.5.3 recipients\r\n");
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->enhanced, "4.5.3");
  EXPECT_EQ(r->lines, (std::vector<std::string>{"too many", "recipients"}));
}

TEST(ReplyParser, BareCodeAndBareLf) {
  ReplyParser p;
  p.feed("250\n354 go ahead\n");
  auto a = p.next();
  auto b = p.next();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->code, 250);
  EXPECT_EQ(a->lines, std::vector<std::string>{""});
  EXPECT_EQ(b->code, 354);
}

TEST(ReplyParser, EnhancedCodeClassMustMatch) {
  ReplyParser p;
  p.feed("250 5.1.1 odd\r\n");
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->enhanced, "");
  EXPECT_EQ(r->lines[0], "5.1.1 odd");
}

TEST(ReplyParser, Malformed) {
  for (std::string bad : {"25 x\r\n", "abc ok\r\n", "250x\r\n", "199 low\r\n", "600 high\r\n",
                          "250-a\r\n251 b\r\n"}) {
    ReplyParser p;
    p.feed(bad);
    EXPECT_FALSE(p.next()) << bad;
    EXPECT_TRUE(p.failed()) << bad;
  }
}

TEST(ReplyParser, LimitsLineLengthAndLineCount) {
  ReplyParser a;
  a.feed("250 " + std::string(kMaxReplyLineLength, 'x'));
  EXPECT_FALSE(a.next());
  EXPECT_TRUE(a.failed());
  ReplyParser b;
  std::string many;
  for (size_t i = 0; i <= kMaxReplyLines; ++i) many += "250-x\r\n";
  b.feed(many);
  EXPECT_FALSE(b.next());
  EXPECT_TRUE(b.failed());
}

TEST(ReplyParser, ControlCharactersMasked) {
  ReplyParser p;
  p.feed(std::string("550 bad\0byte\x1b", 13) + "\r\n");
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->lines[0], "bad?byte?");
}

TEST(EnhancedCode, Shapes) {
  EXPECT_EQ(enhanced_code_length("2.0.0 ok"), 5u);
  EXPECT_EQ(enhanced_code_length("5.7.26"), 6u);
  EXPECT_EQ(enhanced_code_length("4.123.456 x"), 9u);
  EXPECT_EQ(enhanced_code_length("3.0.0 x"), 0u);
  EXPECT_EQ(enhanced_code_length("5.1234.0"), 0u);
  EXPECT_EQ(enhanced_code_length("5.1.1x"), 0u);
}

}  // namespace
}  // namespace postern::smtp::client
