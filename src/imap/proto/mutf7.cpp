// Modified UTF-7 codec (RFC 3501 §5.1.3) and mailbox-name wire conversion.
#include "imap/proto/mutf7.hpp"

#include <cstdint>
#include <vector>

#include "core/strings.hpp"

namespace postern::imap {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool printable(uint32_t c) { return c >= 0x20 && c <= 0x7e; }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i,
// or returns U+FFFD and advances one octet on malformed input.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size() || !is_valid_utf8(s.substr(i, len))) {
    ++i;
    return 0xfffd;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (b(i + k) & 0x3fu);
  i += len;
  return cp;
}

void flush_run(std::string& out, const std::vector<uint16_t>& units) {
  out.push_back('&');
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(kB64[(bits >> nbits) & 0x3f]);
    }
  }
  if (nbits > 0) out.push_back(kB64[(bits << (6 - nbits)) & 0x3f]);
  out.push_back('-');
}

std::string encode_lossy(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> run;
  size_t i = 0;
  while (i < utf8.size()) {
    uint32_t cp = next_code_point(utf8, i);
    if (printable(cp)) {
      if (!run.empty()) {
        flush_run(out, run);
        run.clear();
      }
      out += cp == '&' ? "&-" : std::string(1, static_cast<char>(cp));
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      run.push_back(static_cast<uint16_t>(0xd800 + (cp >> 10)));
      run.push_back(static_cast<uint16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      run.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!run.empty()) flush_run(out, run);
  return out;
}

}  // namespace

Result<std::string> mutf7_decode(std::string_view in) {
  std::string out;
  size_t i = 0;
  bool after_run = false;  // the previous item was a base64 run
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    if (!printable(c)) return syntax_error("octet outside printable US-ASCII in modified UTF-7");
    if (c != '&') {
      out.push_back(static_cast<char>(c));
      ++i;
      after_run = false;
      continue;
    }
    ++i;
    if (i < in.size() && in[i] == '-') {  // "&-" is "&"
      out.push_back('&');
      ++i;
      after_run = false;
      continue;
    }
    if (after_run) return syntax_error("adjacent encoded runs in modified UTF-7 (not canonical)");
    uint32_t bits = 0;
    int nbits = 0;
    uint32_t high = 0;  // pending high surrogate
    size_t run_start = i;
    while (i < in.size() && in[i] != '-') {
      int v = b64_value(in[i]);
      if (v < 0) return syntax_error("invalid character in modified UTF-7 base64");
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      ++i;
      if (nbits < 16) continue;
      nbits -= 16;
      uint32_t unit = (bits >> nbits) & 0xffff;
      bits &= (1u << nbits) - 1;
      if (high != 0) {
        if (unit < 0xdc00 || unit > 0xdfff) return syntax_error("unpaired surrogate in modified UTF-7");
        append_utf8(out, 0x10000 + ((high - 0xd800) << 10) + (unit - 0xdc00));
        high = 0;
      } else if (unit >= 0xd800 && unit <= 0xdbff) {
        high = unit;
      } else if (unit >= 0xdc00 && unit <= 0xdfff) {
        return syntax_error("unpaired surrogate in modified UTF-7");
      } else if (unit == 0) {
        return syntax_error("U+0000 in modified UTF-7");
      } else if (printable(unit)) {
        return syntax_error("printable US-ASCII encoded in modified UTF-7 (not canonical)");
      } else {
        append_utf8(out, unit);
      }
    }
    if (i >= in.size()) return syntax_error("unterminated modified UTF-7 run (missing '-')");
    if (i == run_start) return syntax_error("empty modified UTF-7 run");
    if (high != 0) return syntax_error("unpaired surrogate in modified UTF-7");
    if (nbits >= 6 || bits != 0) return syntax_error("invalid padding bits in modified UTF-7");
    ++i;  // '-'
    after_run = true;
  }
  return out;
}

Result<std::string> mutf7_encode(std::string_view utf8) {
  if (!is_valid_utf8(utf8)) return syntax_error("invalid UTF-8");
  return encode_lossy(utf8);
}

Result<std::string> mailbox_from_wire(std::string_view wire, bool utf8_mode) {
  std::string name;
  if (utf8_mode) {
    if (!is_valid_utf8(wire)) return syntax_error("mailbox name is not valid UTF-8");
    name = std::string(wire);
  } else {
    auto decoded = mutf7_decode(wire);
    if (!decoded) return syntax_error("mailbox name: " + decoded.error().message);
    name = std::move(*decoded);
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return syntax_error("control character in mailbox name");
  }
  return name;
}

std::string mailbox_to_wire(std::string_view utf8_name, bool utf8_mode) {
  if (utf8_mode) return std::string(utf8_name);
  return encode_lossy(utf8_name);
}

}  // namespace postern::imap
