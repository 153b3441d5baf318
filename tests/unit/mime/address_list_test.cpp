// RFC 5322 §3.4 address lists in IMAP ENVELOPE shape (RFC 9051 §7.5.2).
#include <gtest/gtest.h>

#include "mime/address_list.hpp"

namespace postern::mime {
namespace {

// "name|adl|mailbox|host" with "-" for absent, one entry per address.
std::string show(const std::vector<Address>& list) {
  std::string out;
  auto f = [](const std::optional<std::string>& s) { return s ? *s : std::string("-"); };
  for (const auto& a : list) {
    if (!out.empty()) out += " ; ";
    out += f(a.name) + "|" + f(a.adl) + "|" + f(a.mailbox) + "|" + f(a.host);
  }
  return out;
}

struct Case {
  const char* raw;
  const char* expected;
};

TEST(AddressList, Rfc5322AppendixA) {
  const Case cases[] = {
      // RFC 5322 §A.1.1
      {"John Doe <jdoe@machine.example>", "John Doe|-|jdoe|machine.example"},
      // §A.1.2: quoted display name, comma inside quotes.
      {"\"Joe Q. Public\" <john.q.public@example.com>", "Joe Q. Public|-|john.q.public|example.com"},
      {"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
       "Mary Smith|-|mary|x.test ; -|-|jdoe|example.org ; Who?|-|one|y.test"},
      {"<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
       "-|-|boss|nil.test ; Giant; \"Big\" Box|-|sysservices|example.net"},
      // §A.1.3: groups.
      {"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
       "-|-|A Group|- ; Ed Jones|-|c|a.test ; -|-|joe|where.test ; John|-|jdoe|one.test ; -|-|-|-"},
      {"Undisclosed recipients:;", "-|-|Undisclosed recipients|- ; -|-|-|-"},
      // §A.5: comments; the comment names a bare addr-spec (as Dovecot does).
      {"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", "Pete|-|pete|silly.test"},
      {"jdoe@machine.example (John Doe)", "John Doe|-|jdoe|machine.example"},
      // §A.6.1 obsolete: route and unquoted phrase with dots.
      {"Joe Q. Public <@route.test,@other.test:john.q.public@example.com>",
       "Joe Q. Public|@route.test,@other.test|john.q.public|example.com"},
      // §A.6.3: CFWS around dots.
      {"John Doe <jdoe@machine(comment).  example>", "John Doe|-|jdoe|machine.example"},
  };
  for (const auto& c : cases) EXPECT_EQ(show(parse_address_list(c.raw)), c.expected) << c.raw;
}

TEST(AddressList, EncodedWordsStayRaw) {
  // IMAP sends header values raw; decoding is the client's.
  EXPECT_EQ(show(parse_address_list("=?utf-8?q?J=C3=B6rg?= <j@x.test>")), "=?utf-8?q?J=C3=B6rg?=|-|j|x.test");
}

TEST(AddressList, QuotedLocalPartIsUnquoted) {
  EXPECT_EQ(show(parse_address_list("\"john doe\"@example.com")), "-|-|john doe|example.com");
}

TEST(AddressList, Garbage) {
  const Case cases[] = {
      {"", ""},
      {" , ,, ", ""},
      {"user", "-|-|user|MISSING_DOMAIN"},
      {"<>", "-|-|MISSING_MAILBOX|MISSING_DOMAIN"},
      {"@host", "-|-|MISSING_MAILBOX|host"},
      {"Name <unterminated@x", "Name|-|unterminated|x"},
      {"a@b@c", "-|-|a|b@c"},
      {"(only a comment)", ""},
      {"group: a@b", "-|-|group|- ; -|-|a|b ; -|-|-|-"},  // unterminated group is closed
      {"g1: a@b; g2: c@d;", "-|-|g1|- ; -|-|a|b ; -|-|-|- ; -|-|g2|- ; -|-|c|d ; -|-|-|-"},
      {"a@b;", "-|-|a|b"},  // stray ";" outside a group
      {"\"unterminated <x@y>", "-|-|unterminated <x@y>|MISSING_DOMAIN"},
      {"[1.2.3.4]", "-|-|[1.2.3.4]|MISSING_DOMAIN"},
      {"x@[1.2.3.4]", "-|-|x|[1.2.3.4]"},
  };
  for (const auto& c : cases) EXPECT_EQ(show(parse_address_list(c.raw)), c.expected) << c.raw;
}

TEST(AddressList, LimitKeepsGroupsBalanced) {
  std::string raw = "g:";
  for (int i = 0; i < 6000; ++i) raw += "a@b,";
  auto list = parse_address_list(raw);
  ASSERT_LE(list.size(), kMaxAddresses + 1);
  EXPECT_TRUE(list.front().is_group_start());
  EXPECT_TRUE(list.back().is_group_end());
}

}  // namespace
}  // namespace postern::mime
