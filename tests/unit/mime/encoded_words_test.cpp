// RFC 2047 encoded-word decoding to UTF-8.
#include <gtest/gtest.h>

#include "mime/charset.hpp"
#include "mime/encoded_words.hpp"

namespace postern::mime {
namespace {

struct Case {
  const char* raw;
  const char* decoded;
};

TEST(EncodedWords, Rfc2047Section8Examples) {
  // RFC 2047 §8: whitespace between adjacent encoded-words is dropped,
  // whitespace between an encoded-word and text is kept.
  const Case cases[] = {
      {"(=?ISO-8859-1?Q?a?=)", "(a)"},
      {"(=?ISO-8859-1?Q?a?= b)", "(a b)"},
      {"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
      {"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"},
      {"(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"},
      {"(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
      {"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
      {"=?US-ASCII?Q?Keith_Moore?=", "Keith Moore"},
      {"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "Keld J\xC3\xB8rn Simonsen"},
      {"=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xC3\xA9 Pirard"},
      {"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=", "If you can read this yo"},
  };
  for (const auto& c : cases) EXPECT_EQ(decode_encoded_words(c.raw), c.decoded) << c.raw;
}

TEST(EncodedWords, Utf8SplitAcrossWordsAndLanguageSuffix) {
  // "é" split over two words; RFC 2231 §5 "charset*lang".
  EXPECT_EQ(decode_encoded_words("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?="), "caf\xC3\xA9");
  EXPECT_EQ(decode_encoded_words("=?US-ASCII*EN?Q?Keith?="), "Keith");
}

TEST(EncodedWords, IconvCharsets) {
  EXPECT_EQ(decode_encoded_words("=?koi8-r?B?8NLJ18XU?="), "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(decode_encoded_words("=?windows-1252?Q?=80?="), "\xE2\x82\xAC");
}

TEST(EncodedWords, MalformedAndUnknownAreKept) {
  const Case cases[] = {
      {"=?x-no-such-charset?Q?abc?=", "=?x-no-such-charset?Q?abc?="},
      {"=?utf-8?X?abc?=", "=?utf-8?X?abc?="},
      {"=?utf-8?Q?abc", "=?utf-8?Q?abc"},
      {"=??Q?abc?=", "=??Q?abc?="},
      {"a =?utf-8?q?b c?= d", "a =?utf-8?q?b c?= d"},
      {"=?utf-8?q?a=ZZ=?=", "a=ZZ="},
      {"plain text", "plain text"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(decode_encoded_words(c.raw), c.decoded) << c.raw;
}

TEST(EncodedWords, RawEightBitFallsBackToLatin1AndInvalidUtf8IsReplaced) {
  EXPECT_EQ(decode_encoded_words("caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(decode_encoded_words("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(decode_encoded_words("=?utf-8?b?/w==?="), "\xEF\xBF\xBD");
}

TEST(Charset, Conversions) {
  EXPECT_EQ(charset_to_utf8("ISO-8859-1", "\xE9"), "\xC3\xA9");
  EXPECT_EQ(charset_to_utf8("iso-8859-15", "\xA4"), "\xE2\x82\xAC");
  EXPECT_FALSE(charset_to_utf8("x-bogus", "a"));
  EXPECT_FALSE(charset_to_utf8("", "a"));
  EXPECT_EQ(charset_to_utf8("shift_jis", "\x82\xA0"), "\xE3\x81\x82");
  // A truncated multi-octet sequence at the end must not loop or crash.
  EXPECT_EQ(charset_to_utf8("shift_jis", "a\x82"), "a\xEF\xBF\xBD");
}

TEST(Base64, Lenient) {
  EXPECT_EQ(decode_base64_lenient("aGVs\r\nbG8="), "hello");
  EXPECT_EQ(decode_base64_lenient("aGVsbG8"), "hello");
  EXPECT_EQ(decode_base64_lenient("!!"), "");
}

}  // namespace
}  // namespace postern::mime
