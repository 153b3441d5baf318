// RFC 2047 encoded-words to UTF-8.
#include "mime/encoded_words.hpp"

#include <optional>

#include "core/strings.hpp"
#include "mime/charset.hpp"
#include "mime/header.hpp"

namespace postern::mime {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// RFC 2047 §4.2: "_" is a space; "=XX" an octet; a stray "=" is kept.
std::string decode_q(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

struct EncodedWord {
  size_t end = 0;  // one past "?="
  std::string_view charset;
  char encoding = 0;
  std::string_view text;
};

// Parses the encoded-word starting at s[i] ("=?"), if any. RFC 2047 §2:
// charset and encoding are tokens; the text has no "?" and no whitespace.
std::optional<EncodedWord> parse_word(std::string_view s, size_t i) {
  if (s.compare(i, 2, "=?") != 0) return std::nullopt;
  size_t q1 = s.find('?', i + 2);
  if (q1 == std::string_view::npos || q1 == i + 2 || q1 + 2 >= s.size() || s[q1 + 2] != '?') return std::nullopt;
  char enc = s[q1 + 1];
  if (enc != 'b' && enc != 'B' && enc != 'q' && enc != 'Q') return std::nullopt;
  size_t text_start = q1 + 3;
  size_t close = s.find("?=", text_start);
  if (close == std::string_view::npos) return std::nullopt;
  auto charset = s.substr(i + 2, q1 - i - 2);
  auto text = s.substr(text_start, close - text_start);
  for (char c : charset)
    if (c == ' ' || c == '\t' || c == '?' || c == '=') return std::nullopt;
  for (char c : text)
    if (c == ' ' || c == '\t') return std::nullopt;
  return EncodedWord{close + 2, charset, static_cast<char>(enc | 0x20), text};
}

}  // namespace

std::string decode_base64_lenient(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') break;
    else continue;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string decode_encoded_words(std::string_view raw) {
  std::string value = unfold(raw);
  std::string_view s = value;
  std::string out;
  out.reserve(s.size());
  std::string plain;          // undecoded text since the last encoded-word
  bool after_word = false;    // the previous token was a decoded encoded-word
  // Adjacent words in the same charset are joined before conversion so a
  // multi-octet character split across two words (allowed in practice,
  // not by the RFC) still decodes.
  std::string pending_bytes;
  std::string pending_charset;
  auto flush_pending = [&] {
    if (pending_charset.empty() && pending_bytes.empty()) return;
    auto utf8 = charset_to_utf8(pending_charset, pending_bytes);
    out += utf8 ? *utf8 : raw_to_utf8(pending_bytes);
    pending_bytes.clear();
    pending_charset.clear();
  };
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '=' && i + 1 < s.size() && s[i + 1] == '?') {
      if (auto w = parse_word(s, i)) {
        std::string bytes = w->encoding == 'b' ? decode_base64_lenient(w->text) : decode_q(w->text);
        bool known = charset_to_utf8(w->charset, "").has_value();
        if (known) {
          // RFC 2047 §6.2: linear whitespace between adjacent encoded-words is ignored.
          bool only_ws = plain.find_first_not_of(" \t") == std::string::npos;
          if (!(after_word && only_ws)) {
            flush_pending();
            out += raw_to_utf8(plain);
          }
          plain.clear();
          std::string cs(w->charset);
          if (!pending_charset.empty() && !iequals(pending_charset, cs)) flush_pending();
          pending_charset = cs;
          pending_bytes += bytes;
          after_word = true;
          i = w->end;
          continue;
        }
        // Unknown charset: keep the word as written.
        flush_pending();
        out += raw_to_utf8(plain);
        plain.clear();
        out += raw_to_utf8(s.substr(i, w->end - i));
        after_word = false;
        i = w->end;
        continue;
      }
    }
    plain.push_back(s[i]);
    if (s[i] != ' ' && s[i] != '\t') {
      flush_pending();
      after_word = false;
    }
    ++i;
  }
  flush_pending();
  out += raw_to_utf8(plain);
  return out;
}

}  // namespace postern::mime
