// Key files under <data_dir>/dkim: generation, activation for rotation,
// removal, permissions, and the cached signer picking up changes.
#include "mailauth/key_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mailauth/dkim_signer.hpp"
#include "mailauth/dkim_verify.hpp"
#include "mailauth/key_record.hpp"

namespace postern::mailauth {
namespace {

constexpr int64_t kJuly15 = 1784073600;  // 2026-07-15 00:00:00 UTC

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "postern-dkim-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static unsigned mode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 0777;
  }
  std::string dir_;
};

TEST_F(KeyStoreTest, GenerateStoresPrivateKeyFile) {
  KeyStore store(dir_);
  auto k = store.generate("Example.ORG", KeyType::ed25519, std::nullopt, kJuly15);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->domain, "example.org");
  EXPECT_EQ(k->selector, "ed25519-20260715");
  EXPECT_EQ(k->path, dir_ + "/dkim/example.org/ed25519-20260715.key");
  EXPECT_TRUE(k->active);  // first ed25519 key of the domain
  EXPECT_EQ(mode_of(k->path), 0600u);
  EXPECT_EQ(mode_of(dir_ + "/dkim/example.org"), 0700u);
  EXPECT_EQ(mode_of(dir_ + "/dkim/example.org/active"), 0600u);
  // The file is a PEM private key that loads back to the same public key.
  auto loaded = store.load("example.org", k->selector);
  ASSERT_TRUE(loaded);
  std::ifstream in(k->path);
  std::string first_line;
  std::getline(in, first_line);
  EXPECT_EQ(first_line, "-----BEGIN PRIVATE KEY-----");
}

TEST_F(KeyStoreTest, RsaDefaultsTo2048Bits) {
  KeyStore store(dir_);
  auto k = store.generate("example.org", KeyType::rsa, std::nullopt, kJuly15);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->selector, "rsa-20260715");
  EXPECT_EQ(k->bits, 2048u);
  auto key = store.load("example.org", k->selector);
  ASSERT_TRUE(key);
  // The DNS record is longer than one TXT string: it must be split.
  EXPECT_GT(format_key_record(*key).size(), 255u);
  EXPECT_EQ(split_txt_strings(format_key_record(*key)).size(), 2u);
}

TEST_F(KeyStoreTest, RotationNeedsExplicitActivation) {
  KeyStore store(dir_);
  auto first = store.generate("example.org", KeyType::ed25519, std::nullopt, kJuly15);
  auto second = store.generate("example.org", KeyType::ed25519, std::nullopt, kJuly15);
  auto rsa = store.generate("example.org", KeyType::rsa, "mail2026", kJuly15);
  ASSERT_TRUE(first && second && rsa);
  EXPECT_EQ(second->selector, "ed25519-20260715-2");  // same day: numbered
  EXPECT_FALSE(second->active);                          // publish its record first
  EXPECT_TRUE(rsa->active);                              // first RSA key: active

  auto active = store.active_keys("example.org");
  ASSERT_TRUE(active);
  ASSERT_EQ(active->size(), 2u);
  EXPECT_EQ((*active)[0].selector, "ed25519-20260715");
  EXPECT_EQ((*active)[1].selector, "mail2026");

  ASSERT_TRUE(store.activate("example.org", "ed25519-20260715-2"));
  auto list = store.list("example.org");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].selector, "ed25519-20260715");
  EXPECT_FALSE((*list)[0].active);  // replaced by the new ed25519 key
  EXPECT_TRUE((*list)[1].active);
  EXPECT_TRUE((*list)[2].active);   // RSA untouched

  // The old key can go now; an active one cannot.
  auto refused = store.remove("example.org", "mail2026");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("activate another key first"), std::string::npos);
  ASSERT_TRUE(store.remove("example.org", "ed25519-20260715"));
  EXPECT_EQ(store.list()->size(), 2u);
}

TEST_F(KeyStoreTest, Errors) {
  KeyStore store(dir_);
  ASSERT_TRUE(store.generate("example.org", KeyType::ed25519, "sel", kJuly15));
  auto dup = store.generate("example.org", KeyType::ed25519, "SEL", kJuly15);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().message, "a key with selector sel already exists for example.org");
  for (std::string_view bad : {"", "a/b", "..", "-x", "x-", "a..b", "sél", "a_b"})
    EXPECT_FALSE(store.generate("example.org", KeyType::ed25519, bad, kJuly15)) << bad;
  EXPECT_FALSE(store.generate("not a domain", KeyType::ed25519, std::nullopt, kJuly15));
  EXPECT_FALSE(store.activate("example.org", "nope"));
  EXPECT_FALSE(store.remove("example.org", "nope"));
  EXPECT_TRUE(store.list("other.org")->empty());
  EXPECT_TRUE(store.active_keys("other.org")->empty());
  EXPECT_TRUE(parse_selector("s2026.mail"));
}

TEST_F(KeyStoreTest, SignerFollowsActivation) {
  KeyStore store(dir_);
  DkimSigner signer(dir_);
  const std::string message = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
  auto none = signer.sign(message, "example.org", kJuly15);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, "");  // no key: unsigned

  auto k1 = store.generate("example.org", KeyType::ed25519, "one", kJuly15);
  auto k2 = store.generate("example.org", KeyType::ed25519, "two", kJuly15);
  ASSERT_TRUE(k1 && k2);
  auto fields = signer.sign(message, "EXAMPLE.org", kJuly15);
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_NE(fields->find("s=one;"), std::string::npos);

  ASSERT_TRUE(store.activate("example.org", "two"));
  fields = signer.sign(message, "example.org", kJuly15);
  ASSERT_TRUE(fields);
  EXPECT_NE(fields->find("s=two;"), std::string::npos);
  EXPECT_EQ(fields->find("s=one;"), std::string::npos);

  // What it produces verifies against the published record.
  auto key = store.load("example.org", "two");
  KeyLookupFn dns = [&](const std::string& name) {
    if (name != "two._domainkey.example.org") return KeyLookup{KeyLookup::Status::not_found, {}};
    return KeyLookup{KeyLookup::Status::found, {format_key_record(*key)}};
  };
  auto results = verify_message(*fields + message, dns, kJuly15);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, DkimStatus::pass) << results[0].reason;
}

TEST(AuthorDomain, FromTheFromField) {
  EXPECT_EQ(author_domain("From: \"Joe\" <joe@Sub.Example.ORG>\r\n\r\n"), "sub.example.org");
  EXPECT_EQ(author_domain("To: x@y\r\n\r\n"), std::nullopt);
  EXPECT_EQ(author_domain("From: undisclosed-recipients:;\r\n\r\n"), std::nullopt);
}

}  // namespace
}  // namespace postern::mailauth
