// The case-insensitive comparison form (imap/search/casefold.hpp).
#include <gtest/gtest.h>

#include "imap/search/casefold.hpp"

namespace postern::imap {
namespace {

TEST(CasefoldTest, FoldsAsciiLatinGreekCyrillic) {
  struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"Hello WORLD 123 [x]", "hello world 123 [x]"},
      {"CAFÉ", "cafe\xcc\x81"},        // É -> e + U+0301 (NFD)
      {"café", "cafe\xcc\x81"},        // é too: both spellings meet
      {"cafe\xcc\x81", "cafe\xcc\x81"},  // already decomposed
      {"ÅNGSTRÖM", "a\xcc\x8angstro\xcc\x88m"},
      {"Straße", "straße"},            // simple folding keeps ß
      {"ſ", "s"},
      {"ΣΟΦΊΑ ς", "σοφι\xcc\x81" "α σ"},
      {"ПРИВЕТ Ёж", "привет е\xcc\x88ж"},
      {"Ÿ", "y\xcc\x88"},
      {"日本語 ÷ ×", "日本語 ÷ ×"},     // outside the table, or not letters: unchanged
      {"\xff\xfe bad", "\xff\xfe bad"},  // invalid octets kept
  };
  for (const auto& c : cases) EXPECT_EQ(casefolded(c.in), c.out) << c.in;
}

TEST(CasefoldTest, GrowsPastTheInputSize) {
  std::string in;
  for (int i = 0; i < 1000; ++i) in += "ǕÉ";  // each two octets fold to up to six
  std::string out = casefolded(in);
  EXPECT_EQ(out.size(), 1000u * (5 + 3));
  std::string prefix = "x";
  append_casefolded(prefix, "Ǖ");
  EXPECT_EQ(prefix, "xu\xcc\x88\xcc\x84");
}

TEST(CasefoldTest, ContainsFolded) {
  EXPECT_TRUE(contains_folded(casefolded("Re: Café au lait"), casefolded("CAFÉ")));
  EXPECT_TRUE(contains_folded("abc", ""));
  EXPECT_TRUE(contains_folded("", ""));
  EXPECT_FALSE(contains_folded("ab", "abc"));
  EXPECT_FALSE(contains_folded(casefolded("résumé"), casefolded("resume")));  // the marks are in the way
  EXPECT_TRUE(contains_folded(casefolded("résumé"), casefolded("re")));
}

}  // namespace
}  // namespace postern::imap
