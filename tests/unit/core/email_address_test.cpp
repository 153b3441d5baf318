// Table-driven tests of the mailbox parser (RFC 5321 §4.1.2, §4.1.3,
// §4.5.3.1; RFC 6531 §3.3) and parse_domain.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/email_address.hpp"

namespace postern {
namespace {

using namespace std::string_literals;

struct Case {
  std::string input;
  bool ok;
  std::string local;   // expected when ok
  std::string domain;  // expected when ok
};

void run_cases(const std::vector<Case>& cases, AddressOptions options) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto parsed = parse_email_address(c.input, options);
    ASSERT_EQ(parsed.ok(), c.ok) << (parsed.ok() ? parsed->str() : parsed.error().message);
    if (c.ok) {
      EXPECT_EQ(parsed->local, c.local);
      EXPECT_EQ(parsed->domain, c.domain);
    } else {
      EXPECT_EQ(parsed.error().kind, ErrorKind::syntax);
      EXPECT_FALSE(parsed.error().message.empty());
    }
  }
}

TEST(EmailAddress, DotStrings) {
  // RFC 5321 §4.1.2 Dot-string = Atom *("." Atom)
  run_cases({
                {"alice@example.org", true, "alice", "example.org"},
                {"Alice.Smith@Example.ORG", true, "Alice.Smith", "example.org"},  // local part keeps case
                {"a+tag@example.org", true, "a+tag", "example.org"},
                {"!#$%&'*+-/=?^_`{|}~@example.org", true, "!#$%&'*+-/=?^_`{|}~", "example.org"},
                {"a@b", true, "a", "b"},
                {"user@sub.do-main.example", true, "user", "sub.do-main.example"},
                {"user@123.example", true, "user", "123.example"},
                {".alice@example.org", false, "", ""},
                {"alice.@example.org", false, "", ""},
                {"a..b@example.org", false, "", ""},
                {"a b@example.org", false, "", ""},
                {"a(b)@example.org", false, "", ""},
                {"a,b@example.org", false, "", ""},
                {"a@b@example.org", false, "", ""},
                {"@example.org", false, "", ""},
                {"alice@", false, "", ""},
                {"alice", false, "", ""},
                {"", false, "", ""},
                {"alice@example..org", false, "", ""},
                {"alice@.example.org", false, "", ""},
                {"alice@example.org.", false, "", ""},
                {"alice@-example.org", false, "", ""},
                {"alice@example-.org", false, "", ""},
                {"alice@exa_mple.org", false, "", ""},
                {"alice@exa mple.org", false, "", ""},
                {"ali\0ce@example.org"s, false, "", ""},
                {"alice@exam\0ple.org"s, false, "", ""},
                {"alice\r\n@example.org", false, "", ""},
            },
            {});
}

TEST(EmailAddress, QuotedLocalParts) {
  // RFC 5321 §4.1.2 Quoted-string; unquoted when it is a valid Dot-string
  run_cases({
                {"\"alice\"@example.org", true, "alice", "example.org"},
                {"\"a.b\"@example.org", true, "a.b", "example.org"},
                {"\"a b\"@example.org", true, "\"a b\"", "example.org"},
                {"\"a@b\"@example.org", true, "\"a@b\"", "example.org"},
                {"\"a..b\"@example.org", true, "\"a..b\"", "example.org"},
                {"\"a\\\"b\"@example.org", true, "\"a\\\"b\"", "example.org"},
                {"\"a\\\\b\"@example.org", true, "\"a\\\\b\"", "example.org"},
                {"\"a\\xb\"@example.org", true, "axb", "example.org"},  // quoted-pairSMTP: \x is x
                {"\"\"@example.org", false, "", ""},
                {"\"abc@example.org", false, "", ""},
                {"\"abc\"def@example.org", false, "", ""},
                {"\"abc\"", false, "", ""},
                {"\"a\tb\"@example.org", false, "", ""},  // HT is not qtextSMTP
                {"\"a\0b\"@example.org"s, false, "", ""},
                {"\"a\\\0b\"@example.org"s, false, "", ""},  // quoted-pairSMTP is %d92 %d32-126
                {"\"a\\", false, "", ""},
                {"\"ab\\\"@example.org", false, "", ""},
            },
            {});
}

TEST(EmailAddress, Utf8) {
  // RFC 6531 §3.3: UTF-8 in local parts and domains only with SMTPUTF8.
  std::vector<Case> with_utf8 = {
      {"j\xc3\xb6rg@example.org", true, "j\xc3\xb6rg", "example.org"},
      {"\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\x85\xac\xe5\x8f\xb8", true,
       "\xe7\x94\xa8\xe6\x88\xb7", "\xe4\xbe\x8b\xe5\xad\x90.\xe5\x85\xac\xe5\x8f\xb8"},
      {"\"j\xc3\xb6 rg\"@example.org", true, "\"j\xc3\xb6 rg\"", "example.org"},
      {"user@B\xc3\xbc" "cher.Example", true, "user", "b\xc3\xbc" "cher.example"},  // ASCII lower-cased only
      {"j\xc3@example.org", false, "", ""},              // truncated sequence
      {"j\xc0\xafrg@example.org", false, "", ""},         // overlong
      {"\"j\xc3\"@example.org", false, "", ""},
      {"user@ex\xc3" "ample.org", false, "", ""},
  };
  run_cases(with_utf8, {.allow_utf8 = true});
  std::vector<Case> without_utf8 = {
      {"j\xc3\xb6rg@example.org", false, "", ""},
      {"\"j\xc3\xb6rg\"@example.org", false, "", ""},
      {"user@b\xc3\xbc" "cher.example", false, "", ""},
      {"alice@example.org", true, "alice", "example.org"},
  };
  run_cases(without_utf8, {.allow_utf8 = false});
  auto a = parse_email_address("j\xc3\xb6rg@example.org");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->needs_smtputf8());
  EXPECT_FALSE(parse_email_address("jorg@example.org")->needs_smtputf8());
}

TEST(EmailAddress, AddressLiterals) {
  // RFC 5321 §4.1.3
  run_cases({
                {"user@[192.0.2.1]", true, "user", "[192.0.2.1]"},
                {"user@[IPv6:2001:db8::1]", true, "user", "[IPv6:2001:db8::1]"},
                {"user@[IPv6:::1]", true, "user", "[IPv6:::1]"},
                {"user@[192.0.2.256]", false, "", ""},
                {"user@[192.0.2]", false, "", ""},
                {"user@[2001:db8::1]", false, "", ""},  // IPv6 needs its tag
                {"user@[IPv6:192.0.2.1]", false, "", ""},
                {"user@[]", false, "", ""},
                {"user@[192.0.2.1", false, "", ""},
                {"user@[192.0.2.1]x", false, "", ""},
                {"user@[x:foo]", false, "", ""},  // general literals are not accepted
                {"user@[192.0.2.1\0junk]"s, false, "", ""},
                {"user@[IPv6:::1\0junk]"s, false, "", ""},
            },
            {});
  auto refused = parse_email_address("user@[192.0.2.1]", {.allow_address_literal = false});
  EXPECT_FALSE(refused.ok());
}

TEST(EmailAddress, LengthLimits) {
  // RFC 5321 §4.5.3.1.1: local part <= 64 octets
  std::string local64(64, 'a');
  EXPECT_TRUE(parse_email_address(local64 + "@example.org").ok());
  EXPECT_FALSE(parse_email_address(local64 + "a@example.org").ok());
  // Quoted form counts with its quotes: 62 + 2 = 64 is fine, 63 + 2 is not.
  EXPECT_TRUE(parse_email_address("\"" + std::string(61, 'a') + " \"@example.org").ok());
  EXPECT_FALSE(parse_email_address("\"" + std::string(62, 'a') + " \"@example.org").ok());
  // RFC 1035 / RFC 5321 §4.5.3.1.2: labels <= 63 octets
  std::string label63(63, 'd');
  EXPECT_TRUE(parse_email_address("a@" + label63 + ".example").ok());
  EXPECT_FALSE(parse_email_address("a@" + label63 + "d.example").ok());
  // RFC 5321 §4.5.3.1.3: path <= 256 octets
  std::string domain = label63 + "." + label63 + "." + label63 + "." + std::string(57, 'd');  // 249
  EXPECT_TRUE(parse_email_address("abcdef@" + domain).ok());   // 256
  EXPECT_FALSE(parse_email_address("abcdefg@" + domain).ok());  // 257
}

TEST(Domain, Parse) {
  EXPECT_EQ(*parse_domain("Example.ORG"), "example.org");
  EXPECT_EQ(*parse_domain("xn--bcher-kva.example"), "xn--bcher-kva.example");
  EXPECT_FALSE(parse_domain("").ok());
  EXPECT_FALSE(parse_domain(".").ok());
  EXPECT_FALSE(parse_domain("example.org.").ok());
  EXPECT_FALSE(parse_domain("exa mple.org").ok());
  EXPECT_FALSE(parse_domain(std::string(64, 'a') + ".org").ok());
  EXPECT_FALSE(parse_domain(std::string(256, 'a')).ok());
  EXPECT_TRUE(parse_domain("b\xc3\xbc" "cher.example", true).ok());
  EXPECT_FALSE(parse_domain("b\xc3\xbc" "cher.example", false).ok());
  EXPECT_FALSE(parse_domain("b\xc3" "cher.example", true).ok());
}

}  // namespace
}  // namespace postern
