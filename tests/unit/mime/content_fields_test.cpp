// Content-Type / Content-Disposition / Content-Language and RFC 2231 parameters.
#include <gtest/gtest.h>

#include "mime/content_fields.hpp"

namespace postern::mime {
namespace {

TEST(ContentType, TypeSubtypeAndParamsAreLowerCasedValuesKept) {
  // RFC 2045 §5.1: type, subtype and parameter names are case-insensitive.
  auto ct = parse_content_type(" Text/HTML; Charset=\"UTF-8\"; format=flowed (comment)");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->type, "text");
  EXPECT_EQ(ct->subtype, "html");
  ASSERT_EQ(ct->params.size(), 2u);
  EXPECT_EQ(ct->params[0].name, "charset");
  EXPECT_EQ(ct->params[0].value, "UTF-8");
  EXPECT_EQ(ct->params[1].name, "format");
  EXPECT_EQ(ct->params[1].value, "flowed");
}

TEST(ContentType, CommentsAndFoldingAnywhere) {
  auto ct = parse_content_type(" multipart (x) / (y) mixed;\r\n\tboundary=\"a b\\\"c\"");
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->subtype, "mixed");
  ASSERT_EQ(ct->params.size(), 1u);
  EXPECT_EQ(ct->params[0].value, "a b\"c");
}

TEST(ContentType, InvalidIsNullopt) {
  // RFC 2045 §5.2: the caller then defaults to text/plain; charset=us-ascii.
  EXPECT_FALSE(parse_content_type(""));
  EXPECT_FALSE(parse_content_type("text"));
  EXPECT_FALSE(parse_content_type("text/"));
  EXPECT_FALSE(parse_content_type("/plain"));
  EXPECT_FALSE(parse_content_type("\"text/plain\""));
}

TEST(ContentType, LenientUnquotedValuesAndGarbage) {
  // Unquoted tspecials in a value (seen from real mailers) are accepted.
  auto ct = parse_content_type("multipart/alternative; boundary=----=_Part_1_2.3; ;; junk; x=; =y; name=a");
  ASSERT_TRUE(ct);
  ASSERT_EQ(ct->params.size(), 3u);
  EXPECT_EQ(ct->params[0].value, "----=_Part_1_2.3");
  EXPECT_EQ(ct->params[1].name, "x");
  EXPECT_EQ(ct->params[1].value, "");
  EXPECT_EQ(ct->params[2].name, "name");
}

TEST(Rfc2231, ContinuationsAreJoined) {
  // RFC 2231 §3 example.
  auto ps = parse_params("; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].name, "url");
  EXPECT_EQ(ps[0].value, "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
  EXPECT_EQ(ps[0].decoded, ps[0].value);
}

TEST(Rfc2231, CharsetAndLanguage) {
  // RFC 2231 §4 example: the IMAP form keeps the encoding (as Dovecot sends it).
  auto ps = parse_params("; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].name, "title*");
  EXPECT_EQ(ps[0].value, "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
  EXPECT_EQ(ps[0].decoded, "This is ***fun***");
}

TEST(Rfc2231, MixedContinuationsPercentEncodeThePlainSegments) {
  // RFC 2231 §4.1 example.
  auto ps = parse_params(
      "; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20;"
      " title*2=\"isn't it!\"");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].name, "title*");
  EXPECT_EQ(ps[0].value, "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it!");
  EXPECT_EQ(ps[0].decoded, "This is even more ***fun*** isn't it!");
}

TEST(Rfc2231, OutOfOrderSegmentsGapsAndUtf8) {
  auto ps = parse_params("; a=1; filename*1*=%C3%A9.pdf; filename*0*=UTF-8''r%C3%A9sum; filename*3=lost; b=2");
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].name, "a");
  EXPECT_EQ(ps[1].name, "filename*");
  EXPECT_EQ(ps[1].decoded, "r\xC3\xA9sum\xC3\xA9.pdf");  // *3 follows a gap: dropped
  EXPECT_EQ(ps[2].name, "b");
}

TEST(Rfc2231, Latin1AndIconvCharsets) {
  auto ps = parse_params("; n*=iso-8859-1''caf%E9; m*=windows-1252''%80; u*=x-unknown-cs''a%E9");
  ASSERT_EQ(ps.size(), 3u);
  EXPECT_EQ(ps[0].decoded, "caf\xC3\xA9");
  EXPECT_EQ(ps[1].decoded, "\xE2\x82\xAC");  // euro sign, via iconv
  EXPECT_EQ(ps[2].decoded, "a\xC3\xA9");     // unknown charset: raw octets, Latin-1 fallback
}

TEST(Rfc2231, NoSectionZeroIsDropped) {
  auto ps = parse_params("; name*1=b; name*2=c");
  EXPECT_TRUE(ps.empty());
}

TEST(Params, EncodedWordInQuotedFilenameIsDecodedForDisplayOnly) {
  auto ps = parse_params("; filename=\"=?UTF-8?B?w6kudHh0?=\"");
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].value, "=?UTF-8?B?w6kudHh0?=");
  EXPECT_EQ(ps[0].decoded, "\xC3\xA9.txt");
}

TEST(Params, FindMatchesExtendedName) {
  auto ps = parse_params("; filename*=utf-8''x");
  ASSERT_NE(find_param(ps, "FILENAME"), nullptr);
  EXPECT_EQ(find_param(ps, "name"), nullptr);
}

TEST(ContentDisposition, TypeAndParams) {
  // RFC 2183 §2.
  auto d = parse_content_disposition("Attachment; filename=genome.jpeg;\r\n modification-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, "attachment");
  ASSERT_EQ(d->params.size(), 2u);
  EXPECT_EQ(d->params[1].value, "Wed, 12 Feb 1997 16:29:51 -0500");
  EXPECT_FALSE(parse_content_disposition("  ; x=y"));
}

TEST(ContentLanguage, CommaSeparatedTags) {
  // RFC 3282 §2.
  auto l = parse_content_language(" en (English), fr-CA ,,de");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], "en");
  EXPECT_EQ(l[1], "fr-CA");
  EXPECT_EQ(l[2], "de");
}

}  // namespace
}  // namespace postern::mime
