// Accounts: add (with default mailboxes), passwords, remove (with mail),
// listing, lookup, login, and every error an admin can hit.
#include <algorithm>
#include <chrono>

#include "directory_fixture.hpp"

namespace postern::directory::testing {
namespace {

using AccountTest = DirectoryTest;

int64_t count(store::sqlite::Db& db, const std::string& sql, int64_t id) {
  auto st = db.prepare(sql);
  EXPECT_TRUE(st);
  st->bind(1, id);
  EXPECT_TRUE(*st->step());
  return st->int64(0);
}

TEST_F(AccountTest, AddStoresCanonicalAddressAndCreatesMailboxes) {
  add_domain("example.org");
  int64_t id = add_user("Alice.Smith@EXAMPLE.org");
  auto found = dir().find_user("alice.smith@example.org");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, id);
  EXPECT_EQ((*found)->address, "alice.smith@example.org");
  EXPECT_EQ(count(db(), "SELECT COUNT(*) FROM mailboxes WHERE account_id = ?", id), 6);
  EXPECT_EQ(count(db(), "SELECT COUNT(*) FROM mailboxes WHERE account_id = ? AND name = 'INBOX'", id), 1);
}

TEST_F(AccountTest, FindIsCaseInsensitiveAndReportsAbsence) {
  add_domain("example.org");
  add_user("bob@example.org");
  auto upper = dir().find_user("BOB@Example.Org");
  ASSERT_TRUE(upper && upper->has_value());
  auto none = dir().find_user("carol@example.org");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(dir().find_user("no-at-sign").error().kind, ErrorKind::syntax);
}

TEST_F(AccountTest, Utf8LocalPart) {
  add_domain("example.org");
  add_user("jörg@example.org");
  auto found = dir().find_user("jörg@EXAMPLE.ORG");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->address, "jörg@example.org");
}

TEST_F(AccountTest, Errors) {
  add_domain("example.org");
  EXPECT_TRUE(fails_with(dir().add_user("alice", "pw"), ErrorKind::syntax,
                         "invalid address 'alice': missing @ in address"));
  EXPECT_TRUE(fails_with(dir().add_user("a..b@example.org", "pw"), ErrorKind::syntax,
                         "invalid address 'a..b@example.org': invalid local part 'a..b'"));
  EXPECT_TRUE(fails_with(dir().add_user("alice@example.com", "pw"), ErrorKind::user,
                         "unknown domain 'example.com' (add it with: postern domain add example.com)"));
  EXPECT_TRUE(fails_with(dir().add_user("alice@example.org", ""), ErrorKind::user, "empty password"));
  EXPECT_TRUE(fails_with(dir().add_user("alice@example.org", std::string(1025, 'x')), ErrorKind::user,
                         "password longer than 1024 bytes"));
  add_user("alice@example.org");
  EXPECT_TRUE(fails_with(dir().add_user("ALICE@example.org", "pw"), ErrorKind::user,
                         "user alice@example.org already exists"));
}

TEST_F(AccountTest, UserCannotShadowAnAlias) {
  add_domain("example.org");
  add_alias("info@example.org", {"someone@example.net"});
  EXPECT_TRUE(fails_with(dir().add_user("Info@example.org", "pw"), ErrorKind::user,
                         "info@example.org is already an alias; an account with the same address would never "
                         "receive mail (remove the alias first: postern alias remove info@example.org)"));
}

TEST_F(AccountTest, ListAllOrByDomain) {
  add_domain("example.org");
  add_domain("example.net");
  add_user("zed@example.org");
  add_user("amy@example.org");
  add_user("bob@example.net");
  auto all = dir().list_users();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].address, "amy@example.org");
  EXPECT_EQ((*all)[1].address, "bob@example.net");
  EXPECT_EQ((*all)[2].address, "zed@example.org");
  auto org = dir().list_users("EXAMPLE.org");
  ASSERT_TRUE(org);
  ASSERT_EQ(org->size(), 2u);
  EXPECT_EQ((*org)[0].address, "amy@example.org");
  EXPECT_TRUE(fails_with(dir().list_users("example.com"), ErrorKind::user,
                         "unknown domain 'example.com' (add it with: postern domain add example.com)"));
  EXPECT_EQ(dir().list_users("bad domain").error().kind, ErrorKind::syntax);
}

TEST_F(AccountTest, RemoveDeletesMailboxesMailAndGrants) {
  add_domain("example.org");
  int64_t id = add_user("alice@example.org");
  add_user("bob@example.org");
  ASSERT_TRUE(dir().grant_sendas("info@example.org", "alice@example.org"));
  // A message with a blob, as delivery would store it.
  ASSERT_TRUE(db().exec("INSERT INTO blobs (hash, size, refcount) VALUES ('h1', 10, 1)"));
  ASSERT_TRUE(db().exec("INSERT INTO messages (account_id, blob_hash, size, internal_date) VALUES (" +
                        std::to_string(id) + ", 'h1', 10, 0)"));

  EXPECT_TRUE(fails_with(dir().remove_user("carol@example.org"), ErrorKind::user,
                         "unknown user 'carol@example.org'"));
  ASSERT_TRUE(dir().remove_user("Alice@Example.org"));
  EXPECT_FALSE(dir().find_user("alice@example.org")->has_value());
  EXPECT_EQ(count(db(), "SELECT COUNT(*) FROM mailboxes WHERE account_id = ?", id), 0);
  EXPECT_EQ(count(db(), "SELECT COUNT(*) FROM messages WHERE account_id = ?", id), 0);
  EXPECT_EQ(count(db(), "SELECT COUNT(*) FROM sendas WHERE account_id = ?", id), 0);
  EXPECT_EQ(count(db(), "SELECT refcount FROM blobs WHERE size = ?", 10), 0);
  EXPECT_EQ(dir().list_users()->size(), 1u);
}

TEST_F(AccountTest, AuthenticateChecksPassword) {
  add_domain("example.org");
  int64_t id = add_user("alice@example.org", "s3cret");
  auto ok = dir().authenticate("ALICE@example.org", "s3cret");
  ASSERT_TRUE(ok);
  ASSERT_TRUE(ok->has_value());
  EXPECT_EQ((*ok)->id, id);
  EXPECT_EQ((*ok)->address, "alice@example.org");

  auto wrong = dir().authenticate("alice@example.org", "S3cret");
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong->has_value());
  auto nobody = dir().authenticate("nobody@example.org", "s3cret");
  ASSERT_TRUE(nobody);
  EXPECT_FALSE(nobody->has_value());
  auto garbage = dir().authenticate("not an address", "s3cret");
  ASSERT_TRUE(garbage);
  EXPECT_FALSE(garbage->has_value());
}

TEST_F(AccountTest, SetPasswordReplacesTheOldOne) {
  add_domain("example.org");
  add_user("alice@example.org", "old");
  ASSERT_TRUE(dir().set_password("alice@EXAMPLE.org", "new"));
  EXPECT_FALSE(dir().authenticate("alice@example.org", "old")->has_value());
  EXPECT_TRUE(dir().authenticate("alice@example.org", "new")->has_value());
  EXPECT_TRUE(fails_with(dir().set_password("bob@example.org", "x"), ErrorKind::user,
                         "unknown user 'bob@example.org'"));
  EXPECT_TRUE(fails_with(dir().set_password("alice@example.org", ""), ErrorKind::user, "empty password"));
}

}  // namespace
}  // namespace postern::directory::testing

namespace postern::directory::testing {
namespace {

// The failure path for an unknown address must cost an Argon2 verification
// too; otherwise response time tells which accounts exist.
TEST_F(AccountTest, UnknownUserTakesComparableTime) {
  add_domain("example.org");
  set_password_cost_for_tests(false);
  add_user("alice@example.org", "s3cret");
  // The fastest of a few tries each: a single sample is at the mercy of
  // whatever else the machine is doing (a one-off failure under load).
  auto time = [&](const char* address) {
    auto best = std::chrono::steady_clock::duration::max();
    for (int i = 0; i < 5; ++i) {
      auto start = std::chrono::steady_clock::now();
      EXPECT_FALSE(dir().authenticate(address, "wrong")->has_value());
      best = std::min(best, std::chrono::steady_clock::now() - start);
    }
    return best;
  };
  (void)time("nobody@example.org");  // makes the dummy hash once
  auto known = time("alice@example.org");
  auto unknown = time("nobody@example.org");
  set_password_cost_for_tests(true);
  EXPECT_GT(unknown * 2, known);
  EXPECT_GT(known * 2, unknown);
}

}  // namespace
}  // namespace postern::directory::testing

namespace postern::directory::testing {
namespace {

TEST(CanonicalAddress, LowerCasesAsciiOnly) {
  EXPECT_EQ(*canonical_address("Alice.Smith@Example.ORG"), "alice.smith@example.org");
  EXPECT_EQ(*canonical_address("JÖRG@Example.org"), "jÖrg@example.org");
  EXPECT_EQ(*canonical_address("\"Alice\"@example.org"), "alice@example.org");
  EXPECT_TRUE(fails_with(canonical_address("@example.org"), ErrorKind::syntax,
                         "invalid address '@example.org': empty local part"));
}

TEST_F(AccountTest, CheckNewUserMatchesAddUser) {
  add_domain("example.org");
  add_user("alice@example.org");
  add_alias("info@example.org", {"alice@example.org"});
  EXPECT_TRUE(dir().check_new_user("bob@example.org"));
  EXPECT_TRUE(fails_with(dir().check_new_user("Alice@example.org"), ErrorKind::user,
                         "user alice@example.org already exists"));
  EXPECT_EQ(dir().check_new_user("info@example.org").error().kind, ErrorKind::user);
  EXPECT_TRUE(fails_with(dir().check_new_user("bob@example.com"), ErrorKind::user,
                         "unknown domain 'example.com' (add it with: postern domain add example.com)"));
  EXPECT_EQ(dir().check_new_user("bob").error().kind, ErrorKind::syntax);
}

}  // namespace
}  // namespace postern::directory::testing
