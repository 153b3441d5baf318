// The structure cache codec: round trips, canonical form, corrupt input.
#include <gtest/gtest.h>

#include "mime/structure_codec.hpp"

namespace postern::mime {
namespace {

constexpr std::string_view kMessage =
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    "From: \"Fred\" <fred@x.test>, g:a@b;\r\n"
    "Subject: =?utf-8?q?caf=C3=A9?=\r\n"
    "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
    "--o\r\nContent-Language: en\r\n\r\ntext\r\n"
    "--o\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline; x*=utf-8''%C3%A9\r\n\r\n"
    "Subject: inner\r\nTo: <@r:x@y>\r\n\r\nbody\r\n"
    "--o--\r\n";

TEST(StructureCodec, RoundTripIsIdentical) {
  auto s = parse_message_structure(kMessage);
  auto bytes = encode_structure(s);
  auto back = decode_structure(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(encode_structure(*back), bytes);
}

TEST(StructureCodec, EnvelopeDecodesAlone) {
  auto s = parse_message_structure(kMessage);
  auto bytes = encode_structure(s);
  auto env = decode_envelope(bytes);
  ASSERT_TRUE(env) << env.error().message;
  EXPECT_EQ(*env, s.envelope);
  EXPECT_TRUE(env->subject.has_value());
  // Cut inside the envelope: an error, not a partial envelope.
  EXPECT_FALSE(decode_envelope(std::string_view(bytes).substr(0, 8)));
  EXPECT_FALSE(decode_envelope("x"));
}

TEST(StructureCodec, IsCompact) {
  auto s = parse_message_structure(kMessage);
  EXPECT_LT(encode_structure(s).size(), 400u);
}

TEST(StructureCodec, NegativeDateRoundTrips) {
  auto s = parse_message_structure("Date: 1 Jan 1900 00:00:00 +0000\r\n\r\n");
  ASSERT_TRUE(s.sort.date);
  EXPECT_LT(*s.sort.date, 0);
  auto back = decode_structure(encode_structure(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->sort.date, s.sort.date);
}

TEST(StructureCodec, EveryTruncationIsRejected) {
  auto bytes = encode_structure(parse_message_structure(kMessage));
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_structure(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(r) << n;
    if (!r) {
      EXPECT_EQ(r.error().kind, ErrorKind::internal);
    }
  }
}

TEST(StructureCodec, CorruptionNeverCrashesAndTrailingDataIsRejected) {
  auto bytes = encode_structure(parse_message_structure(kMessage));
  EXPECT_FALSE(decode_structure(bytes + "x"));
  std::string bad = bytes;
  bad[1] = 9;
  EXPECT_FALSE(decode_structure(bad));
  bad = bytes;
  bad[0] = 'x';
  EXPECT_FALSE(decode_structure(bad));
  // Flip every octet to every value of a few: whatever decodes must re-encode identically.
  for (size_t i = 2; i < bytes.size(); ++i) {
    for (int v : {0x00, 0x01, 0x7F, 0x80, 0xFF}) {
      std::string c = bytes;
      c[i] = static_cast<char>(v);
      auto r = decode_structure(c);
      if (r) {
        EXPECT_EQ(encode_structure(*r), c) << i;
      }
    }
  }
}

TEST(StructureCodec, HugeCountsAndPaddedVarintsAreRejected) {
  // magic, version, part_count = 0x80 0x00 (non-canonical).
  EXPECT_FALSE(decode_structure(std::string("\xB5\x01\x80\x00", 4)));
  // An address count far beyond the input.
  EXPECT_FALSE(decode_structure(std::string("\xB5\x01\x01\x00\x00\x00\xFF\xFF\xFF\xFF\x0F", 11)));
}

TEST(StructureCodec, DeepTreesAreBounded) {
  std::string m;
  for (int i = 0; i < 2000; ++i) m += "Content-Type: message/rfc822\r\n\r\n";
  StructureLimits limits;
  limits.max_depth = 1500;
  auto s = parse_message_structure(m, limits);
  EXPECT_FALSE(decode_structure(encode_structure(s)));  // deeper than kMaxDecodedDepth
  limits.max_depth = 1000;
  auto ok = parse_message_structure(m, limits);
  EXPECT_TRUE(decode_structure(encode_structure(ok)));
}

}  // namespace
}  // namespace postern::mime
