// Aliases: add/remove/list, catch-alls, external targets, and the errors.
#include "directory_fixture.hpp"

namespace postern::directory::testing {
namespace {

using AliasTest = DirectoryTest;

std::vector<std::string> lines(const std::vector<AliasInfo>& aliases) {
  std::vector<std::string> out;
  for (const auto& a : aliases) out.push_back(a.source + " -> " + a.target);
  return out;
}

TEST_F(AliasTest, AddListRemove) {
  add_domain("example.org");
  add_domain("example.net");
  add_user("alice@example.org");
  add_alias("Team@Example.org", {"ALICE@example.org", "Bob.Remote@Elsewhere.COM"});
  add_alias("@example.net", {"alice@example.org"});
  add_alias("team@example.org", {"carol@example.org"});  // another target for the same source
  auto all = dir().list_aliases();
  ASSERT_TRUE(all);
  // Local targets canonical; external ones keep their local part's case.
  EXPECT_EQ(lines(*all), (std::vector<std::string>{
                             "@example.net -> alice@example.org",
                             "team@example.org -> alice@example.org",
                             "team@example.org -> Bob.Remote@elsewhere.com",
                             "team@example.org -> carol@example.org",
                         }));
  auto org = dir().list_aliases("example.org");
  ASSERT_TRUE(org);
  EXPECT_EQ(org->size(), 3u);

  ASSERT_TRUE(dir().remove_alias("team@example.org", "bob.remote@elsewhere.com"));
  ASSERT_TRUE(dir().remove_alias("TEAM@example.org", "Carol@example.org"));
  EXPECT_EQ(lines(*dir().list_aliases("example.org")),
            (std::vector<std::string>{"team@example.org -> alice@example.org"}));
  ASSERT_TRUE(dir().remove_alias("team@example.org"));
  ASSERT_TRUE(dir().remove_alias("@EXAMPLE.net"));
  EXPECT_TRUE(dir().list_aliases()->empty());
}

TEST_F(AliasTest, ExternalTargetsCompareCaseBlind) {
  add_domain("example.org");
  add_alias("fwd@example.org", {"Bob@elsewhere.com"});
  EXPECT_TRUE(fails_with(dir().add_alias("fwd@example.org", {"BOB@elsewhere.com"}), ErrorKind::user,
                         "alias fwd@example.org -> Bob@elsewhere.com already exists"));
  EXPECT_TRUE(dir().remove_alias("fwd@example.org", "bob@ELSEWHERE.com"));
}

TEST_F(AliasTest, DuplicateTargetsInOneCallAreMerged) {
  add_domain("example.org");
  add_alias("a@example.org", {"x@example.net", "x@EXAMPLE.NET"});
  EXPECT_EQ(dir().list_aliases()->size(), 1u);
}

TEST_F(AliasTest, Errors) {
  add_domain("example.org");
  add_user("alice@example.org");
  EXPECT_TRUE(fails_with(dir().add_alias("info@example.com", {"alice@example.org"}), ErrorKind::user,
                         "unknown domain 'example.com' (add it with: postern domain add example.com)"));
  EXPECT_TRUE(fails_with(dir().add_alias("@example.com", {"alice@example.org"}), ErrorKind::user,
                         "unknown domain 'example.com' (add it with: postern domain add example.com)"));
  EXPECT_TRUE(fails_with(dir().add_alias("info", {"alice@example.org"}), ErrorKind::syntax,
                         "invalid address 'info': missing @ in address"));
  EXPECT_TRUE(fails_with(dir().add_alias("@bad..domain", {"alice@example.org"}), ErrorKind::syntax,
                         "invalid domain 'bad..domain': invalid domain label '' (letters, digits and inner "
                         "hyphens, 1-63 octets)"));
  EXPECT_TRUE(fails_with(dir().add_alias("info@example.org", {"alice@example.org", "not-an-address"}),
                         ErrorKind::syntax, "invalid address 'not-an-address': missing @ in address"));
  EXPECT_TRUE(dir().list_aliases()->empty()) << "a failed add must add nothing";
  EXPECT_TRUE(fails_with(dir().add_alias("info@example.org", {}), ErrorKind::user,
                         "alias info@example.org needs at least one target"));
  EXPECT_TRUE(fails_with(dir().add_alias("Alice@example.org", {"x@example.net"}), ErrorKind::user,
                         "alice@example.org is a user account; an alias with the same address would never be used"));
  EXPECT_TRUE(fails_with(dir().add_alias("loop@example.org", {"LOOP@example.org"}), ErrorKind::user,
                         "alias loop@example.org cannot point to itself"));
  add_alias("info@example.org", {"alice@example.org"});
  EXPECT_TRUE(fails_with(dir().add_alias("info@example.org", {"x@example.net", "Alice@example.org"}),
                         ErrorKind::user, "alias info@example.org -> alice@example.org already exists"));
  EXPECT_EQ(dir().list_aliases()->size(), 1u) << "a failed add must add nothing";
  EXPECT_TRUE(fails_with(dir().remove_alias("nope@example.org"), ErrorKind::user,
                         "unknown alias 'nope@example.org'"));
  EXPECT_TRUE(fails_with(dir().remove_alias("info@example.org", "bob@example.org"), ErrorKind::user,
                         "alias info@example.org has no target bob@example.org"));
  EXPECT_TRUE(fails_with(dir().list_aliases("example.com"), ErrorKind::user,
                         "unknown domain 'example.com' (add it with: postern domain add example.com)"));
}

}  // namespace
}  // namespace postern::directory::testing
