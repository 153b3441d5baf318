// Our signer against our verifier, for both algorithms: round trips, the
// signed-header set, folding, tampering, and every key-lookup verdict.
#include <gtest/gtest.h>

#include <map>

#include "mailauth/base64.hpp"
#include "mailauth/dkim_hash.hpp"
#include "mailauth/dkim_sign.hpp"
#include "mailauth/dkim_verify.hpp"
#include "mailauth/key_record.hpp"
#include "mime/header.hpp"

namespace postern::mailauth {
namespace {

constexpr int64_t kT = 1760000000;

constexpr std::string_view kMessage =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.net\r\n"
    "Subject: Lunch\r\n"
    "Date: Thu, 09 Oct 2025 10:00:00 +0000\r\n"
    "Message-ID: <1@example.org>\r\n"
    "Received: from somewhere\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Shall we meet at noon?  \r\n"
    "\r\n"
    "Alice\r\n"
    "\r\n";

const PrivateKey& key_of(KeyType type) {
  // Generating a 2048-bit RSA key takes a while: once per test binary.
  static const PrivateKey rsa = *PrivateKey::generate(KeyType::rsa);
  static const PrivateKey ed = *PrivateKey::generate(KeyType::ed25519);
  return type == KeyType::rsa ? rsa : ed;
}

// A tiny DNS: name -> lookup answer.
struct Zone {
  std::map<std::string, KeyLookup> names;
  void publish(const std::string& name, const std::string& txt) { names[name] = {KeyLookup::Status::found, {txt}}; }
  KeyLookupFn fn() const {
    return [this](const std::string& name) {
      auto it = names.find(name);
      return it == names.end() ? KeyLookup{KeyLookup::Status::not_found, {}} : it->second;
    };
  }
};

std::string sign(std::string_view message, KeyType type, const std::string& selector = "s1") {
  auto field = dkim_sign(message, key_of(type), SignOptions{"example.org", selector, kT});
  EXPECT_TRUE(field) << field.error().message;
  return *field + std::string(message);
}

Zone zone_for(KeyType type, const std::string& selector = "s1") {
  Zone z;
  z.publish(key_record_name(selector, "example.org"), format_key_record(key_of(type)));
  return z;
}

DkimResult verify_one(std::string_view signed_message, const Zone& zone, int64_t now = kT + 10) {
  auto results = verify_message(signed_message, zone.fn(), now);
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? DkimResult{} : results[0];
}

class SignVerify : public ::testing::TestWithParam<KeyType> {};

TEST_P(SignVerify, RoundTrip) {
  std::string m = sign(kMessage, GetParam());
  auto zone = zone_for(GetParam());
  auto r = verify_one(m, zone);
  EXPECT_EQ(r.status, DkimStatus::pass) << r.reason;
  EXPECT_EQ(r.domain, "example.org");
  EXPECT_EQ(r.selector, "s1");
  EXPECT_EQ(r.algorithm, algorithm_name(GetParam()));
}

TEST_P(SignVerify, FieldShape) {
  auto field = *dkim_sign(kMessage, key_of(GetParam()), SignOptions{"example.org", "s1", kT});
  EXPECT_TRUE(field.starts_with("DKIM-Signature: v=1; a=" + std::string(algorithm_name(GetParam())) +
                                "; c=relaxed/relaxed; d=example.org; s=s1;"))
      << field;
  ASSERT_TRUE(field.ends_with("\r\n"));
  // Folded: every line within 78 columns (a leading TAB counted as 8).
  size_t start = 0;
  while (start < field.size()) {
    size_t end = field.find("\r\n", start);
    std::string_view line(field.data() + start, end - start);
    size_t width = line.starts_with('\t') ? line.size() + 7 : line.size();
    EXPECT_LE(width, kMaxSignatureLine) << line;
    start = end + 2;
  }
  auto parsed = parse_dkim_signature(field.substr(field.find(':') + 1));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->timestamp, kT);
  EXPECT_FALSE(parsed->body_length);  // l= is never used when signing
  EXPECT_EQ(parsed->identity, "@example.org");
}

TEST_P(SignVerify, BodyTamperingFails) {
  std::string m = sign(kMessage, GetParam());
  m.replace(m.find("noon"), 4, "nine");
  auto r = verify_one(m, zone_for(GetParam()));
  EXPECT_EQ(r.status, DkimStatus::fail);
  EXPECT_EQ(r.reason, "body hash did not verify");
}

TEST_P(SignVerify, HeaderTamperingFails) {
  std::string m = sign(kMessage, GetParam());
  m.replace(m.find("Subject: Lunch"), 14, "Subject: Lunc!");
  auto r = verify_one(m, zone_for(GetParam()));
  EXPECT_EQ(r.status, DkimStatus::fail);
  EXPECT_EQ(r.reason, "signature did not verify");
}

TEST_P(SignVerify, AddedOversignedHeadersFail) {
  // Oversigning: a second From, or a Reply-To that was not there, breaks it.
  for (std::string_view added : {"From: Mallory <m@evil.example>\r\n", "Reply-To: m@evil.example\r\n",
                                 "Content-Type: text/html\r\n"}) {
    std::string m = sign(kMessage, GetParam());
    m.insert(m.find("\r\n\r\n") + 2, added);
    EXPECT_EQ(verify_one(m, zone_for(GetParam())).status, DkimStatus::fail) << added;
  }
}

TEST_P(SignVerify, ToleratedChanges) {
  // Relaxed/relaxed: whitespace and folding changes, unsigned headers added
  // (a Received line on the way), trailing blank lines.
  std::string m = sign(kMessage, GetParam());
  m = "Received: by relay.example.net\r\n" + m;
  m.replace(m.find("To: bob@example.net"), 19, "to:\r\n\t bob@example.net ");
  m.replace(m.find("Shall we"), 8, "Shall \t we");
  m += "\r\n\r\n";
  auto r = verify_one(m, zone_for(GetParam()));
  EXPECT_EQ(r.status, DkimStatus::pass) << r.reason;
}

TEST_P(SignVerify, BareLfMessageVerifiesAfterCrlfConversion) {
  // A message handed over with LF line endings is signed as if it had CRLF,
  // which is what it has on the wire.
  std::string lf;
  for (char c : kMessage)
    if (c != '\r') lf += c;
  auto field = *dkim_sign(lf, key_of(GetParam()), SignOptions{"example.org", "s1", kT});
  std::string wire = field + std::string(kMessage);
  EXPECT_EQ(verify_one(wire, zone_for(GetParam())).status, DkimStatus::pass);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignVerify, ::testing::Values(KeyType::rsa, KeyType::ed25519),
                         [](const auto& info) { return std::string(key_type_name(info.param)); });

TEST(Sign, HeaderSelection) {
  // Present headers once each, oversigned ones once more, absent oversigned
  // ones once (absence signed), unsigned ones (Received) never.
  auto names = signed_header_list(kMessage);
  std::string h;
  for (const auto& n : names) h += n + ":";
  EXPECT_EQ(h,
            "from:from:reply-to:sender:subject:subject:date:date:to:to:cc:message-id:message-id:in-reply-to:"
            "references:mime-version:mime-version:content-type:content-type:content-transfer-encoding:");
}

TEST(Sign, TwoFromFieldsBothSignedPlusOne) {
  std::string m = "From: a@example.org\r\nFrom: b@example.org\r\n\r\nx\r\n";
  auto names = signed_header_list(m);
  EXPECT_EQ(std::count(names.begin(), names.end(), "from"), 3);
}

TEST(Sign, NoFromIsRefused) {
  auto r = dkim_sign("Subject: x\r\n\r\nbody\r\n", key_of(KeyType::ed25519), SignOptions{"example.org", "s", kT});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::user);
}

TEST(Sign, EmptyBody) {
  std::string m = sign("From: a@example.org\r\n\r\n", KeyType::ed25519);
  EXPECT_NE(m.find("bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), std::string::npos);  // SHA-256("")
  EXPECT_EQ(verify_one(m, zone_for(KeyType::ed25519)).status, DkimStatus::pass);
}

// --- verdicts from the key lookup and the signature tags -----------------------------

TEST(Verify, UnsignedMessageHasNoResults) {
  Zone z;
  EXPECT_TRUE(verify_message(kMessage, z.fn(), kT).empty());
}

TEST(Verify, KeyLookupVerdicts) {
  std::string m = sign(kMessage, KeyType::ed25519);
  const std::string name = "s1._domainkey.example.org";
  Zone z;
  auto r = verify_one(m, z);
  EXPECT_EQ(r.status, DkimStatus::permerror);
  EXPECT_EQ(r.reason, "no key record at " + name);

  z.names[name] = {KeyLookup::Status::temporary_failure, {}};
  EXPECT_EQ(verify_one(m, z).status, DkimStatus::temperror);

  z.publish(name, "v=DKIM1; k=ed25519; p=");
  r = verify_one(m, z);
  EXPECT_EQ(r.status, DkimStatus::permerror);
  EXPECT_EQ(r.reason, "key revoked (empty p=)");

  z.publish(name, format_key_record(key_of(KeyType::rsa)));
  r = verify_one(m, z);
  EXPECT_EQ(r.status, DkimStatus::permerror);
  EXPECT_EQ(r.reason, "key type k=rsa does not match a=ed25519-sha256");

  z.publish(name, "v=DKIM1; k=ed25519; p=AAAA");
  r = verify_one(m, z);
  EXPECT_EQ(r.status, DkimStatus::permerror);
  EXPECT_NE(r.reason.find("32 bytes"), std::string::npos) << r.reason;

  z.publish(name, "garbage without tags");
  EXPECT_EQ(verify_one(m, z).status, DkimStatus::permerror);

  z.publish(name, format_key_record(key_of(KeyType::ed25519)) + "; s=web");
  EXPECT_EQ(verify_one(m, z).reason, "key record is not for email (s=)");

  z.publish(name, "v=DKIM1; k=ed25519; h=sha1; p=" + base64_encode(key_of(KeyType::ed25519).public_key_data()));
  EXPECT_EQ(verify_one(m, z).reason, "key record does not allow sha256 (h=)");

  z.publish(name, "v=DKIM1; k=ed25519; t=y; p=" + base64_encode(key_of(KeyType::ed25519).public_key_data()));
  r = verify_one(m, z);
  EXPECT_EQ(r.status, DkimStatus::pass);
  EXPECT_TRUE(r.testing);

  // Several TXT records: the first that parses is used.
  z.names[name] = {KeyLookup::Status::found, {"not a key", format_key_record(key_of(KeyType::ed25519))}};
  EXPECT_EQ(verify_one(m, z).status, DkimStatus::pass);
}

TEST(Verify, PkcsOneRsaKeyAccepted) {
  // Some publishers put a bare RSAPublicKey in p=; its DER is the BIT
  // STRING inside SubjectPublicKeyInfo (which for RSA starts at offset 24).
  std::string m = sign(kMessage, KeyType::rsa);
  std::string spki = key_of(KeyType::rsa).public_key_data();
  Zone z;
  z.publish("s1._domainkey.example.org", "v=DKIM1; p=" + base64_encode(spki.substr(24)));
  auto r = verify_one(m, z);
  EXPECT_EQ(r.status, DkimStatus::pass) << r.reason;
}

TEST(Verify, ShortRsaKeyRejected) {
  auto small = PrivateKey::generate(KeyType::rsa, 1024);
  ASSERT_TRUE(small);
  EXPECT_FALSE(PrivateKey::generate(KeyType::rsa, 512));  // RFC 8301: < 1024 bits never
  std::string m = *dkim_sign(kMessage, *small, SignOptions{"example.org", "s1", kT}) + std::string(kMessage);
  Zone z;
  z.publish("s1._domainkey.example.org", format_key_record(*small));
  EXPECT_EQ(verify_one(m, z).status, DkimStatus::pass);  // 1024 is the minimum, still accepted
}

TEST(Verify, SignatureTagVerdicts) {
  auto zone = zone_for(KeyType::ed25519);
  // Unknown algorithm: neutral (RFC 8301 removed rsa-sha1).
  std::string m = "DKIM-Signature: v=1; a=rsa-sha1; d=example.org; s=s1; h=from; bh=AAAA; b=AAAA\r\n" +
                  std::string(kMessage);
  auto r = verify_one(m, zone);
  EXPECT_EQ(r.status, DkimStatus::neutral);
  EXPECT_EQ(r.reason, "unsupported algorithm a=rsa-sha1");
  // Syntax errors: permerror with the parser's reason.
  m = "DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=s1; h=to; bh=AAAA; b=AAAA\r\n" + std::string(kMessage);
  r = verify_one(m, zone);
  EXPECT_EQ(r.status, DkimStatus::permerror);
  EXPECT_EQ(r.reason, "From is not signed (h= lacks from)");
}

TEST(Verify, ExpiredSignatureFails) {
  // Built by hand with x=; the signer itself does not set expirations.
  std::string unsigned_field =
      "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org; s=s1; t=100; x=200; h=from:subject; "
      "bh=" + base64_encode(*body_hash("Shall we meet at noon?  \r\n\r\nAlice\r\n\r\n", Canon::relaxed)) + "; b=";
  std::string m = unsigned_field + "\r\n" + std::string(kMessage);
  auto headers = mime::parse_header_section(m);
  auto input = header_hash_input(select_headers(headers, {"from", "subject"}), Canon::relaxed, "DKIM-Signature",
                                 headers.fields[0].value);
  std::string signed_m = unsigned_field + base64_encode(*key_of(KeyType::ed25519).sign(input)) + "\r\n" + std::string(kMessage);
  auto zone = zone_for(KeyType::ed25519);
  EXPECT_EQ(verify_one(signed_m, zone, 150).status, DkimStatus::pass);
  auto r = verify_one(signed_m, zone, 201);
  EXPECT_EQ(r.status, DkimStatus::fail);
  EXPECT_EQ(r.reason, "signature expired");
}

TEST(Verify, BodyLengthLimit) {
  // l= hashes a prefix of the canonical body; an l= longer than the
  // canonical body is an error.
  std::string body = "Shall we meet at noon?  \r\n\r\nAlice\r\n\r\n";
  auto prefix = body_hash(body, Canon::relaxed, 10);
  ASSERT_TRUE(prefix);
  EXPECT_EQ(*prefix, sha256("Shall we m"));
  auto whole = body_hash(body, Canon::relaxed, 33);  // "Shall we meet at noon?\r\n\r\nAlice\r\n"
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, *body_hash(body, Canon::relaxed));
  EXPECT_FALSE(body_hash(body, Canon::relaxed, 34));
}

TEST(Verify, RemoveBValue) {
  EXPECT_EQ(remove_b_value(" v=1; bh=AB; b=CD\r\n EF"), " v=1; bh=AB; b=");
  EXPECT_EQ(remove_b_value(" b = CD ; v=1"), " b =; v=1");
  EXPECT_EQ(remove_b_value("v=1; bh=AB"), "v=1; bh=AB");
}

TEST(Verify, SignatureCountIsBounded) {
  std::string m(kMessage);
  for (int i = 0; i < 20; ++i)
    m = "DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=s1; h=from; bh=AAAA; b=AAAA\r\n" + m;
  int lookups = 0;
  auto results = verify_message(m, [&](const std::string&) {
    ++lookups;
    return KeyLookup{KeyLookup::Status::not_found, {}};
  }, kT);
  EXPECT_EQ(results.size(), kMaxSignaturesVerified);
  EXPECT_EQ(lookups, static_cast<int>(kMaxSignaturesVerified));
}

}  // namespace
}  // namespace postern::mailauth
