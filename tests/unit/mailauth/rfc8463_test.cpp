// RFC 8463 Appendix A: the published example, a message signed by
// football.example.com with Ed25519 (selector brisbane) and RSA (selector
// test). An outside test vector for canonicalization, hashing and both
// algorithms; transcribed from the RFC (A.2 keys, A.3 signed message).
#include <gtest/gtest.h>

#include <map>

#include "mailauth/base64.hpp"
#include "mailauth/dkim_hash.hpp"
#include "mailauth/dkim_key.hpp"
#include "mailauth/dkim_verify.hpp"
#include "mime/header.hpp"

namespace postern::mailauth {
namespace {

// A.2: the Ed25519 secret key (RFC 8032 §7.1 TEST 1) and the DNS records.
constexpr std::string_view kEd25519Seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
constexpr std::string_view kBrisbaneRecord = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr std::string_view kTestRecord =
    "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
    "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
    "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
    "Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

// A.3: the signed message.
constexpr std::string_view kSigned =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
    " subject : date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    " d=football.example.com; i=@football.example.com;\r\n"
    " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
    " date : message-id : from : subject : date;\r\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
    " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
    " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
    "From: Joe SixPack <joe@football.example.com>\r\n"
    "To: Suzie Q <suzie@shopping.example.net>\r\n"
    "Subject: Is dinner ready?\r\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    "\r\n"
    "Hi.\r\n"
    "\r\n"
    "We lost the game.  Are you hungry yet?\r\n"
    "\r\n"
    "Joe.\r\n";

KeyLookup rfc_dns(const std::string& name) {
  static const std::map<std::string, std::string_view> zone = {
      {"brisbane._domainkey.football.example.com", kBrisbaneRecord},
      {"test._domainkey.football.example.com", kTestRecord},
  };
  auto it = zone.find(name);
  if (it == zone.end()) return {KeyLookup::Status::not_found, {}};
  return {KeyLookup::Status::found, {std::string(it->second)}};
}

constexpr int64_t kNow = 1528637909 + 60;

TEST(Rfc8463, BothSignaturesVerify) {
  auto results = verify_message(kSigned, rfc_dns, kNow);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, DkimStatus::pass) << results[0].reason;
  EXPECT_EQ(results[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(results[0].selector, "brisbane");
  EXPECT_EQ(results[0].domain, "football.example.com");
  EXPECT_EQ(results[0].identity, "@football.example.com");
  EXPECT_EQ(results[1].status, DkimStatus::pass) << results[1].reason;
  EXPECT_EQ(results[1].algorithm, "rsa-sha256");
  EXPECT_EQ(results[1].selector, "test");
}

TEST(Rfc8463, BodyHashMatches) {
  auto headers = mime::parse_header_section(kSigned);
  auto bh = body_hash(std::string_view(kSigned).substr(headers.body_offset), Canon::relaxed);
  ASSERT_TRUE(bh);
  EXPECT_EQ(base64_encode(*bh), "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
}

TEST(Rfc8463, Ed25519SigningReproducesThePublishedSignature) {
  // Ed25519 is deterministic: signing the same header hash input with the
  // RFC's secret key must give the published b= byte for byte.
  auto seed = base64_decode(kEd25519Seed);
  ASSERT_TRUE(seed);
  auto key = PrivateKey::from_ed25519_seed(*seed);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(base64_encode(key->public_key_data()), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");

  auto found = find_signatures(kSigned);
  ASSERT_EQ(found.size(), 2u);
  ASSERT_TRUE(found[0].parsed);
  auto headers = mime::parse_header_section(kSigned);
  auto input = header_hash_input(select_headers(headers, found[0].parsed->signed_headers), Canon::relaxed,
                                 found[0].field.name, remove_b_value(found[0].field.value));
  auto sig = key->sign(input);
  ASSERT_TRUE(sig);
  EXPECT_EQ(base64_encode(*sig),
            "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
}

TEST(Rfc8463, OversignedHeadersSelectNothing) {
  // h= lists from/subject/date twice: the second instance does not exist,
  // which signs its absence (RFC 6376 §5.4.2).
  auto found = find_signatures(kSigned);
  auto headers = mime::parse_header_section(kSigned);
  auto selected = select_headers(headers, found[0].parsed->signed_headers);
  ASSERT_EQ(selected.size(), 8u);
  for (size_t i = 0; i < 5; ++i) EXPECT_NE(selected[i], nullptr) << i;
  for (size_t i = 5; i < 8; ++i) EXPECT_EQ(selected[i], nullptr) << i;
}

TEST(Rfc8463, TamperedCopiesFail) {
  std::string body_changed(kSigned);
  body_changed.replace(body_changed.find("hungry"), 6, "thirsty");
  for (const auto& r : verify_message(body_changed, rfc_dns, kNow)) {
    EXPECT_EQ(r.status, DkimStatus::fail);
    EXPECT_EQ(r.reason, "body hash did not verify");
  }
  std::string subject_changed(kSigned);
  subject_changed.replace(subject_changed.find("dinner"), 6, "lunch!");
  for (const auto& r : verify_message(subject_changed, rfc_dns, kNow)) {
    EXPECT_EQ(r.status, DkimStatus::fail);
    EXPECT_EQ(r.reason, "signature did not verify");
  }
  // Adding a second Subject is caught by the oversigned "subject" entry.
  std::string subject_added(kSigned);
  subject_added.insert(subject_added.find("\r\n\r\nHi."), "\r\nSubject: Free money");
  for (const auto& r : verify_message(subject_added, rfc_dns, kNow)) EXPECT_EQ(r.status, DkimStatus::fail);
  // Relaxed canonicalization survives re-folding and case changes in names.
  std::string refolded(kSigned);
  refolded.replace(refolded.find("Subject: Is dinner"), 18, "SUBJECT:   Is\r\n\tdinner");
  for (const auto& r : verify_message(refolded, rfc_dns, kNow)) EXPECT_EQ(r.status, DkimStatus::pass) << r.reason;
}

}  // namespace
}  // namespace postern::mailauth
