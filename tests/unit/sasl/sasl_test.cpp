// SASL pieces: strict base64, PLAIN (RFC 4616) and SCRAM-SHA-256 against the
// example exchange of RFC 7677 §3.
#include <gtest/gtest.h>

#include "sasl/base64.hpp"
#include "sasl/plain.hpp"
#include "sasl/scram.hpp"

namespace postern::sasl {
namespace {

TEST(Base64, StrictRoundTrip) {
  for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9v YmFy"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9"), std::nullopt);
  EXPECT_EQ(base64_decode("Zg==Zg=="), std::nullopt);
  EXPECT_EQ(base64_decode("Z==="), std::nullopt);
}

TEST(Plain, ParsesAndRejects) {
  auto c = parse_plain(std::string("\0alice\0secret", 13));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->authcid, "alice");
  EXPECT_EQ(c->password, "secret");
  EXPECT_EQ(c->authzid, "");
  EXPECT_FALSE(parse_plain("alice").ok());
  EXPECT_FALSE(parse_plain(std::string("\0\0pw", 4)).ok());
  EXPECT_FALSE(parse_plain(std::string("a\0b\0c\0d", 7)).ok());
}

// RFC 7677 §3: user "user", password "pencil".
TEST(Scram, Rfc7677Example) {
  auto creds = make_scram_credentials("pencil", 4096, *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="));
  ScramServer server("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
  auto user = server.client_first("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(*user, "user");
  EXPECT_EQ(server.server_first(creds),
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  auto final = server.client_final(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_TRUE(final.ok()) << final.error().message;
  EXPECT_EQ(*final, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

TEST(Scram, WrongProofUnknownUserAndMalformed) {
  auto creds = make_scram_credentials("pencil", 4096, *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="));
  ScramServer server("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
  ASSERT_TRUE(server.client_first("n,,n=user,r=rOprNGfwEbeRWgbNEkqO").ok());
  server.server_first(creds);
  auto bad = server.client_final(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=AHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::user);

  ScramServer unknown;
  ASSERT_TRUE(unknown.client_first("n,,n=nobody,r=abc").ok());
  auto first = unknown.server_first(std::nullopt);
  EXPECT_NE(first.find(",s="), std::string::npos);  // looks like any other user
  EXPECT_FALSE(unknown.client_final("c=biws,r=wrong,p=dHzb").ok());

  ScramServer s;
  EXPECT_FALSE(s.client_first("p=tls-unique,,n=user,r=x").ok());
  EXPECT_FALSE(s.client_first("n,,r=x").ok());
  EXPECT_FALSE(s.client_first("n,,n=us=ZZer,r=x").ok());
  EXPECT_FALSE(s.client_first("n,a=other,n=user,r=x").ok());
  EXPECT_TRUE(s.client_first("n,a=user,n=user,r=x").ok());
  EXPECT_EQ(ScramServer().client_final("c=biws,r=x,p=AAAA").error().kind, ErrorKind::syntax);
}

TEST(Scram, CredentialsEncodeDecode) {
  auto c = make_scram_credentials("secret", 4096);
  auto d = ScramCredentials::decode(c.encode());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->stored_key, c.stored_key);
  EXPECT_EQ(d->server_key, c.server_key);
  EXPECT_EQ(d->salt, c.salt);
  EXPECT_EQ(d->iterations, 4096u);
  EXPECT_FALSE(ScramCredentials::decode("SCRAM-SHA-256$x$a$b$c"));
  EXPECT_FALSE(ScramCredentials::decode("$argon2id$v=19$m=65536"));
}

}  // namespace
}  // namespace postern::sasl
