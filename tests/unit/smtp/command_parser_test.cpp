// Table-driven tests of the SMTP command-line and argument parsers
// (smtp/proto): verbs, paths, ESMTP parameters, BDAT, reply writing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtp/proto/command_arguments.hpp"
#include "smtp/proto/command_line.hpp"
#include "smtp/proto/reply.hpp"

namespace postern::smtp {
namespace {

using namespace std::string_literals;

struct LineCase {
  std::string line;
  bool ok;
  std::string verb;
  std::string argument;
};

TEST(CommandLine, SplitsVerbAndArgument) {
  const std::vector<LineCase> cases = {
      {"EHLO example.org", true, "EHLO", "example.org"},
      {"ehlo example.org", true, "EHLO", "example.org"},  // RFC 5321 §2.4: verbs are case-insensitive
      {"MaIl FROM:<a@b.c> SIZE=10", true, "MAIL", "FROM:<a@b.c> SIZE=10"},
      {"DATA", true, "DATA", ""},
      {"NOOP   ", true, "NOOP", ""},
      {"  QUIT", true, "QUIT", ""},
      {"RCPT\tTO:<a@b.c>", true, "RCPT", "TO:<a@b.c>"},
      {"VRFY  user  ", true, "VRFY", "user"},
      {"", false, "", ""},
      {"   ", false, "", ""},
      {"EH1LO x", false, "", ""},
      {"ABCDEFGHIJKLMNOPQ", false, "", ""},  // longer than kMaxVerbLength
      {"EHLO a\0b"s, false, "", ""},           // NUL
      {"EHLO a\rb", false, "", ""},            // RFC 5321 §2.3.8: no bare CR
      {"EHLO \x7f", false, "", ""},
      {"EHLO \xc3\x28", false, "", ""},        // invalid UTF-8
      {"EHLO \xed\xa0\x80", false, "", ""},    // surrogate
      {"RCPT TO:<j\xc3\xb6rg@example.org>", true, "RCPT", "TO:<j\xc3\xb6rg@example.org>"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    auto parsed = parse_command_line(c.line);
    ASSERT_EQ(parsed.ok(), c.ok);
    if (c.ok) {
      EXPECT_EQ(parsed->verb, c.verb);
      EXPECT_EQ(parsed->argument, c.argument);
    } else {
      EXPECT_EQ(parsed.reply().code, 500);
      EXPECT_EQ(parsed.reply().enhanced, "5.5.2");
    }
  }
}


// Expected outcome of a MAIL/RCPT argument: a reply code + enhanced code on
// failure, or the parsed address on success.
struct PathCase {
  std::string argument;
  int code;  // 0: accepted
  std::string enhanced;
  std::string address;  // EmailAddress::str(), "" for <>
};

TEST(MailFrom, PathsAndParameters) {
  const std::vector<PathCase> cases = {
      {"FROM:<alice@example.org>", 0, "", "alice@example.org"},
      {"from:<alice@EXAMPLE.org>", 0, "", "alice@example.org"},
      {"FROM: <alice@example.org>", 0, "", "alice@example.org"},  // common client quirk, tolerated
      {"FROM:<>", 0, "", ""},                                      // RFC 5321 §4.5.5 null reverse-path
      {"FROM:<@relay.example,@b.example:alice@example.org>", 0, "", "alice@example.org"},  // RFC 5321 App. C
      {"FROM:<\"a b\"@example.org>", 0, "", "\"a b\"@example.org"},
      {"FROM:<\"a>b\"@example.org>", 0, "", "\"a>b\"@example.org"},
      {"FROM:<alice@[192.0.2.1]>", 0, "", "alice@[192.0.2.1]"},
      {"FROM:<alice@example.org> SIZE=1000", 0, "", "alice@example.org"},
      {"FROM:<alice@example.org> BODY=8BITMIME SMTPUTF8", 0, "", "alice@example.org"},
      {"FROM:<j\xc3\xb6rg@example.org> SMTPUTF8", 0, "", "j\xc3\xb6rg@example.org"},
      {"FROM:<alice@example.org>  SIZE=1  BODY=7bit", 0, "", "alice@example.org"},
      // RFC 5321 §4.1.2: angle brackets are required
      {"FROM:alice@example.org", 501, "5.5.4", ""},
      {"FROM<alice@example.org>", 501, "5.5.4", ""},
      {"TO:<alice@example.org>", 501, "5.5.4", ""},
      {"FROM:<alice@example.org", 501, "5.5.4", ""},
      {"FROM:<alice@example.org>SIZE=1", 501, "5.5.4", ""},
      {"FROM:<a<b@example.org>", 501, "5.5.4", ""},
      {"", 501, "5.5.4", ""},
      {"FROM:<alice>", 501, "5.1.7", ""},
      {"FROM:<alice@>", 501, "5.1.7", ""},
      {"FROM:<a..b@example.org>", 501, "5.1.7", ""},
      {"FROM:<@relay.example:>", 501, "5.1.7", ""},
      {"FROM:<@relay..example:a@example.org>", 501, "5.1.7", ""},
      {"FROM:<@:a@example.org>", 501, "5.1.7", ""},
      // RFC 6531 §3.4: non-ASCII mailbox needs SMTPUTF8
      {"FROM:<j\xc3\xb6rg@example.org>", 553, "5.6.7", ""},
      // RFC 5321 §4.1.1.11: unknown parameters
      {"FROM:<alice@example.org> RET=FULL", 555, "5.5.4", ""},
      {"FROM:<alice@example.org> X-FOO", 555, "5.5.4", ""},
      {"FROM:<alice@example.org> SIZE=abc", 501, "5.5.4", ""},
      {"FROM:<alice@example.org> SIZE=", 501, "5.5.4", ""},
      {"FROM:<alice@example.org> SIZE", 501, "5.5.4", ""},
      {"FROM:<alice@example.org> SIZE=1 SIZE=2", 501, "5.5.4", ""},
      {"FROM:<alice@example.org> SIZE=123456789012345678901", 501, "5.5.4", ""},  // > 20 digits (RFC 1870)
      {"FROM:<alice@example.org> BODY=9BIT", 501, "5.5.4", ""},
      {"FROM:<alice@example.org> SMTPUTF8=yes", 501, "5.5.4", ""},
      {"FROM:<alice@example.org> =x", 501, "5.5.4", ""},
      {"FROM:<alice@example.org> S_ZE=1", 501, "5.5.4", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.argument);
    auto parsed = parse_mail_from(c.argument, true);
    if (c.code == 0) {
      ASSERT_TRUE(parsed.ok()) << parsed.reply().text;
      EXPECT_EQ(parsed->sender ? parsed->sender->str() : "", c.address);
    } else {
      ASSERT_FALSE(parsed.ok());
      EXPECT_EQ(parsed.reply().code, c.code);
      EXPECT_EQ(parsed.reply().enhanced, c.enhanced);
    }
  }
}

TEST(MailFrom, ParameterValues) {
  auto m = parse_mail_from("FROM:<a@example.org> SIZE=12345 BODY=BINARYMIME SMTPUTF8", true);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->size, 12345u);
  EXPECT_EQ(m->body, BodyType::binary_mime);
  EXPECT_TRUE(m->smtputf8);
  // RFC 1870: 20 digits are valid syntax; the value saturates instead of wrapping.
  auto big = parse_mail_from("FROM:<a@example.org> SIZE=99999999999999999999", true);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->size, UINT64_MAX);
  auto plain = parse_mail_from("FROM:<a@example.org>", true);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->size.has_value());
  EXPECT_EQ(plain->body, BodyType::unspecified);
  EXPECT_FALSE(plain->smtputf8);
}

TEST(MailFrom, NoParametersAfterHelo) {
  // RFC 5321 §4.1.1.2: esmtp parameters require EHLO.
  auto m = parse_mail_from("FROM:<a@example.org> SIZE=10", false);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.reply().code, 555);
  EXPECT_TRUE(parse_mail_from("FROM:<a@example.org>", false).ok());
}

TEST(RcptTo, PathsAndParameters) {
  const std::vector<PathCase> cases = {
      {"TO:<bob@example.org>", 0, "", "bob@example.org"},
      {"to:<Bob@Example.ORG>", 0, "", "Bob@example.org"},
      // RFC 5321 §4.1.1.3: <Postmaster> without domain, case-insensitive
      {"TO:<postmaster>", 0, "", "postmaster@mx.example.net"},
      {"TO:<PostMaster>", 0, "", "postmaster@mx.example.net"},
      {"TO:<@a.example:bob@example.org>", 0, "", "bob@example.org"},  // RFC 5321 Appendix C
      {"TO:<>", 501, "5.1.3", ""},
      {"TO:<bob>", 501, "5.1.3", ""},
      {"TO:<postmaster@>", 501, "5.1.3", ""},
      {"TO:bob@example.org", 501, "5.5.4", ""},
      {"FROM:<bob@example.org>", 501, "5.5.4", ""},
      {"TO:<bob@example.org> NOTIFY=NEVER", 555, "5.5.4", ""},
      {"TO:<b\xc3\xb6" "b@example.org>", 553, "5.6.7", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.argument);
    auto parsed = parse_rcpt_to(c.argument, false, "MX.example.net");
    if (c.code == 0) {
      ASSERT_TRUE(parsed.ok()) << parsed.reply().text;
      EXPECT_EQ(parsed->recipient.str(), c.address);
    } else {
      ASSERT_FALSE(parsed.ok());
      EXPECT_EQ(parsed.reply().code, c.code);
      EXPECT_EQ(parsed.reply().enhanced, c.enhanced);
    }
  }
  auto pm = parse_rcpt_to("TO:<postmaster>", false, "mx.example.net");
  ASSERT_TRUE(pm.ok());
  EXPECT_TRUE(pm->postmaster);
  auto utf8 = parse_rcpt_to("TO:<b\xc3\xb6" "b@example.org>", true, "mx.example.net");
  ASSERT_TRUE(utf8.ok());
  EXPECT_FALSE(utf8->postmaster);
}

TEST(Bdat, Arguments) {
  struct Case {
    std::string argument;
    bool ok;
    uint64_t size;
    bool last;
  };
  // RFC 3030 §2: bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ]
  const std::vector<Case> cases = {
      {"0 LAST", true, 0, true},
      {"100", true, 100, false},
      {"100 last", true, 100, true},
      {"9999999999999999999", true, 9999999999999999999ull, false},
      {"", false, 0, false},
      {"LAST", false, 0, false},
      {"-1", false, 0, false},
      {"1x", false, 0, false},
      {"10 LAST x", false, 0, false},
      {"10 FIRST", false, 0, false},
      {"99999999999999999999", false, 0, false},  // 20 digits: refused, not wrapped
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.argument);
    auto parsed = parse_bdat(c.argument);
    ASSERT_EQ(parsed.ok(), c.ok);
    if (c.ok) {
      EXPECT_EQ(parsed->size, c.size);
      EXPECT_EQ(parsed->last, c.last);
    } else {
      EXPECT_EQ(parsed.reply().code, 501);
    }
  }
}

TEST(ReplyWriter, SingleAndMultiLine) {
  // RFC 5321 §4.2 reply syntax, RFC 2034 enhanced codes
  EXPECT_EQ(format_reply(Reply{250, "2.1.5", "Ok"}), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(format_reply(Reply{220, "", "mx ESMTP Postern"}), "220 mx ESMTP Postern\r\n");
  EXPECT_EQ(format_reply(Reply{250, "2.0.0", ""}), "250 2.0.0\r\n");
  // Text from a policy must not inject reply lines.
  EXPECT_EQ(format_reply(Reply{550, "5.1.1", "no\r\n250 ok"}), "550 5.1.1 no??250 ok\r\n");
  std::string out;
  append_multiline_reply(out, 250, "", {"mx.example.net", "PIPELINING", "SIZE 10"});
  EXPECT_EQ(out, "250-mx.example.net\r\n250-PIPELINING\r\n250 SIZE 10\r\n");
  out.clear();
  append_multiline_reply(out, 214, "2.0.0", {"a", "b"});
  EXPECT_EQ(out, "214-2.0.0 a\r\n214 2.0.0 b\r\n");
  out.clear();
  append_multiline_reply(out, 250, "2.0.0", {});
  EXPECT_EQ(out, "250 2.0.0\r\n");
}

}  // namespace
}  // namespace postern::smtp
