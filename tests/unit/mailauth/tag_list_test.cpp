// RFC 6376 §3.2 tag lists and the base64 used in their values.
#include "mailauth/tag_list.hpp"

#include <gtest/gtest.h>

#include "mailauth/base64.hpp"

namespace postern::mailauth {
namespace {

TEST(TagList, ParsesNamesAndValues) {
  auto tags = parse_tag_list(" v=1;\r\n\ta = rsa-sha256 ; h=from : to;\tz= ; ");
  ASSERT_TRUE(tags) << tags.error().message;
  ASSERT_EQ(tags->size(), 4u);
  EXPECT_EQ((*tags)[0].name, "v");
  EXPECT_EQ((*tags)[0].value, "1");
  EXPECT_EQ((*tags)[1].name, "a");
  EXPECT_EQ((*tags)[1].value, "rsa-sha256");
  EXPECT_EQ((*tags)[2].value, "from : to");  // inner whitespace kept
  EXPECT_EQ((*tags)[3].value, "");           // empty values are allowed
  EXPECT_EQ(find_tag(*tags, "h")->value, "from : to");
  EXPECT_EQ(find_tag(*tags, "x"), nullptr);
}

TEST(TagList, FoldingInsideValueIsUnfolded) {
  auto tags = parse_tag_list("b=abc\r\n def\r\n\tghi");
  ASSERT_TRUE(tags);
  EXPECT_EQ((*tags)[0].value, "abc def\tghi");
  EXPECT_EQ(strip_whitespace((*tags)[0].value), "abcdefghi");
}

TEST(TagList, EmptyInputIsEmptyList) {
  auto tags = parse_tag_list("");
  ASSERT_TRUE(tags);
  EXPECT_TRUE(tags->empty());
  ASSERT_TRUE(parse_tag_list("  \r\n "));
}

TEST(TagList, NamesAreCaseSensitive) {
  auto tags = parse_tag_list("b=1; B=2");
  ASSERT_TRUE(tags);
  EXPECT_EQ(find_tag(*tags, "B")->value, "2");
}

struct BadCase {
  std::string_view input;
  std::string_view message_part;
};

TEST(TagList, Errors) {
  const BadCase cases[] = {
      {"v=1; v=1", "duplicate tag 'v'"},        // §3.2: duplicates are an error
      {"v=1;; a=b", "empty tag"},
      {";", "empty tag"},
      {"novalue", "tag without '='"},
      {"=x", "invalid tag name ''"},
      {"1a=x", "invalid tag name '1a'"},
      {"a-b=x", "invalid tag name 'a-b'"},
      {"a b=x", "invalid tag name 'a b'"},
      {"a=x\x01y", "invalid character in value of tag 'a'"},
      {"a=x\x7fy", "invalid character in value of tag 'a'"},
  };
  for (const auto& c : cases) {
    auto tags = parse_tag_list(c.input);
    ASSERT_FALSE(tags) << c.input;
    EXPECT_EQ(tags.error().kind, ErrorKind::syntax);
    EXPECT_NE(tags.error().message.find(c.message_part), std::string::npos) << c.input << ": " << tags.error().message;
  }
}

TEST(TagList, TooManyTags) {
  std::string many;
  for (size_t i = 0; i <= kMaxTags; ++i) many += "t" + std::to_string(i) + "=1;";
  EXPECT_FALSE(parse_tag_list(many));
}

TEST(Base64, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 70; ++i) {
    auto decoded = base64_decode(base64_encode(data));
    ASSERT_TRUE(decoded) << i;
    EXPECT_EQ(*decoded, data);
    data += static_cast<char>(i * 37 + 11);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");  // RFC 4648 §10
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
}

TEST(Base64, IgnoresWhitespaceRejectsGarbage) {
  EXPECT_EQ(base64_decode(" Zm9v\r\n\tYmE= "), "fooba");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Zm9"));       // truncated group
  EXPECT_FALSE(base64_decode("Zm=9"));      // data after padding
  EXPECT_FALSE(base64_decode("Zg==="));     // too much padding
  EXPECT_FALSE(base64_decode("="));
}

}  // namespace
}  // namespace postern::mailauth
