// mbox splitting and From_ quoting (RFC 4155, mboxrd/mboxo), status headers.
#include "transfer/proto/mbox.hpp"

#include <gtest/gtest.h>

namespace postern::transfer {
namespace {

TEST(Mbox, SplitsAtFromLinesAfterEmptyLines) {
  const std::string file =
      "From alice@example.org Sat Jan  3 01:05:34 1996\n"
      "Subject: one\n"
      "\n"
      "body\n"
      "From here on, a body line that is not a separator\n"
      "\n"
      "From the desk of nobody: also not a separator (no date)\n"
      "\n"
      "From MAILER-DAEMON Thu Nov 23 10:11:12 2026\n"
      "Subject: two\n"
      "\n"
      "x\n"
      "\n";
  auto msgs = split_mbox(file);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].raw,
            "Subject: one\n\nbody\nFrom here on, a body line that is not a separator\n\n"
            "From the desk of nobody: also not a separator (no date)\n");
  EXPECT_EQ(msgs[1].raw, "Subject: two\n\nx\n");
  EXPECT_EQ(msgs[0].from_line, "alice@example.org Sat Jan  3 01:05:34 1996");
}

TEST(Mbox, FromLineDates) {
  auto f = parse_from_line("alice@example.org Sat Jan  3 01:05:34 1996");
  EXPECT_EQ(f.sender, "alice@example.org");
  EXPECT_EQ(f.date, 820631134);
  EXPECT_EQ(parse_from_line("x Sat Jan 3 01:05 1996").date, 820631100);       // no seconds
  EXPECT_EQ(parse_from_line("x Sat Jan 3 01:05:34 1996 +0100").date, 820627534);
  EXPECT_EQ(parse_from_line("x Sat Jan 3 01:05:34 +0100 1996").date, 820627534);
  EXPECT_FALSE(parse_from_line("x").date);
  EXPECT_FALSE(parse_from_line("the desk of nobody").date);
  EXPECT_EQ(format_from_line("a@b", 820631134), "From a@b Wed Jan  3 01:05:34 1996\n");
  EXPECT_EQ(parse_from_line(format_from_line("", 1700000000).substr(5)).date, 1700000000);
}

TEST(Mbox, MboxrdUnquotesOneLevel) {
  EXPECT_EQ(unquote_from(">From a\n>>From b\nFrom c\n>>>From d\n> From e\n", MboxFormat::mboxrd),
            "From a\n>From b\nFrom c\n>>From d\n> From e\n");
}

TEST(Mbox, MboxoUnquotesOnlySingleQuote) {
  EXPECT_EQ(unquote_from(">From a\n>>From b\n", MboxFormat::mboxo), "From a\n>>From b\n");
}

TEST(Mbox, QuoteIsTheInverseOfMboxrdUnquote) {
  const std::string texts[] = {"From a\n>From b\n>>From c\nplain\n", "no newline at end\nFrom x", ""};
  for (const auto& t : texts) EXPECT_EQ(unquote_from(quote_from(t), MboxFormat::mboxrd), t);
  EXPECT_EQ(quote_from("From a\n>From b\nFromage\n"), ">From a\n>>From b\nFromage\n");
}

TEST(Mbox, QuotedMessagesSurviveSplitting) {
  const std::string body = "Subject: s\n\nFrom me\n\nFrom x Sat Jan  3 01:05:34 1996\n>From y\n";
  std::string file = format_from_line("a@b", 0) + quote_from(body) + "\n" + format_from_line("c@d", 1) + "Subject: 2\n\nz\n\n";
  auto msgs = split_mbox(file);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(unquote_from(msgs[0].raw, MboxFormat::mboxrd), body);
}

TEST(Mbox, StatusHeadersToFlagsAndBack) {
  std::vector<std::string> flags;
  const std::string msg =
      "Subject: s\nStatus: RO\nX-Status: AF\nX-Keywords: $Label1 work\nX-UID: 7\nX-Other: kept\n\nStatus: body\n";
  EXPECT_EQ(strip_status_headers(msg, flags), "Subject: s\nX-Other: kept\n\nStatus: body\n");
  EXPECT_EQ(flags, (std::vector<std::string>{"\\Seen", "\\Answered", "\\Flagged", "$Label1", "work"}));
  EXPECT_EQ(status_headers(flags), "Status: RO\nX-Status: AF\nX-Keywords: $Label1 work\n");
  EXPECT_EQ(status_headers({}), "Status: O\n");
}

TEST(Mbox, LineEnds) {
  EXPECT_EQ(to_crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
  EXPECT_EQ(crlf_size("a\nb\r\nc\n"), 9u);
  EXPECT_EQ(to_lf("a\r\nb\r\n\rc"), "a\nb\n\rc");
}

TEST(Mbox, LeadingGarbageIsReported) {
  bool garbage = false;
  auto msgs = split_mbox("junk\n\nFrom a Sat Jan  3 01:05:34 1996\n\nx\n", &garbage);
  EXPECT_TRUE(garbage);
  EXPECT_EQ(msgs.size(), 1u);
}

}  // namespace
}  // namespace postern::transfer
