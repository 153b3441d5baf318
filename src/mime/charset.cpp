// Charset conversion to UTF-8: built-in for the common charsets, iconv(3)
// for the rest.
#include "mime/charset.hpp"

#include <iconv.h>

#include <cerrno>

#include "core/strings.hpp"

namespace postern::mime {
namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) append_utf8(out, c);
  return out;
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  return is_valid_utf8(s.substr(i, n)) ? n : 0;
}

bool is_charset(std::string_view cs, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (iequals(cs, n)) return true;
  return false;
}

std::optional<std::string> via_iconv(std::string_view charset, std::string_view bytes) {
  std::string name(charset);
  if (name.size() > 64 || name.find('\0') != std::string::npos) return std::nullopt;
  iconv_t cd = iconv_open("UTF-8", name.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out;
  std::string in(bytes);
  char* inp = in.data();
  size_t inleft = in.size();
  char buf[1024];
  while (inleft > 0) {
    char* outp = buf;
    size_t outleft = sizeof buf;
    size_t r = iconv(cd, &inp, &inleft, &outp, &outleft);
    out.append(buf, static_cast<size_t>(outp - buf));
    if (r == static_cast<size_t>(-1)) {
      if (errno == E2BIG) continue;
      // EILSEQ or EINVAL (truncated sequence at the end): skip one octet.
      out.append(kReplacement);
      ++inp;
      --inleft;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
    }
  }
  // Flush a stateful encoding's final shift sequence.
  char* outp = buf;
  size_t outleft = sizeof buf;
  iconv(cd, nullptr, nullptr, &outp, &outleft);
  out.append(buf, static_cast<size_t>(outp - buf));
  iconv_close(cd);
  // iconv output is UTF-8 by construction; sanitize anyway (cheap, and the
  // result feeds SEARCH indexes that assume valid UTF-8).
  return sanitize_utf8(out);
}

}  // namespace

std::string sanitize_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string raw_to_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  return latin1_to_utf8(s);
}

std::optional<std::string> charset_to_utf8(std::string_view charset, std::string_view bytes) {
  // RFC 2231 §5: "charset*language" in encoded-words.
  if (auto star = charset.find('*'); star != std::string_view::npos) charset = charset.substr(0, star);
  charset = trim(charset);
  if (is_charset(charset, {"utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968"})) return sanitize_utf8(bytes);
  if (is_charset(charset, {"iso-8859-1", "iso8859-1", "latin1", "iso_8859-1", "l1"})) return latin1_to_utf8(bytes);
  if (charset.empty()) return std::nullopt;
  return via_iconv(charset, bytes);
}

std::string_view text_to_utf8(std::string_view charset, std::string_view bytes, std::string& scratch) {
  if (charset.empty() || is_charset(charset, {"utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968"})) {
    if (is_valid_utf8(bytes)) return bytes;
    scratch = raw_to_utf8(bytes);
    return scratch;
  }
  auto converted = charset_to_utf8(charset, bytes);
  scratch = converted ? std::move(*converted) : raw_to_utf8(bytes);
  return scratch;
}

}  // namespace postern::mime
