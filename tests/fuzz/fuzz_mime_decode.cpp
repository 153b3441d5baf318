// Fuzzes the MIME decoders of untrusted text: RFC 2047 encoded-words,
// lenient base64, quoted-printable and base64 bodies (RFC 2045 §6) and the
// charset conversions to UTF-8 (built-in and iconv). The first input line
// is a charset name, the rest the octets. Checks: no crash; every decoded
// text that is documented as UTF-8 is valid UTF-8 (encoded-words,
// charset_to_utf8, text_to_utf8, sanitize_utf8, raw_to_utf8); sanitizing
// valid UTF-8 keeps it; the octets encoded as base64 or quoted-printable
// (with soft line breaks) decode back to themselves.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/strings.hpp"
#include "mime/charset.hpp"
#include "mime/encoded_words.hpp"
#include "mime/transfer_decoding.hpp"
#include "sasl/base64.hpp"

namespace {

using namespace postern;
using namespace postern::mime;

// Every octet as "=XX", lines of at most 76 characters ending in a soft break.
std::string qp_encode_all(std::string_view in) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  size_t line = 0;
  for (unsigned char c : in) {
    if (line + 3 > 75) {
      out += "=\r\n";
      line = 0;
    }
    out += '=';
    out += hex[c >> 4];
    out += hex[c & 15];
    line += 3;
  }
  return out;
}

// Base64 as a body is written: 76-character lines.
std::string base64_body(std::string_view in) {
  std::string b64 = sasl::base64_encode(in), out;
  for (size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view charset = input.substr(0, nl == std::string_view::npos ? 0 : nl);
  std::string_view bytes = nl == std::string_view::npos ? input : input.substr(nl + 1);

  if (!is_valid_utf8(decode_encoded_words(input))) std::abort();
  (void)decode_base64_lenient(input);
  (void)decode_quoted_printable(input);
  (void)decode_transfer_encoding(input, TransferEncoding::base64);

  if (auto utf8 = charset_to_utf8(charset, bytes); utf8 && !is_valid_utf8(*utf8)) std::abort();
  std::string scratch;
  if (!is_valid_utf8(text_to_utf8(charset, bytes, scratch))) std::abort();
  std::string clean = sanitize_utf8(input);
  if (!is_valid_utf8(clean) || (is_valid_utf8(input) && clean != input)) std::abort();
  std::string raw = raw_to_utf8(input);
  if (!is_valid_utf8(raw) || (is_valid_utf8(input) && raw != input)) std::abort();

  if (decode_quoted_printable(qp_encode_all(bytes)) != bytes) std::abort();
  if (decode_transfer_encoding(base64_body(bytes), TransferEncoding::base64) != bytes) std::abort();
  if (decode_base64_lenient(sasl::base64_encode(bytes)) != bytes) std::abort();
  return 0;
}
