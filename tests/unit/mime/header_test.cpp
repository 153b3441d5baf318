// Header section parsing, unfolding and RFC 5322 dates.
#include <gtest/gtest.h>

#include "mime/header.hpp"

namespace postern::mime {
namespace {

TEST(HeaderSection, SplitsFieldsAndFindsBody) {
  std::string m = "From: a@example.org\r\nSubject: hello\r\n world\r\nX-Empty:\r\n\r\nbody line\r\n";
  auto h = parse_header_section(m);
  ASSERT_EQ(h.fields.size(), 3u);
  EXPECT_EQ(h.fields[0].name, "From");
  EXPECT_EQ(h.fields[1].value, " hello\r\n world");
  EXPECT_EQ(unfold(h.fields[1].value), "hello world");
  EXPECT_EQ(h.fields[2].value, "");
  EXPECT_EQ(m.substr(h.body_offset), "body line\r\n");
  EXPECT_FALSE(h.malformed);
}

TEST(HeaderSection, FindIsCaseInsensitive) {
  auto h = parse_header_section("SUBJECT: x\r\nmessage-id: <1@x>\r\n\r\n");
  ASSERT_NE(find_field(h, "Subject"), nullptr);
  EXPECT_EQ(unfold(find_field(h, "Message-ID")->value), "<1@x>");
  EXPECT_EQ(find_field(h, "Date"), nullptr);
}

TEST(HeaderSection, BareLfLineEndsAreAccepted) {
  std::string m = "Subject: lf\nTo: b@x\n\nbody\n";
  auto h = parse_header_section(m);
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[0].value, " lf");
  EXPECT_EQ(m.substr(h.body_offset), "body\n");
}

TEST(HeaderSection, ObsoleteSpaceBeforeColon) {
  // RFC 5322 §4.5: obs-optional allows WSP between name and colon.
  auto h = parse_header_section("Subject : old style\r\n\r\n");
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(h.fields[0].name, "Subject");
  EXPECT_EQ(unfold(h.fields[0].value), "old style");
}

TEST(HeaderSection, NonHeaderLineStartsTheBody) {
  std::string m = "Subject: x\r\nthis is not a header\r\nmore\r\n";
  auto h = parse_header_section(m);
  EXPECT_TRUE(h.malformed);
  ASSERT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(m.substr(h.body_offset), "this is not a header\r\nmore\r\n");
}

TEST(HeaderSection, NoBodyAndEmptyMessage) {
  auto h = parse_header_section("Subject: only\r\n");
  EXPECT_EQ(h.fields.size(), 1u);
  EXPECT_EQ(h.body_offset, std::string("Subject: only\r\n").size());
  auto e = parse_header_section("");
  EXPECT_TRUE(e.fields.empty());
  EXPECT_EQ(e.body_offset, 0u);
}

TEST(HeaderSection, LeadingContinuationIsNotAField) {
  auto h = parse_header_section(" folded first\r\nSubject: x\r\n\r\n");
  EXPECT_TRUE(h.malformed);
  EXPECT_TRUE(h.fields.empty());
}

struct DateCase {
  const char* text;
  int64_t expected;
};

class DateParse : public ::testing::TestWithParam<DateCase> {};

TEST_P(DateParse, Parses) {
  auto d = parse_date(GetParam().text);
  ASSERT_TRUE(d.has_value()) << GetParam().text;
  EXPECT_EQ(*d, GetParam().expected) << GetParam().text;
}

// RFC 5322 §3.3 and the obsolete forms of §4.3; 1700000000 is
// Tue, 14 Nov 2023 22:13:20 +0000.
INSTANTIATE_TEST_SUITE_P(Rfc5322, DateParse,
                         ::testing::Values(DateCase{"Tue, 14 Nov 2023 22:13:20 +0000", 1700000000},
                                           DateCase{"14 Nov 2023 22:13:20 +0000", 1700000000},
                                           DateCase{"Tue, 14 Nov 2023 23:13:20 +0100", 1700000000},
                                           DateCase{"Tue, 14 Nov 2023 17:13:20 -0500", 1700000000},
                                           DateCase{"Tue, 14 Nov 2023 17:13:20 EST", 1700000000},
                                           DateCase{"Tue, 14 Nov 2023 22:13:20 GMT", 1700000000},
                                           DateCase{"Tue, 14 Nov 23 22:13:20 +0000", 1700000000},
                                           DateCase{"Tue, 14 Nov 2023 22:13 +0000", 1699999980},
                                           DateCase{"Tue, 14 Nov 2023 22:13:20 +0000 (UTC)", 1700000000},
                                           DateCase{"Thu, 1 Jan 1970 00:00:00 +0000", 0}));

TEST(DateParse, RejectsGarbage) {
  EXPECT_FALSE(parse_date("").has_value());
  EXPECT_FALSE(parse_date("yesterday").has_value());
  EXPECT_FALSE(parse_date("32 Nov 2023 10:00:00 +0000").has_value());
  EXPECT_FALSE(parse_date("14 Foo 2023 10:00:00 +0000").has_value());
  EXPECT_FALSE(parse_date("14 Nov 2023 25:00:00 +0000").has_value());
}

TEST(DateParse, UnterminatedCommentWithTrailingBackslash) {
  // Found by fuzz_mime_header: the escape skip stepped past the end.
  EXPECT_FALSE(parse_date("((\\").has_value());
  EXPECT_FALSE(parse_date("Tue, (x\\").has_value());
}

TEST(DateFormat, RoundTrips) {
  EXPECT_EQ(format_date(1700000000), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(*parse_date(format_date(1234567890)), 1234567890);
}

}  // namespace
}  // namespace postern::mime

namespace postern::mime {
namespace {

// SENT* searches need the zone as written (RFC 9051 §6.4.4).
TEST(HeaderZonedDate, KeepsTheZone) {
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
