// Imported password hashes: known vectors for every accepted scheme (made
// with `doveadm pw -s SCHEME -p 'pässword-SCHEME'` from Debian's
// dovecot-core 2.3, and Python's crypt for DES/MD5), wrong passwords,
// malformed hashes, and the upgrade to Argon2id at the first login.
#include "directory/legacy_password.hpp"

#include "directory_fixture.hpp"

namespace postern::directory::testing {
namespace {

struct Vector {
  const char* scheme;
  const char* password;
  const char* hash;
};

const Vector kVectors[] = {
    {"SHA512-CRYPT", "pässword-SHA512-CRYPT",
     "{SHA512-CRYPT}$6$ORdjk5m1PF3lN1lC$AijkhKINgwAONRnp5gR19mSrpiEzG.IMYVfXoh1BrLtW3eREH9KD6JHjwb0ehr07VmbS30dgck2kebjGu4dG40"},
    {"SHA256-CRYPT", "pässword-SHA256-CRYPT",
     "{SHA256-CRYPT}$5$omKBrGbAf1on5I8U$WhvenrPqPFMtUhg0kbYLVIluh88.Li7vlv.jnnMAwJB"},
    {"BLF-CRYPT", "pässword-BLF-CRYPT", "{BLF-CRYPT}$2y$05$iiEgxv/b95fIDcUcjNS3wewNvik1NS1ttPkgAxx/N.oRakmAD81iq"},
    {"SSHA512", "pässword-SSHA512",
     "{SSHA512}eyMng5iY25wvLJbr0n2URewm/xwuU7flUGMBARt/heFaZFVdCjkM6+RvAqYKR+/J/DNriPM2Imbq7sY6LHanLXF7smo="},
    {"SSHA256", "pässword-SSHA256", "{SSHA256}322CgRgizb4wMKOokN/exSgFhfNMqgnSJ6Z6N6m8nx/7aM9A"},
    {"ARGON2I", "pässword-ARGON2I",
     "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$/JFms6DzKEdWYZMbhmI22w$BwuYykeTy3LWQouaZXlU/ilm/C91BE3LYE8077/FOXw"},
    {"CRYPT", "pässword-CRYPT", "{CRYPT}abRy4/6THFs9U"},  // DES
    {"CRYPT", "pässword-CRYPT", "{CRYPT}$2y$05$GlqkrBtgcqZ07Zl3WIKKbuYWL5kHSUF/NS9MxEseUfDhJX.Mn8jra"},
    {"MD5-CRYPT", "pässword-MD5-CRYPT", "{MD5-CRYPT}$1$BUezns9W$YsSy7jgopUWprRTNE6Iir."},
    // libxcrypt's crypt_gensalt("$y$", 5) (Debian 11+'s /etc/shadow default) and explicit rounds=
    {"CRYPT", "pässword-YESCRYPT", "{CRYPT}$y$j9T$HBuV/4gjzsl6n/GNV7eAj0$uS1kQaHvSkpC91tt1diR1rLa.AkHiEoc3WMwSEt3I/8"},
    {"SHA512-CRYPT", "pässword-ROUNDS",
     "$6$rounds=20000$abcdefgh$...GaI1GG8X5Nvqu./uC1n7yANl0u.WXHHgv/Ge.gyy3Zdv/JQ06xvFll.caA/MDkzIOd.cSE1PSZ6W2runOM/"},
};

constexpr const char* kArgon2idVector =
    "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$EjVh5a7Rs0LGOiuT3EjfEw$FntN1fv7bwArce3UIkrfh0WTsi2buj9i2xCdda6WdAo";

TEST(LegacyPassword, KnownVectorsVerify) {
  for (const auto& v : kVectors) {
    auto stored = normalize_imported_hash(v.hash);
    ASSERT_TRUE(stored) << v.hash << ": " << stored.error().message;
    EXPECT_TRUE(verify_password(v.password, *stored)) << v.hash;
    // (A changed first character: DES crypt only looks at the first 8.)
    EXPECT_FALSE(verify_password("x" + std::string(v.password), *stored)) << v.hash;
    EXPECT_FALSE(verify_password("", *stored)) << v.hash;
    EXPECT_EQ(stored_hash_scheme(*stored), v.scheme);
  }
}

TEST(LegacyPassword, Argon2idIsStoredInOurOwnForm) {
  auto stored = normalize_imported_hash(kArgon2idVector);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password("pässword-ARGON2ID", *stored));
  EXPECT_FALSE(verify_password("pässword-ARGON2I", *stored));
  EXPECT_EQ(stored_hash_scheme(*stored), "ARGON2ID");
}

TEST(LegacyPassword, BareCryptStringsGetTheirScheme) {
  auto stored = normalize_imported_hash("$6$ORdjk5m1PF3lN1lC$AijkhKINgwAONRnp5gR19mSrpiEzG.IMYVfXoh1BrLtW3eREH9KD6JHjwb0ehr07VmbS30dgck2kebjGu4dG40");
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->starts_with("{SHA512-CRYPT}$6$"));
  EXPECT_TRUE(verify_password("pässword-SHA512-CRYPT", *stored));
  auto lower = normalize_imported_hash("{sha256-crypt}$5$omKBrGbAf1on5I8U$WhvenrPqPFMtUhg0kbYLVIluh88.Li7vlv.jnnMAwJB");
  ASSERT_TRUE(lower);
  EXPECT_TRUE(lower->starts_with("{SHA256-CRYPT}"));
}

TEST(LegacyPassword, RefusesWhatItCannotVerify) {
  const char* bad[] = {
      "{PLAIN}secret",              // unsupported (and plaintext)
      "{MD5}X03MO1qnZdYdgyfeuILPmQ==",  // unsalted, unsupported
      "{SHA512-CRYPT}$5$abc$def",   // wrong crypt prefix for the scheme
      "{SSHA512}c2hvcnQ=",          // shorter than a digest
      "{SSHA256}!!!notbase64",
      "{BLF-CRYPT}",                // empty
      "plainpassword",              // no scheme
      "",
  };
  for (const char* h : bad) EXPECT_FALSE(normalize_imported_hash(h)) << h;
}

TEST(LegacyPassword, RefusesHashesThatWouldMakeALoginTooCostly) {
  struct Case {
    const char* hash;
    const char* says;
  };
  const Case costly[] = {
      {"{SHA512-CRYPT}$6$rounds=999999999$abcdefgh$xyz", "rounds=999999999"},
      {"{SHA256-CRYPT}$5$rounds=1000001$abcdefgh$xyz", "at most 1,000,000"},
      {"{BLF-CRYPT}$2y$31$GlqkrBtgcqZ07Zl3WIKKbuYWL5kHSUF/NS9MxEseUfDhJX.Mn8jra", "bcrypt cost 31"},
      {"{ARGON2ID}$argon2id$v=19$m=4194304,t=3,p=1$EjVh5a7Rs0LGOiuT3EjfEw$FntN1fv7bwArce3UIkrfh0WTsi2buj9i2xCdda6WdAo",
       "m=4194304"},
      {"{ARGON2I}$argon2i$v=19$m=32768,t=400,p=1$/JFms6DzKEdWYZMbhmI22w$BwuYykeTy3LWQouaZXlU/ilm/C91BE3LYE8077/FOXw",
       "t=400"},
      {"{CRYPT}$y$jFT$HBuV/4gjzsl6n/GNV7eAj0$uS1kQaHvSkpC91tt1diR1rLa.AkHiEoc3WMwSEt3I/8", "yescrypt memory"},
      {"{CRYPT}$7$CU..../....4T849KnNeRT8/JPKtXVsa.", "not accepted"},
  };
  for (const auto& c : costly) {
    auto r = normalize_imported_hash(c.hash);
    ASSERT_FALSE(r) << c.hash;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
  }
  // A valid bcrypt hash of cost 16 (~4 s per check): refused at import, and
  // never verified if it got stored anyway (e.g. by an older postern).
  const char* cost16 = "$2y$16$Iqr67q.0JGm.N87.9KJtvONF7ofea9oDPV/6LsEcHTQoUWPB8V4a2";
  EXPECT_FALSE(normalize_imported_hash(cost16));
  EXPECT_FALSE(verify_password("pässword-COSTLY", std::string("{BLF-CRYPT}") + cost16));
  EXPECT_FALSE(verify_password("x", "$argon2id$v=19$m=4194304,t=3,p=1$EjVh5a7Rs0LGOiuT3EjfEw$FntN1fv7bwArce3UIkrfh0WTsi2buj9i2xCdda6WdAo"));
}

TEST(LegacyPassword, MalformedStoredHashesNeverMatch) {
  EXPECT_FALSE(verify_password("x", "{SHA512-CRYPT}"));
  EXPECT_FALSE(verify_password("x", "{SSHA512}"));
  EXPECT_FALSE(verify_password("x", "{CRYPT}*"));
  EXPECT_FALSE(verify_password("x", "{NOPE}abc"));
  EXPECT_FALSE(verify_password("x", "{SHA512-CRYPT"));
}

using LegacyLoginTest = DirectoryTest;

std::string stored_hash(store::sqlite::Db& db, const std::string& address, bool* has_scram = nullptr) {
  auto st = db.prepare("SELECT password_hash, scram_sha256 IS NOT NULL FROM accounts WHERE address = ?");
  EXPECT_TRUE(st);
  st->bind(1, address);
  EXPECT_TRUE(*st->step());
  if (has_scram) *has_scram = st->int64(1) != 0;
  return st->text(0);
}

TEST_F(LegacyLoginTest, EverySchemeLogsInAndIsUpgradedToArgon2id) {
  add_domain("example.org");
  int n = 0;
  for (const auto& v : kVectors) {
    const std::string address = "user" + std::to_string(n++) + "@example.org";
    auto id = dir().add_user_with_hash(address, v.hash);
    ASSERT_TRUE(id) << v.hash << ": " << id.error().message;
    bool scram = true;
    EXPECT_FALSE(stored_hash(db(), address, &scram).starts_with("$argon2id$"));
    EXPECT_FALSE(scram);
    auto wrong = dir().authenticate(address, "wrong");
    ASSERT_TRUE(wrong);
    EXPECT_FALSE(wrong->has_value());
    EXPECT_EQ(*dir().password_scheme(address), v.scheme);  // a failed login changes nothing
    auto ok = dir().authenticate(address, v.password);
    ASSERT_TRUE(ok);
    ASSERT_TRUE(ok->has_value()) << v.hash;
    EXPECT_TRUE(stored_hash(db(), address, &scram).starts_with("$argon2id$")) << v.hash;
    EXPECT_TRUE(scram);
    EXPECT_EQ(*dir().password_scheme(address), "ARGON2ID");
    // The new hash holds the same password.
    auto again = dir().authenticate(address, v.password);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->has_value());
    auto creds = dir().scram_credentials(address);
    ASSERT_TRUE(creds);
    EXPECT_TRUE(creds->has_value());
  }
}

TEST_F(LegacyLoginTest, ImportedArgon2idGetsScramKeysAtLogin) {
  add_domain("example.org");
  ASSERT_TRUE(dir().add_user_with_hash("a@example.org", kArgon2idVector));
  const std::string before = stored_hash(db(), "a@example.org");
  auto ok = dir().authenticate("a@example.org", "pässword-ARGON2ID");
  ASSERT_TRUE(ok && ok->has_value());
  bool scram = false;
  EXPECT_EQ(stored_hash(db(), "a@example.org", &scram), before);  // already Argon2id: kept
  EXPECT_TRUE(scram);
}

TEST_F(LegacyLoginTest, ImportRefusesDuplicatesAndBadHashes) {
  add_domain("example.org");
  ASSERT_TRUE(dir().add_user_with_hash("a@example.org", kVectors[0].hash));
  EXPECT_FALSE(dir().add_user_with_hash("a@example.org", kVectors[0].hash));
  EXPECT_FALSE(dir().add_user_with_hash("b@example.org", "{PLAIN}x"));
  EXPECT_FALSE(dir().add_user_with_hash("c@unknown.example", kVectors[0].hash));
}

}  // namespace
}  // namespace postern::directory::testing
