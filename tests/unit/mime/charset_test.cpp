// Body text to UTF-8 for SEARCH (mime/charset.hpp text_to_utf8).
#include <gtest/gtest.h>

#include "mime/charset.hpp"

namespace postern::mime {
namespace {

TEST(CharsetTest, TextToUtf8) {
  std::string scratch;
  std::string_view utf8 = "h\xc3\xa9";
  EXPECT_EQ(text_to_utf8("utf-8", utf8, scratch).data(), utf8.data());  // no copy
  EXPECT_EQ(text_to_utf8("", utf8, scratch).data(), utf8.data());
  EXPECT_EQ(text_to_utf8("US-ASCII", "h\xe9", scratch), "h\xc3\xa9");  // 8-bit junk read as Latin-1
  EXPECT_EQ(text_to_utf8("iso-8859-1", "h\xe9", scratch), "h\xc3\xa9");
  EXPECT_EQ(text_to_utf8("windows-1252", "\x80", scratch), "\xe2\x82\xac");  // through iconv
  EXPECT_EQ(text_to_utf8("x-no-such-charset", "h\xe9", scratch), "h\xc3\xa9");
  EXPECT_EQ(text_to_utf8("utf-8", "bad \xff", scratch), "bad \xc3\xbf");
}

}  // namespace
}  // namespace postern::mime
