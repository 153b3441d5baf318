// Transfer decoding and charset conversion of part bodies.
#include "mime/body_decoding.hpp"

#include "core/strings.hpp"
#include "mime/charset.hpp"
#include "mime/encoded_words.hpp"

namespace postern::mime {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool blank(char c) { return c == ' ' || c == '\t'; }

// The declared charset says the text is (or may be read as) UTF-8.
bool utf8_compatible(std::string_view cs) {
  if (cs.empty()) return true;
  for (auto n : {"utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968"})
    if (iequals(cs, n)) return true;
  return false;
}

}  // namespace

void append_quoted_printable_decoded(std::string& out, std::string_view in) {
  out.reserve(out.size() + in.size());
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    // Copy the run up to the next "=" or blank in one go.
    size_t j = i;
    while (j < n && in[j] != '=' && !blank(in[j])) ++j;
    out.append(in.data() + i, j - i);
    i = j;
    if (i >= n) break;
    if (in[i] == '=') {
      int hi = i + 1 < n ? hex_value(in[i + 1]) : -1;
      int lo = i + 2 < n ? hex_value(in[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 3;
        continue;
      }
      // Soft line break: "=" then optional blanks then CRLF / LF / end.
      j = i + 1;
      while (j < n && blank(in[j])) ++j;
      if (j == n) break;
      if (in[j] == '\n') {
        i = j + 1;
        continue;
      }
      if (in[j] == '\r' && j + 1 < n && in[j + 1] == '\n') {
        i = j + 2;
        continue;
      }
      out.push_back('=');  // malformed: keep as written
      ++i;
      continue;
    }
    // Trailing blanks before a line break are transport padding (§6.7 rule 3).
    j = i;
    while (j < n && blank(in[j])) ++j;
    bool eol = j == n || in[j] == '\n' || (in[j] == '\r' && j + 1 < n && in[j + 1] == '\n');
    if (!eol) out.append(in.data() + i, j - i);
    i = j;
  }
}

std::string_view transfer_decode(std::string_view encoding, std::string_view body, std::string& scratch) {
  if (encoding == "base64") {
    scratch = decode_base64_lenient(body);
    return scratch;
  }
  if (encoding == "quoted-printable") {
    scratch.clear();
    append_quoted_printable_decoded(scratch, body);
    return scratch;
  }
  return body;
}

std::string_view text_to_utf8(std::string_view charset, std::string_view bytes, std::string& scratch) {
  if (utf8_compatible(charset)) {
    if (is_valid_utf8(bytes)) return bytes;
    scratch = raw_to_utf8(bytes);
    return scratch;
  }
  auto converted = charset_to_utf8(charset, bytes);
  scratch = converted ? std::move(*converted) : raw_to_utf8(bytes);
  return scratch;
}

}  // namespace postern::mime
