// RFC 6376 §3.5 DKIM-Signature tags and §3.6.1 key records: what parses,
// and the reason given for what does not.
#include "mailauth/dkim_signature.hpp"

#include <gtest/gtest.h>

#include "mailauth/key_record.hpp"

namespace postern::mailauth {
namespace {

constexpr std::string_view kGood =
    " v=1; a=rsa-sha256; c=relaxed/simple; d=Example.ORG; s=Sel1;\r\n"
    "\tt=1700000000; x=1800000000; l=42; i=joe@sub.example.org; q=dns/txt;\r\n"
    "\th=From : To:\r\n subject; bh=AAAA; b=AA\r\n BB";

TEST(DkimSignature, ParsesEveryTag) {
  auto sig = parse_dkim_signature(kGood);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->algorithm, "rsa-sha256");
  EXPECT_EQ(sig->key_type, KeyType::rsa);
  EXPECT_EQ(sig->header_canon, Canon::relaxed);
  EXPECT_EQ(sig->body_canon, Canon::simple);
  EXPECT_EQ(sig->domain, "example.org");
  EXPECT_EQ(sig->selector, "sel1");
  EXPECT_EQ(sig->timestamp, 1700000000);
  EXPECT_EQ(sig->expiration, 1800000000);
  EXPECT_EQ(sig->body_length, 42u);
  EXPECT_EQ(sig->identity, "joe@sub.example.org");
  EXPECT_EQ(sig->signed_headers, (std::vector<std::string>{"From", "To", "subject"}));
  EXPECT_EQ(sig->body_hash, std::string(3, '\0'));
  EXPECT_EQ(sig->signature.size(), 3u);
}

TEST(DkimSignature, Defaults) {
  auto sig = parse_dkim_signature("v=1; a=ed25519-sha256; d=example.org; s=s; h=from; bh=AAAA; b=AAAA");
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->key_type, KeyType::ed25519);
  EXPECT_EQ(sig->header_canon, Canon::simple);  // §3.5 c=: default simple/simple
  EXPECT_EQ(sig->body_canon, Canon::simple);
  EXPECT_EQ(sig->identity, "@example.org");     // §3.5 i=: default "@" d=
  EXPECT_FALSE(sig->body_length);
  EXPECT_FALSE(sig->timestamp);
  auto header_only = parse_dkim_signature("v=1; a=rsa-sha256; c=relaxed; d=e.org; s=s; h=from; bh=AAAA; b=AAAA");
  ASSERT_TRUE(header_only);
  EXPECT_EQ(header_only->header_canon, Canon::relaxed);
  EXPECT_EQ(header_only->body_canon, Canon::simple);  // "relaxed" alone = relaxed/simple
}

TEST(DkimSignature, UnknownAlgorithmIsNotASyntaxError) {
  auto sig = parse_dkim_signature("v=1; a=rsa-sha1; d=example.org; s=s; h=from; bh=AAAA; b=AAAA");
  ASSERT_TRUE(sig);
  EXPECT_FALSE(sig->key_type);  // the verifier reports neutral
}

TEST(DkimSignature, Errors) {
  const std::string base = "a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA; b=AAAA";
  const std::pair<std::string, std::string_view> cases[] = {
      {base, "missing required tag v="},
      {"v=2; " + base, "unsupported version v=2"},
      {"v=1; d=example.org; s=s; h=from; bh=AAAA; b=AAAA", "missing required tag a="},
      {"v=1; a=rsa-sha256; s=s; h=from; bh=AAAA; b=AAAA", "missing required tag d="},
      {"v=1; a=rsa-sha256; d=example.org; h=from; bh=AAAA; b=AAAA", "missing required tag s="},
      {"v=1; a=rsa-sha256; d=example.org; s=s; bh=AAAA; b=AAAA", "missing required tag h="},
      {"v=1; a=rsa-sha256; d=example.org; s=s; h=from; b=AAAA", "missing required tag bh="},
      {"v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA", "missing required tag b="},
      {"v=1; a=rsa-sha256; d=example.org; s=s; h=to:subject; bh=AAAA; b=AAAA", "From is not signed"},  // §5.4
      {"v=1; a=rsa-sha256; d=example.org; s=s; h=from::to; bh=AAAA; b=AAAA", "empty header name"},
      {"v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AA!A; b=AAAA", "bh= is not valid base64"},
      {"v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA; b=", "b= is not valid base64"},
      {"v=1; c=fancy/simple; " + base, "unknown canonicalization"},
      {"v=1; c=relaxed/fancy; " + base, "unknown canonicalization"},
      {"v=1; i=joe@evil.example; " + base, "i= is not within d=example.org"},        // §3.5 i=
      {"v=1; i=joe@badexample.org; " + base, "i= is not within d=example.org"},
      {"v=1; q=http/well-known; " + base, "unsupported query method"},
      {"v=1; l=-1; " + base, "invalid number l="},
      {"v=1; t=12x; " + base, "invalid number t="},
      {"v=1; t=1000; x=999; " + base, "x= is not later than t="},
      {"v=1; v=1; " + base, "duplicate tag 'v'"},
      {"v=1; " + base + "; garbage", "tag without '='"},
  };
  for (const auto& [input, reason] : cases) {
    auto sig = parse_dkim_signature(input);
    ASSERT_FALSE(sig) << input;
    EXPECT_EQ(sig.error().kind, ErrorKind::syntax);
    EXPECT_NE(sig.error().message.find(reason), std::string::npos) << input << " -> " << sig.error().message;
  }
}

TEST(DkimSignature, SubdomainIdentityAccepted) {
  EXPECT_TRUE(parse_dkim_signature("v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA; b=AAAA; i=@a.b.example.org"));
  EXPECT_TRUE(parse_dkim_signature("v=1; a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA; b=AAAA; i=@EXAMPLE.org"));
}

// --- key records (RFC 6376 §3.6.1) -------------------------------------------------

TEST(KeyRecord, ParsesTags) {
  auto rec = parse_key_record("v=DKIM1; k=ed25519; h=sha256:sha1; s=email; t=y:s; n=notes; p=AAAA");
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->type, KeyType::ed25519);
  EXPECT_EQ(rec->hashes, (std::vector<std::string>{"sha256", "sha1"}));
  EXPECT_EQ(rec->services, (std::vector<std::string>{"email"}));
  EXPECT_TRUE(rec->testing);
  EXPECT_TRUE(rec->strict);
  EXPECT_EQ(rec->public_key, std::string(3, '\0'));
}

TEST(KeyRecord, DefaultsAndRevocation) {
  auto rec = parse_key_record("p=");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->key_type, "rsa");  // k= defaults to rsa
  EXPECT_EQ(rec->type, KeyType::rsa);
  EXPECT_EQ(rec->services, (std::vector<std::string>{"*"}));
  EXPECT_TRUE(rec->public_key.empty());  // revoked
  auto unknown = parse_key_record("k=dsa; p=AAAA");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->type);
}

TEST(KeyRecord, Errors) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"k=rsa; v=DKIM1; p=AAAA", "v= is not the first tag"},
      {"v=DKIM2; p=AAAA", "unsupported version"},
      {"v=DKIM1; k=rsa", "no p= tag"},
      {"v=DKIM1; p=A*AA", "p= is not valid base64"},
      {"v=DKIM1; p=AAAA; p=AAAA", "duplicate tag"},
  };
  for (const auto& [input, reason] : cases) {
    auto rec = parse_key_record(input);
    ASSERT_FALSE(rec) << input;
    EXPECT_NE(rec.error().message.find(reason), std::string::npos) << input << " -> " << rec.error().message;
  }
}

TEST(KeyRecord, TxtStringsAndZoneLine) {
  std::string text(600, 'x');
  auto parts = split_txt_strings(text);
  ASSERT_EQ(parts.size(), 3u);  // RFC 1035: at most 255 octets per string
  EXPECT_EQ(parts[0].size(), 255u);
  EXPECT_EQ(parts[1].size(), 255u);
  EXPECT_EQ(parts[2].size(), 90u);
  EXPECT_EQ(zone_txt_line("s._domainkey.example.org", "v=DKIM1; p=AB"),
            "s._domainkey.example.org. IN TXT \"v=DKIM1; p=AB\"");
  EXPECT_EQ(zone_txt_line("n", std::string(256, 'y')),
            "n. IN TXT (\n    \"" + std::string(255, 'y') + "\"\n    \"y\" )");
  EXPECT_EQ(zone_txt_line("n", "say \"hi\""), "n. IN TXT \"say \\\"hi\\\"\"");
  EXPECT_EQ(key_record_name("sel", "example.org"), "sel._domainkey.example.org");
}

}  // namespace
}  // namespace postern::mailauth
