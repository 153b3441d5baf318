// Content-Transfer-Encoding decoding (RFC 2045 §6.7, §6.8).
#include "mime/transfer_decoding.hpp"

#include <gtest/gtest.h>

namespace postern::mime {
namespace {

TEST(TransferDecoding, KnowsTheEncodings) {
  EXPECT_EQ(parse_transfer_encoding(""), TransferEncoding::identity);
  EXPECT_EQ(parse_transfer_encoding("8bit"), TransferEncoding::identity);
  EXPECT_EQ(parse_transfer_encoding("binary"), TransferEncoding::identity);
  EXPECT_EQ(parse_transfer_encoding("base64"), TransferEncoding::base64);
  EXPECT_EQ(parse_transfer_encoding("quoted-printable"), TransferEncoding::quoted_printable);
  EXPECT_EQ(parse_transfer_encoding("x-uuencode"), std::nullopt);
}

TEST(TransferDecoding, QuotedPrintable) {
  EXPECT_EQ(decode_quoted_printable("caf=C3=A9\r\n"), "caf\xC3\xA9\r\n");
  EXPECT_EQ(decode_quoted_printable("soft=\r\nbreak\r\n"), "softbreak\r\n");
  EXPECT_EQ(decode_quoted_printable("padding   \r\nnext"), "padding\r\nnext");
  EXPECT_EQ(decode_quoted_printable("=3D=3d"), "==");               // lower-case hex tolerated
  EXPECT_EQ(decode_quoted_printable("bad =ZZ and ="), "bad =ZZ and ");  // malformed kept, final soft break
  EXPECT_EQ(decode_quoted_printable("nul=00byte"), std::string("nul\0byte", 8));
  EXPECT_EQ(decode_quoted_printable("lf only\nline"), "lf only\r\nline");
}

TEST(TransferDecoding, Base64BodyAcrossLinesAndPadding) {
  EXPECT_EQ(decode_transfer_encoding("aGVs\r\nbG8=\r\n", TransferEncoding::base64), "hello");
  EXPECT_EQ(decode_transfer_encoding("AAEC\r\n", TransferEncoding::base64), std::string("\0\1\2", 3));
  // Padding in the middle (concatenated encoders) does not lose the rest.
  EXPECT_EQ(decode_transfer_encoding("YQ==\r\nYg==\r\n", TransferEncoding::base64), "ab");
  EXPECT_EQ(decode_transfer_encoding("!!Y*Q==", TransferEncoding::base64), "a");
}

TEST(TransferDecoding, IdentityCopies) {
  EXPECT_EQ(decode_transfer_encoding("as is=\r\n", TransferEncoding::identity), "as is=\r\n");
}

}  // namespace
}  // namespace postern::mime
