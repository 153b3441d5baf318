// Part body decoding for reading text (mime/body_decoding.hpp) and the
// zone-keeping Date: parse (mime/header.hpp parse_zoned_date).
#include <gtest/gtest.h>

#include "mime/body_decoding.hpp"
#include "mime/header.hpp"

namespace postern::mime {
namespace {

std::string qp(std::string_view in) {
  std::string out;
  append_quoted_printable_decoded(out, in);
  return out;
}

TEST(BodyDecodingTest, QuotedPrintable) {
  struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"caf=C3=A9", "caf\xc3\xa9"},
      {"caf=c3=a9", "caf\xc3\xa9"},            // lower-case hex, as mailers write it
      {"soft=\r\nbreak", "softbreak"},
      {"soft=\nbreak", "softbreak"},
      {"soft=  \r\nbreak", "softbreak"},       // blanks after the "="
      {"pad   \r\nnext", "pad\r\nnext"},       // trailing blanks are padding (RFC 2045 §6.7 (3))
      {"pad \t", "pad"},
      {"in the  middle", "in the  middle"},
      {"a=3Db", "a=b"},
      {"bad=ZZ=", "bad=ZZ"},                   // a malformed "=" is kept; a final one is a soft break
      {"=4", "=4"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(qp(c.in), c.out) << c.in;
}

TEST(BodyDecodingTest, TransferDecodeCopiesOnlyWhenDecoding) {
  std::string scratch;
  std::string_view body = "plain text";
  EXPECT_EQ(transfer_decode("7bit", body, scratch).data(), body.data());
  EXPECT_EQ(transfer_decode("8bit", body, scratch).data(), body.data());
  EXPECT_EQ(transfer_decode("x-unknown", body, scratch).data(), body.data());
  EXPECT_EQ(transfer_decode("base64", "aGVs\r\nbG8=\r\n", scratch), "hello");
  EXPECT_EQ(transfer_decode("quoted-printable", "h=C3=A9", scratch), "h\xc3\xa9");
}

TEST(BodyDecodingTest, TextToUtf8) {
  std::string scratch;
  std::string_view utf8 = "h\xc3\xa9";
  EXPECT_EQ(text_to_utf8("utf-8", utf8, scratch).data(), utf8.data());  // no copy
  EXPECT_EQ(text_to_utf8("", utf8, scratch).data(), utf8.data());
  EXPECT_EQ(text_to_utf8("US-ASCII", "h\xe9", scratch), "h\xc3\xa9");  // 8-bit junk read as Latin-1
  EXPECT_EQ(text_to_utf8("iso-8859-1", "h\xe9", scratch), "h\xc3\xa9");
  EXPECT_EQ(text_to_utf8("windows-1252", "\x80", scratch), "\xe2\x82\xac");  // through iconv
  EXPECT_EQ(text_to_utf8("x-no-such-charset", "h\xe9", scratch), "h\xc3\xa9");
}

TEST(BodyDecodingTest, ZonedDate) {
  auto d = parse_zoned_date("Tue, 1 Jan 2030 23:30:00 -0500");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->unix_seconds, 1893456000 + 86400 + 4 * 3600 + 1800);
  EXPECT_EQ(d->zone_minutes, -300);
  EXPECT_EQ(parse_zoned_date("1 Jan 2030 10:00 +0130")->zone_minutes, 90);
  EXPECT_EQ(parse_zoned_date("1 Jan 2030 10:00 EDT")->zone_minutes, -240);
  EXPECT_EQ(parse_date("Tue, 1 Jan 2030 23:30:00 -0500"), d->unix_seconds);
  EXPECT_FALSE(parse_zoned_date("yesterday"));
}

}  // namespace
}  // namespace postern::mime
