// Modified UTF-7 (RFC 3501 §5.1.3) and mailbox-name wire conversion.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imap/proto/mutf7.hpp"

namespace postern::imap {
namespace {

struct Vector {
  std::string mutf7;
  std::string utf8;
};

const std::vector<Vector> kVectors = {
    // RFC 3501 §5.1.3 example.
    {"~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"},
    {"INBOX", "INBOX"},
    {"&-", "&"},
    {"Tom &- Jerry", "Tom & Jerry"},
    {"Entw&APw-rfe", "Entw\xc3\xbc" "rfe"},
    {"R&AOk-pertoire", "R\xc3\xa9pertoire"},
    {"&AOkA6QDp-", "\xc3\xa9\xc3\xa9\xc3\xa9"},
    {"&2D3eAQ-", "\xf0\x9f\x98\x81"},  // U+1F601 as a surrogate pair
    {"&AAk-", "\t"},                   // controls are encoded (the codec accepts them)
    {"", ""},
};

TEST(Mutf7, Vectors) {
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.mutf7);
    auto d = mutf7_decode(v.mutf7);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(*d, v.utf8);
    auto e = mutf7_encode(v.utf8);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(*e, v.mutf7);
  }
}

TEST(Mutf7, RejectsNonCanonicalAndInvalid) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"&AGE-", "printable US-ASCII encoded in modified UTF-7 (not canonical)"},  // "a" must be literal
      {"&AOk-&AOk-", "adjacent encoded runs in modified UTF-7 (not canonical)"},
      {"&AOk", "unterminated modified UTF-7 run (missing '-')"},
      {"&", "unterminated modified UTF-7 run (missing '-')"},
      {"&AO-", "invalid padding bits in modified UTF-7"},      // 12 bits: not a whole unit
      {"&AOl-", "invalid padding bits in modified UTF-7"},     // non-zero padding bits
      {"&2D0-", "unpaired surrogate in modified UTF-7"},
      {"&2D3YPQ-", "unpaired surrogate in modified UTF-7"},    // two high surrogates
      {"&3gE-", "unpaired surrogate in modified UTF-7"},       // lone low surrogate
      {"&2D0AQQ-", "unpaired surrogate in modified UTF-7"},
      {"&AAA-", "U+0000 in modified UTF-7"},
      {"&U/BTFw-", "invalid character in modified UTF-7 base64"},  // "/" is UTF-7, not mUTF-7
      {"&U,BTFw=-", "invalid character in modified UTF-7 base64"},
      {"caf\xc3\xa9", "octet outside printable US-ASCII in modified UTF-7"},
      {"a\tb", "octet outside printable US-ASCII in modified UTF-7"},
  };
  for (const auto& [in, msg] : bad) {
    SCOPED_TRACE(in);
    auto d = mutf7_decode(in);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().message, msg);
  }
  // A run followed by "&-" is fine: "&-" is a literal "&", not a run.
  EXPECT_EQ(*mutf7_decode("&AOk-&-"), "\xc3\xa9&");
  EXPECT_FALSE(mutf7_encode("\xc3\x28").ok());
}

TEST(Mutf7, MailboxWireForms) {
  // rev1: mUTF-7 on the wire; rev2 / UTF8=ACCEPT: UTF-8 (RFC 9051 §5.1).
  EXPECT_EQ(*mailbox_from_wire("&ZeVnLIqe-", false), "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  EXPECT_EQ(*mailbox_from_wire("&ZeVnLIqe-", true), "&ZeVnLIqe-");
  EXPECT_EQ(*mailbox_from_wire("\xe6\x97\xa5", true), "\xe6\x97\xa5");
  EXPECT_FALSE(mailbox_from_wire("\xe6\x97\xa5", false).ok());
  EXPECT_FALSE(mailbox_from_wire("\xe6\x97", true).ok());
  EXPECT_FALSE(mailbox_from_wire("&AAk-", false).ok());  // control character
  EXPECT_FALSE(mailbox_from_wire("a\x7f", true).ok());
  EXPECT_EQ(mailbox_to_wire("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", false),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(mailbox_to_wire("A&B", false), "A&-B");
  EXPECT_EQ(mailbox_to_wire("A&B", true), "A&B");
}

}  // namespace
}  // namespace postern::imap
