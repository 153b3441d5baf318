// UTF-8 validation and the ASCII check, around the eight-octet fast path.
#include <gtest/gtest.h>

#include <string>

#include "core/strings.hpp"

namespace postern {
namespace {

TEST(StringsTest, Utf8ValidationAtEveryAlignment) {
  for (size_t pad = 0; pad < 20; ++pad) {
    std::string a(pad, 'x');
    EXPECT_TRUE(is_valid_utf8(a)) << pad;
    EXPECT_TRUE(is_ascii(a)) << pad;
    EXPECT_TRUE(is_valid_utf8(a + "\xc3\xa9" + a)) << pad;        // é
    EXPECT_TRUE(is_valid_utf8(a + "\xf0\x9f\x98\x80" + a)) << pad;  // U+1F600
    EXPECT_FALSE(is_ascii(a + "\xc3\xa9")) << pad;
    EXPECT_FALSE(is_valid_utf8(a + "\xe9" + a)) << pad;           // Latin-1 é
    EXPECT_FALSE(is_valid_utf8(a + "\xc3")) << pad;               // truncated
    EXPECT_FALSE(is_valid_utf8(a + "\xc0\xaf")) << pad;           // overlong
    EXPECT_FALSE(is_valid_utf8(a + "\xed\xa0\x80")) << pad;       // surrogate
    EXPECT_FALSE(is_valid_utf8(a + "\xf4\x90\x80\x80")) << pad;   // above U+10FFFF
  }
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_ascii(""));
}

}  // namespace
}  // namespace postern
