// passwd-file and CSV account lists for `postern user import`.
#include "directory/user_file.hpp"

#include <gtest/gtest.h>

namespace postern::directory {
namespace {

TEST(PasswdFile, ParsesDovecotLines) {
  auto entries = parse_passwd_file(
      "# comment\n"
      "alice@example.org:{SHA512-CRYPT}$6$abc$def:1000:1000::/home/alice::userdb_quota_rule=*:storage=2G\n"
      "\n"
      "bob:{SSHA256}xyz::::::\r\n"
      "carol@example.org\n"
      "dave@example.org:\n",
      "example.net");
  ASSERT_EQ(entries.size(), 4u);
  ASSERT_TRUE(entries[0].user);
  EXPECT_EQ(entries[0].user->address, "alice@example.org");
  EXPECT_EQ(entries[0].user->password_hash, "{SHA512-CRYPT}$6$abc$def");
  EXPECT_EQ(entries[0].user->quota, 2ull << 30);
  EXPECT_EQ(entries[0].line, 2u);
  ASSERT_TRUE(entries[1].user);
  EXPECT_EQ(entries[1].user->address, "bob@example.net");
  EXPECT_FALSE(entries[1].user->quota);
  EXPECT_FALSE(entries[2].user);
  EXPECT_EQ(entries[2].line, 5u);
  EXPECT_FALSE(entries[3].user);
  EXPECT_NE(entries[3].error.find("no password"), std::string::npos);
}

TEST(PasswdFile, BareUserWithoutDomainIsAnError) {
  auto entries = parse_passwd_file("bob:{SSHA256}xyz\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_FALSE(entries[0].user);
  EXPECT_NE(entries[0].error.find("--domain"), std::string::npos);
}

TEST(UserCsv, ParsesHeaderColumnsInAnyOrder) {
  auto entries = parse_user_csv(
      "quota,password_hash,address,aliases,comment\n"
      "2G,{SHA512-CRYPT}$6$x$y,alice@example.org,\"a1@example.org a2@example.org\",hi\n"
      ",\"{SSHA256}q,uoted\",bob@example.org,,\n"
      "\n"
      "nonsense,{SSHA256}x,carol@example.org,,\n");
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 3u);
  ASSERT_TRUE((*entries)[0].user);
  EXPECT_EQ((*entries)[0].user->quota, 2ull << 30);
  EXPECT_EQ((*entries)[0].user->aliases, (std::vector<std::string>{"a1@example.org", "a2@example.org"}));
  ASSERT_TRUE((*entries)[1].user);
  EXPECT_EQ((*entries)[1].user->password_hash, "{SSHA256}q,uoted");
  EXPECT_EQ((*entries)[1].user->quota, 0u);
  EXPECT_FALSE((*entries)[2].user);
  EXPECT_EQ((*entries)[2].line, 5u);
  EXPECT_NE((*entries)[2].error.find("quota"), std::string::npos);
}

TEST(UserCsv, MissingColumnsAreAnError) {
  EXPECT_FALSE(parse_user_csv("email,hash\nx@y,z\n"));
  EXPECT_FALSE(parse_user_csv(""));
}

TEST(UserCsv, QuotedFieldsWithQuotesAndNewlines) {
  size_t pos = 0;
  bool ok = false;
  auto f = parse_csv_record("a,\"b \"\"c\"\"\nd\",e\nnext", pos, ok);
  EXPECT_TRUE(ok);
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b \"c\"\nd", "e"}));
  EXPECT_EQ(std::string_view("a,\"b \"\"c\"\"\nd\",e\nnext").substr(pos), "next");
}

}  // namespace
}  // namespace postern::directory
