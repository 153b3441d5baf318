// Send-as grants and the may_send_as() check used by submission.
#include "directory_fixture.hpp"

namespace postern::directory::testing {
namespace {

using SendAsTest = DirectoryTest;

std::vector<std::string> lines(const std::vector<SendAsGrant>& grants) {
  std::vector<std::string> out;
  for (const auto& g : grants) out.push_back(g.address + " -> " + g.account);
  return out;
}

TEST_F(SendAsTest, GrantListRevoke) {
  add_domain("example.org");
  add_user("alice@example.org");
  add_user("bob@example.org");
  ASSERT_TRUE(dir().grant_sendas("PR@example.org", "Alice@example.org"));
  ASSERT_TRUE(dir().grant_sendas("pr@example.org", "bob@example.org"));
  ASSERT_TRUE(dir().grant_sendas("info@example.org", "bob@example.org"));
  EXPECT_EQ(lines(*dir().list_sendas()), (std::vector<std::string>{
                                             "info@example.org -> bob@example.org",
                                             "pr@example.org -> alice@example.org",
                                             "pr@example.org -> bob@example.org",
                                         }));
  EXPECT_EQ(lines(*dir().list_sendas("PR@example.org")),
            (std::vector<std::string>{"pr@example.org -> alice@example.org", "pr@example.org -> bob@example.org"}));
  ASSERT_TRUE(dir().revoke_sendas("pr@EXAMPLE.org", "alice@example.org"));
  EXPECT_EQ(lines(*dir().list_sendas("pr@example.org")),
            (std::vector<std::string>{"pr@example.org -> bob@example.org"}));
}

TEST_F(SendAsTest, Errors) {
  add_domain("example.org");
  add_user("alice@example.org");
  EXPECT_TRUE(fails_with(dir().grant_sendas("pr@example.org", "ghost@example.org"), ErrorKind::user,
                         "unknown user 'ghost@example.org' (add it with: postern user add ghost@example.org)"));
  EXPECT_TRUE(fails_with(dir().grant_sendas("pr", "alice@example.org"), ErrorKind::syntax,
                         "invalid address 'pr': missing @ in address"));
  EXPECT_TRUE(fails_with(dir().grant_sendas("alice@example.org", "alice@example.org"), ErrorKind::user,
                         "alice@example.org may always send as itself"));
  ASSERT_TRUE(dir().grant_sendas("pr@example.org", "alice@example.org"));
  EXPECT_TRUE(fails_with(dir().grant_sendas("pr@example.org", "alice@example.org"), ErrorKind::user,
                         "alice@example.org may already send as pr@example.org"));
  EXPECT_TRUE(fails_with(dir().revoke_sendas("info@example.org", "alice@example.org"), ErrorKind::user,
                         "alice@example.org has no grant to send as info@example.org"));
  EXPECT_TRUE(fails_with(dir().revoke_sendas("pr@example.org", "ghost@example.org"), ErrorKind::user,
                         "unknown user 'ghost@example.org' (add it with: postern user add ghost@example.org)"));
}

TEST_F(SendAsTest, MaySendAsOwnPlusAndGrantedAddresses) {
  add_domain("example.org");
  int64_t alice = add_user("alice@example.org");
  int64_t bob = add_user("bob@example.org");
  add_alias("team@example.org", {"alice@example.org"});
  ASSERT_TRUE(dir().grant_sendas("pr@example.org", "alice@example.org"));
  ASSERT_TRUE(dir().grant_sendas("alice.external@gmail.example", "alice@example.org"));

  struct Case {
    int64_t account;
    const char* from;
    bool allowed;
  };
  const Case cases[] = {
      {alice, "alice@example.org", true},
      {alice, "ALICE@Example.Org", true},
      {alice, "alice+lists@example.org", true},
      {alice, "pr@example.org", true},
      {alice, "PR@example.org", true},
      {alice, "alice.external@gmail.example", true},
      {alice, "team@example.org", false},  // receiving via an alias is not a grant
      {alice, "bob@example.org", false},
      {alice, "alice@example.net", false},
      {bob, "pr@example.org", false},
      {bob, "alice+x@example.org", false},
      {bob, "bob+x+y@example.org", true},
      {9999, "alice@example.org", false},  // no such account
  };
  for (const auto& c : cases) {
    auto r = dir().may_send_as(c.account, c.from);
    ASSERT_TRUE(r) << c.from << ": " << r.error().message;
    EXPECT_EQ(*r, c.allowed) << c.account << " as " << c.from;
  }
  EXPECT_EQ(dir().may_send_as(alice, "garbage").error().kind, ErrorKind::syntax);
}

TEST_F(SendAsTest, GrantsDisappearWithTheAccount) {
  add_domain("example.org");
  add_user("alice@example.org");
  ASSERT_TRUE(dir().grant_sendas("pr@example.org", "alice@example.org"));
  ASSERT_TRUE(dir().remove_user("alice@example.org"));
  EXPECT_TRUE(dir().list_sendas()->empty());
}

}  // namespace
}  // namespace postern::directory::testing
