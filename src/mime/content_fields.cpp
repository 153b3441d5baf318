// MIME content fields: a small RFC 2045 tokenizer plus RFC 2231 joining.
#include "mime/content_fields.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "core/strings.hpp"
#include "mime/charset.hpp"
#include "mime/encoded_words.hpp"
#include "mime/header.hpp"

namespace postern::mime {
namespace {

constexpr size_t kMaxParams = 256;          // per field; more is garbage or an attack
constexpr unsigned kMaxContinuations = 1000;  // RFC 2231 §3 section numbers

// RFC 2045 §5.1 tspecials plus space and CTLs end a token. 8-bit octets are
// accepted (seen in the wild, harmless here).
bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u == 127) return false;
  switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':':
    case '\\': case '"': case '/': case '[': case ']': case '?': case '=':
      return false;
    default:
      return true;
  }
}

struct Lexer {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return s[i]; }

  // RFC 5322 §3.2.2 CFWS: whitespace and (nested) comments.
  void skip_cfws() {
    while (i < s.size()) {
      char c = s[i];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++i;
      } else if (c == '(') {
        int depth = 0;
        while (i < s.size()) {
          if (s[i] == '\\') { i = std::min(i + 2, s.size()); continue; }
          if (s[i] == '(') ++depth;
          else if (s[i] == ')' && --depth == 0) { ++i; break; }
          ++i;
        }
      } else {
        return;
      }
    }
  }
  std::string_view token() {
    size_t start = i;
    while (i < s.size() && is_token_char(s[i])) ++i;
    return s.substr(start, i - start);
  }
  // RFC 5322 §3.2.4 quoted-string at s[i] == '"'; unterminated runs to the end.
  std::string quoted() {
    std::string out;
    ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i]);
      ++i;
    }
    if (i < s.size()) ++i;
    return out;
  }
  void skip_to(char c) {
    while (i < s.size() && s[i] != c) {
      if (s[i] == '"') { quoted(); continue; }
      ++i;
    }
  }
};

struct RawParam {
  std::string name;  // lower-cased, as written (with any "*n*" suffix)
  std::string value;
};

std::vector<RawParam> lex_params(Lexer& lx) {
  std::vector<RawParam> out;
  while (!lx.done() && out.size() < kMaxParams) {
    lx.skip_cfws();
    if (lx.done()) break;
    if (lx.peek() == ';') { ++lx.i; continue; }
    // A name: token characters plus "*" (already a token char).
    auto name = lx.token();
    lx.skip_cfws();
    if (name.empty() || lx.done() || lx.peek() != '=') {
      // Garbage or a value-less parameter: skip to the next ";".
      if (name.empty() && !lx.done()) ++lx.i;
      lx.skip_to(';');
      continue;
    }
    ++lx.i;  // '='
    lx.skip_cfws();
    std::string value;
    if (!lx.done() && lx.peek() == '"') {
      value = lx.quoted();
    } else {
      // Lenient: unquoted values often carry tspecials ("boundary=----=_Part_1").
      size_t start = lx.i;
      while (!lx.done() && lx.peek() != ';' && lx.peek() != ' ' && lx.peek() != '\t' && lx.peek() != '(' &&
             lx.peek() != '\r' && lx.peek() != '\n')
        ++lx.i;
      value.assign(lx.s.substr(start, lx.i - start));
    }
    out.push_back({to_lower_ascii(name), std::move(value)});
    lx.skip_to(';');
  }
  return out;
}

// RFC 2231 §7 attribute-char: what may stay unencoded in an extended value.
bool is_attribute_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  return c != '*' && c != '\'' && c != '%' && is_token_char(c);
}

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    if (is_attribute_char(c)) {
      out.push_back(c);
    } else {
      auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
        hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// RFC 2231 §4: "charset'language'percent-encoded" to UTF-8.
std::string decode_extended(std::string_view v) {
  size_t q1 = v.find('\'');
  size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return raw_to_utf8(percent_decode(v));  // no prefix: tolerate
  auto charset = v.substr(0, q1);
  std::string bytes = percent_decode(v.substr(q2 + 1));
  if (charset.empty()) return raw_to_utf8(bytes);
  auto utf8 = charset_to_utf8(charset, bytes);
  return utf8 ? *utf8 : raw_to_utf8(bytes);
}

// "title*2*" → base "title", section 2, extended.
struct NameParts {
  std::string_view base;
  std::optional<unsigned> section;
  bool extended = false;
};

NameParts split_name(std::string_view name) {
  NameParts p{name, std::nullopt, false};
  if (name.size() >= 2 && name.back() == '*') {
    p.extended = true;
    name.remove_suffix(1);
    p.base = name;
  }
  size_t star = name.rfind('*');
  if (star == std::string_view::npos || star == 0 || star + 1 == name.size()) return p;
  auto digits = name.substr(star + 1);
  unsigned n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || n > kMaxContinuations ||
      (digits.size() > 1 && digits[0] == '0')) {
    return p;  // not a section number: keep the name whole
  }
  p.base = name.substr(0, star);
  p.section = n;
  return p;
}

}  // namespace

Params parse_params(std::string_view raw) {
  Lexer lx{raw};
  auto raws = lex_params(lx);
  Params out;
  // Continuations (RFC 2231 §3) are gathered by base name at the position of
  // their first segment; other parameters pass through in order.
  struct Group {
    size_t out_index;
    std::map<unsigned, std::pair<std::string, bool>> segments;  // section → value, extended
  };
  std::vector<std::pair<std::string, Group>> groups;
  for (auto& r : raws) {
    auto np = split_name(r.name);
    if (!np.section) {
      Param p;
      p.name = r.name;
      p.value = r.value;
      p.decoded = np.extended ? decode_extended(r.value) : decode_encoded_words(r.value);
      out.push_back(std::move(p));
      continue;
    }
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == np.base; });
    if (it == groups.end()) {
      groups.push_back({std::string(np.base), Group{out.size(), {}}});
      out.push_back({});  // the joined RFC 2231 parameter goes in this slot below
      it = groups.end() - 1;
    }
    it->second.segments.emplace(*np.section, std::make_pair(std::move(r.value), np.extended));  // first wins
  }
  std::vector<size_t> drop;
  for (auto& [base, g] : groups) {
    // Join sections 0, 1, 2... stopping at the first gap (Dovecot does the same).
    std::vector<const std::pair<std::string, bool>*> segs;
    for (unsigned n = 0;; ++n) {
      auto it = g.segments.find(n);
      if (it == g.segments.end()) break;
      segs.push_back(&it->second);
    }
    if (segs.empty()) {
      drop.push_back(g.out_index);  // no section 0: nothing meaningful to join
      continue;
    }
    bool any_extended = std::any_of(segs.begin(), segs.end(), [](auto* s) { return s->second; });
    Param& p = out[g.out_index];
    if (any_extended) {
      p.name = base + "*";
      if (!segs[0]->second) p.value = "''";  // RFC 2231 §4: empty charset and language
      for (auto* s : segs) p.value += s->second ? s->first : percent_encode(s->first);
      p.decoded = decode_extended(p.value);
    } else {
      p.name = base;
      for (auto* s : segs) p.value += s->first;
      p.decoded = decode_encoded_words(p.value);
    }
  }
  std::sort(drop.begin(), drop.end());
  for (auto it = drop.rbegin(); it != drop.rend(); ++it) out.erase(out.begin() + static_cast<long>(*it));
  return out;
}

std::optional<ContentType> parse_content_type(std::string_view raw) {
  std::string value = unfold(raw);
  Lexer lx{value};
  lx.skip_cfws();
  auto type = lx.token();
  lx.skip_cfws();
  if (type.empty() || lx.done() || lx.peek() != '/') return std::nullopt;
  ++lx.i;
  lx.skip_cfws();
  auto subtype = lx.token();
  if (subtype.empty()) return std::nullopt;
  ContentType ct;
  ct.type = to_lower_ascii(type);
  ct.subtype = to_lower_ascii(subtype);
  lx.skip_cfws();
  // Anything but ";" after the subtype is garbage up to the parameters.
  lx.skip_to(';');
  ct.params = parse_params(lx.s.substr(lx.i));
  return ct;
}

std::optional<ContentDisposition> parse_content_disposition(std::string_view raw) {
  std::string value = unfold(raw);
  Lexer lx{value};
  lx.skip_cfws();
  auto type = lx.token();
  if (type.empty()) return std::nullopt;
  ContentDisposition d;
  d.type = to_lower_ascii(type);
  lx.skip_to(';');
  d.params = parse_params(lx.s.substr(lx.i));
  return d;
}

std::vector<std::string> parse_content_language(std::string_view raw) {
  std::string value = unfold(raw);
  Lexer lx{value};
  std::vector<std::string> out;
  while (!lx.done() && out.size() < kMaxParams) {
    lx.skip_cfws();
    if (lx.done()) break;
    if (lx.peek() == ',') { ++lx.i; continue; }
    auto tag = lx.token();
    if (tag.empty()) { ++lx.i; continue; }
    out.emplace_back(tag);
  }
  return out;
}

const Param* find_param(const Params& params, std::string_view name) {
  for (const auto& p : params) {
    std::string_view n = p.name;
    if (iequals(n, name)) return &p;
    if (n.size() == name.size() + 1 && n.back() == '*' && iequals(n.substr(0, name.size()), name)) return &p;
  }
  return nullptr;
}

}  // namespace postern::mime
