// Domains: add, list with counts, remove only when empty, and every error.
#include "directory_fixture.hpp"

namespace postern::directory::testing {
namespace {

using DomainTest = DirectoryTest;

TEST_F(DomainTest, AddListRemove) {
  add_domain("Example.ORG");
  add_domain("example.net");
  auto list = dir().list_domains();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "example.net");
  EXPECT_EQ((*list)[1].name, "example.org");  // stored lower-cased
  EXPECT_TRUE(dir().is_local_domain("example.org"));
  EXPECT_TRUE(dir().is_local_domain("EXAMPLE.org"));
  EXPECT_FALSE(dir().is_local_domain("example.com"));
  EXPECT_FALSE(dir().is_local_domain("not a domain"));

  ASSERT_TRUE(dir().remove_domain("EXAMPLE.org"));
  EXPECT_FALSE(dir().is_local_domain("example.org"));
  EXPECT_EQ(dir().list_domains()->size(), 1u);
}

TEST_F(DomainTest, Utf8DomainIsAccepted) {
  add_domain("bücher.example");
  EXPECT_TRUE(dir().is_local_domain("bücher.example"));
}

TEST_F(DomainTest, CountsUsersAndAliasesBySource) {
  add_domain("example.org");
  add_user("a@example.org");
  add_user("b@example.org");
  add_alias("team@example.org", {"a@example.org", "b@example.org"});
  auto list = dir().list_domains();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].accounts, 2);
  EXPECT_EQ((*list)[0].aliases, 1);
}

TEST_F(DomainTest, InvalidNameIsSyntaxErrorWithReason) {
  EXPECT_TRUE(fails_with(dir().add_domain("-bad.example"), ErrorKind::syntax,
                         "invalid domain '-bad.example': invalid domain label '-bad' (letters, digits and inner "
                         "hyphens, 1-63 octets)"));
  EXPECT_TRUE(fails_with(dir().add_domain(""), ErrorKind::syntax, "invalid domain '': empty domain"));
  EXPECT_TRUE(fails_with(dir().add_domain("example.org."), ErrorKind::syntax,
                         "invalid domain 'example.org.': domain must not end with a dot"));
}

TEST_F(DomainTest, DuplicateIsRefusedCaseInsensitively) {
  add_domain("example.org");
  EXPECT_TRUE(fails_with(dir().add_domain("EXAMPLE.ORG"), ErrorKind::user, "domain example.org already exists"));
}

TEST_F(DomainTest, RemoveUnknown) {
  EXPECT_TRUE(fails_with(dir().remove_domain("example.org"), ErrorKind::user,
                         "unknown domain 'example.org' (add it with: postern domain add example.org)"));
}

TEST_F(DomainTest, RemoveRefusedWhileUsersOrAliasesRemain) {
  add_domain("example.org");
  add_user("a@example.org");
  add_user("b@example.org");
  add_alias("info@example.org", {"a@example.org", "b@example.org"});
  EXPECT_TRUE(fails_with(dir().remove_domain("example.org"), ErrorKind::user,
                         "domain example.org still has 2 users and 1 alias; remove them first"));
  ASSERT_TRUE(dir().remove_alias("info@example.org"));
  ASSERT_TRUE(dir().remove_user("b@example.org"));
  EXPECT_TRUE(fails_with(dir().remove_domain("example.org"), ErrorKind::user,
                         "domain example.org still has 1 user; remove it first"));
  ASSERT_TRUE(dir().remove_user("a@example.org"));
  add_alias("@example.org", {"x@example.net"});
  add_alias("y@example.org", {"x@example.net"});
  EXPECT_TRUE(fails_with(dir().remove_domain("example.org"), ErrorKind::user,
                         "domain example.org still has 2 aliases; remove them first"));
  ASSERT_TRUE(dir().remove_alias("@example.org"));
  ASSERT_TRUE(dir().remove_alias("y@example.org"));
  EXPECT_TRUE(dir().remove_domain("example.org"));
}

}  // namespace
}  // namespace postern::directory::testing
