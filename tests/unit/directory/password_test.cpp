// Argon2id hashing and verification, production and test cost.
#include <gtest/gtest.h>

#include "directory/directory.hpp"

namespace postern::directory {
namespace {

TEST(Password, HashVerifiesOnlyTheRightPassword) {
  set_password_cost_for_tests(true);
  auto h = hash_password("correct horse");
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->rfind("$argon2id$v=19$", 0), 0u) << *h;
  EXPECT_TRUE(verify_password("correct horse", *h));
  EXPECT_FALSE(verify_password("correct horsE", *h));
  EXPECT_FALSE(verify_password("", *h));
}

TEST(Password, SaltMakesEveryHashDifferent) {
  set_password_cost_for_tests(true);
  auto a = hash_password("same");
  auto b = hash_password("same");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify_password("same", *a));
  EXPECT_TRUE(verify_password("same", *b));
}

TEST(Password, ProductionCostIsArgon2idT3M64MiBP1) {
  set_password_cost_for_tests(false);
  auto h = hash_password("pw");
  set_password_cost_for_tests(true);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=65536,t=3,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(verify_password("pw", *h));
}

TEST(Password, BinaryAndUtf8PasswordsRoundTrip) {
  set_password_cost_for_tests(true);
  const std::string pw = std::string("p\0w", 3) + "ünïcödé";
  auto h = hash_password(pw);
  ASSERT_TRUE(h);
  EXPECT_TRUE(verify_password(pw, *h));
  EXPECT_FALSE(verify_password("p", *h));
}

TEST(Password, MalformedOrForeignHashesNeverMatch) {
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("x", "$argon2id$garbage"));
  EXPECT_FALSE(verify_password("x", "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"));
  EXPECT_FALSE(verify_password("x", "{PLAIN}x"));
}

}  // namespace
}  // namespace postern::directory
