// pop3/command: keyword and argument splitting, message numbers (RFC 1939 §3).
#include <gtest/gtest.h>

#include "pop3/command.hpp"
#include "pop3/maildrop.hpp"

namespace postern::pop3 {
namespace {

TEST(Pop3Command, KeywordIsCaseInsensitiveAndArgumentsSplit) {
  auto c = parse_command_line("top 1 10");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->keyword, "TOP");
  EXPECT_EQ(c->args, (std::vector<std::string>{"1", "10"}));
  EXPECT_EQ(c->rest, "1 10");
}

TEST(Pop3Command, PassKeepsSpacesInRest) {
  auto c = parse_command_line("PASS my secret  pass");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->rest, "my secret  pass");
}

TEST(Pop3Command, RejectsBadKeywords) {
  for (std::string_view bad : {"", "AB", "ABCDE", "US3R x", " USER", "\x01\x02\x03"})
    EXPECT_FALSE(parse_command_line(bad)) << bad;
}

TEST(Pop3Command, MessageNumbers) {
  EXPECT_EQ(parse_message_number("1"), 1u);
  EXPECT_EQ(parse_message_number("007"), 7u);
  EXPECT_EQ(parse_message_number("99999999999999999999"), UINT32_MAX);
  for (std::string_view bad : {"", "0", "-1", "+1", "1a", " 1"}) EXPECT_FALSE(parse_message_number(bad)) << bad;
  EXPECT_EQ(parse_line_count("0"), 0u);
  EXPECT_FALSE(parse_line_count("x"));
}

TEST(Pop3Maildrop, UniqueIdIsUidvalidityThenUidInHex) {
  // Dovecot's default pop3_uidl_format %08Xv%08Xu.
  EXPECT_EQ(unique_id(0x5f3a1b2c, 42), "5F3A1B2C0000002A");
}

}  // namespace
}  // namespace postern::pop3
