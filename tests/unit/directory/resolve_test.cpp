// resolve(): what one RCPT TO address reaches, in the documented order
// (account, alias, the same without +tag, catch-all), with nested aliases,
// loops, external targets and case-insensitivity.
#include "directory_fixture.hpp"

namespace postern::directory::testing {
namespace {

class ResolveTest : public DirectoryTest {
 protected:
  void SetUp() override {
    DirectoryTest::SetUp();
    add_domain("example.org");
    add_domain("example.net");
    alice_ = add_user("alice@example.org");
    bob_ = add_user("bob@example.org");
    carol_ = add_user("carol@example.net");
  }

  // Resolves `text` and returns the status; the result lands in `out_`.
  RecipientStatus resolve(const std::string& text) {
    auto address = parse_email_address(text);
    EXPECT_TRUE(address) << text;
    auto status = dir().resolve(*address, out_);
    EXPECT_TRUE(status) << status.error().message;
    return status ? *status : RecipientStatus::unknown_user;
  }

  using Ids = std::vector<int64_t>;
  using Addresses = std::vector<std::string>;
  int64_t alice_ = 0, bob_ = 0, carol_ = 0;
  Resolution out_;
};

TEST_F(ResolveTest, ExactUserAnyCase) {
  EXPECT_EQ(resolve("alice@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{alice_});
  EXPECT_TRUE(out_.external.empty());
  EXPECT_EQ(resolve("ALICE@EXAMPLE.ORG"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{alice_});
}

TEST_F(ResolveTest, NotLocalVersusUnknownUser) {
  EXPECT_EQ(resolve("alice@example.com"), RecipientStatus::not_local);
  EXPECT_EQ(resolve("alice@[192.0.2.1]"), RecipientStatus::not_local);
  EXPECT_EQ(resolve("nobody@example.org"), RecipientStatus::unknown_user);
  EXPECT_TRUE(out_.accounts.empty());
  EXPECT_TRUE(out_.external.empty());
}

TEST_F(ResolveTest, AliasToSeveralTargetsIncludingExternal) {
  add_alias("team@example.org", {"alice@example.org", "Bob@Example.org", "Someone@Elsewhere.example"});
  EXPECT_EQ(resolve("Team@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, (Ids{alice_, bob_}));
  EXPECT_EQ(out_.external, Addresses{"Someone@elsewhere.example"});
}

TEST_F(ResolveTest, PureForwardIsLocalWithOnlyExternal) {
  add_alias("fwd@example.org", {"me@elsewhere.example"});
  EXPECT_EQ(resolve("fwd@example.org"), RecipientStatus::local);
  EXPECT_TRUE(out_.accounts.empty());
  EXPECT_EQ(out_.external, Addresses{"me@elsewhere.example"});
}

TEST_F(ResolveTest, NestedAliasesAcrossDomainsAreDeduplicated) {
  add_alias("all@example.org", {"team@example.org", "net@example.net", "alice@example.org"});
  add_alias("team@example.org", {"alice@example.org", "bob@example.org"});
  add_alias("net@example.net", {"carol@example.net", "alice@example.org"});
  EXPECT_EQ(resolve("all@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, (Ids{alice_, bob_, carol_}));
}

TEST_F(ResolveTest, AliasLoopIsIgnored) {
  add_alias("a@example.org", {"b@example.org"});
  add_alias("b@example.org", {"a@example.org", "bob@example.org"});
  EXPECT_EQ(resolve("a@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{bob_});
  EXPECT_EQ(resolve("b@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{bob_});
}

TEST_F(ResolveTest, LoopWithoutAnyRecipientIsUnknownUser) {
  add_alias("x@example.org", {"y@example.org"});
  add_alias("y@example.org", {"x@example.org"});
  EXPECT_EQ(resolve("x@example.org"), RecipientStatus::unknown_user);
}

TEST_F(ResolveTest, AliasToRemovedUserIsUnknownUser) {
  add_alias("old@example.org", {"bob@example.org"});
  ASSERT_TRUE(dir().remove_user("bob@example.org"));
  EXPECT_EQ(resolve("old@example.org"), RecipientStatus::unknown_user);
}

TEST_F(ResolveTest, ChainDepthIsLimitedToTen) {
  // l0 -> l1 -> ... -> l12 -> alice: beyond ten levels nothing more is expanded.
  for (int i = 0; i < 12; ++i)
    add_alias("l" + std::to_string(i) + "@example.org", {"l" + std::to_string(i + 1) + "@example.org"});
  add_alias("l12@example.org", {"alice@example.org"});
  EXPECT_EQ(resolve("l0@example.org"), RecipientStatus::unknown_user);
  EXPECT_EQ(resolve("l3@example.org"), RecipientStatus::local);  // ten levels: reaches alice
  EXPECT_EQ(out_.accounts, Ids{alice_});
}

TEST_F(ResolveTest, PlusAddressing) {
  EXPECT_EQ(resolve("alice+news@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{alice_});
  EXPECT_EQ(resolve("Alice+News+More@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{alice_});
  EXPECT_EQ(resolve("nobody+x@example.org"), RecipientStatus::unknown_user);
  EXPECT_EQ(resolve("+x@example.org"), RecipientStatus::unknown_user);

  add_alias("list@example.org", {"bob@example.org"});
  EXPECT_EQ(resolve("list+x@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{bob_});
}

TEST_F(ResolveTest, ExactMatchBeatsPlusStripping) {
  int64_t tagged = add_user("alice+work@example.org");
  add_alias("bob+x@example.org", {"carol@example.net"});
  EXPECT_EQ(resolve("alice+work@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{tagged});
  EXPECT_EQ(resolve("bob+x@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{carol_});
  EXPECT_EQ(resolve("bob+y@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{bob_});
}

TEST_F(ResolveTest, PlusAddressedAliasTarget) {
  add_alias("x@example.org", {"alice+from-x@example.org"});
  EXPECT_EQ(resolve("x@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{alice_});
}

TEST_F(ResolveTest, CatchAllOnlyWhenNothingElseMatches) {
  add_alias("@example.org", {"bob@example.org"});
  add_alias("sales@example.org", {"carol@example.net"});
  EXPECT_EQ(resolve("anything@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{bob_});
  EXPECT_EQ(resolve("alice@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{alice_});
  EXPECT_EQ(resolve("alice+tag@example.org"), RecipientStatus::local);  // plus beats catch-all
  EXPECT_EQ(out_.accounts, Ids{alice_});
  EXPECT_EQ(resolve("sales+q1@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{carol_});
  // The catch-all of another domain does not apply.
  EXPECT_EQ(resolve("anything@example.net"), RecipientStatus::unknown_user);
}

TEST_F(ResolveTest, CatchAllPointingIntoItsOwnDomainDoesNotLoop) {
  add_alias("@example.org", {"nobody@example.org"});
  EXPECT_EQ(resolve("anything@example.org"), RecipientStatus::unknown_user);
}

TEST_F(ResolveTest, Utf8LocalParts) {
  int64_t jorg = add_user("jörg@example.org");
  add_alias("grüße@example.org", {"jörg@example.org", "ñandú@elsewhere.example"});
  EXPECT_EQ(resolve("jörg@EXAMPLE.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{jorg});
  EXPECT_EQ(resolve("grüße@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{jorg});
  EXPECT_EQ(out_.external, Addresses{"ñandú@elsewhere.example"});
  EXPECT_EQ(resolve("jörg+tag@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{jorg});
  // Only ASCII is case-folded: "JÖRG" is a different local part.
  EXPECT_EQ(resolve("JÖRG@example.org"), RecipientStatus::unknown_user);
}

TEST_F(ResolveTest, QuotedLocalPart) {
  int64_t quoted = add_user("\"john doe\"@example.org");
  EXPECT_EQ(resolve("\"John Doe\"@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{quoted});
  // A quoted string that is a valid dot-string is the same address unquoted.
  EXPECT_EQ(resolve("\"alice\"@example.org"), RecipientStatus::local);
  EXPECT_EQ(out_.accounts, Ids{alice_});
}

TEST_F(ResolveTest, OutputIsResetBetweenCalls) {
  add_alias("fwd@example.org", {"me@elsewhere.example"});
  EXPECT_EQ(resolve("fwd@example.org"), RecipientStatus::local);
  EXPECT_EQ(resolve("alice@example.org"), RecipientStatus::local);
  EXPECT_TRUE(out_.external.empty());
}

}  // namespace
}  // namespace postern::directory::testing
