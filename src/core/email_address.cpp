// RFC 5321 §4.1.2 / RFC 6531 §3.3 mailbox grammar, written as a small
// recursive-descent recognizer with explicit octet limits.
#include "core/email_address.hpp"

#include <arpa/inet.h>

#include "core/strings.hpp"

namespace postern {
namespace {

bool is_atext(unsigned char c) {
  // RFC 5322 §3.2.3 atext
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
    case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool is_dot_string(std::string_view s, bool allow_utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  bool prev_dot = false;
  for (unsigned char c : s) {
    if (c == '.') {
      if (prev_dot) return false;
      prev_dot = true;
      continue;
    }
    prev_dot = false;
    if (c >= 0x80) {
      if (!allow_utf8) return false;
      continue;  // validated as a whole below
    }
    if (!is_atext(c)) return false;
  }
  return !allow_utf8 || is_valid_utf8(s);
}

// Parses a Quoted-string starting at s[0] == '"'; returns the decoded content
// and the number of octets consumed, or npos on a syntax error.
size_t parse_quoted(std::string_view s, bool allow_utf8, std::string& content) {
  size_t i = 1;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= s.size()) return std::string_view::npos;
      unsigned char q = s[i + 1];
      if (q < 32 || q > 126) return std::string_view::npos;  // quoted-pairSMTP
      content += static_cast<char>(q);
      i += 2;
      continue;
    }
    bool qtext = (c == 32 || c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 126));
    if (!qtext && !(allow_utf8 && c >= 0x80)) return std::string_view::npos;
    content += static_cast<char>(c);
    ++i;
  }
  return std::string_view::npos;
}

bool valid_label(std::string_view label, bool allow_utf8) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (unsigned char c : label) {
    bool ldh = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ldh && !(allow_utf8 && c >= 0x80)) return false;
  }
  return true;
}

bool valid_address_literal(std::string_view lit) {
  // RFC 5321 §4.1.3: [IPv4] or [IPv6:...]; general literals are not accepted.
  if (lit.size() < 3 || lit.front() != '[' || lit.back() != ']') return false;
  std::string inner(lit.substr(1, lit.size() - 2));
  // inet_pton reads a C string: an embedded NUL would hide trailing junk
  // ("[192.0.2.1\0junk]" parsed as 192.0.2.1), so only the literal's own
  // characters are allowed through.
  for (unsigned char c : inner) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
              c == ':' || c == 'I' || c == 'P' || c == 'v';
    if (!ok) return false;
  }
  unsigned char buf[16];
  if (istarts_with(inner, "IPv6:")) return inet_pton(AF_INET6, inner.c_str() + 5, buf) == 1;
  return inet_pton(AF_INET, inner.c_str(), buf) == 1;
}

}  // namespace

bool EmailAddress::needs_smtputf8() const { return !is_ascii(local) || !is_ascii(domain); }

Result<std::string> parse_domain(std::string_view text, bool allow_utf8) {
  if (text.empty()) return syntax_error("empty domain");
  if (text.size() > kMaxDomainOctets) return syntax_error("domain longer than 255 octets");
  if (!is_ascii(text) && (!allow_utf8 || !is_valid_utf8(text)))
    return syntax_error("domain is not valid " + std::string(allow_utf8 ? "UTF-8" : "ASCII"));
  std::string_view d = text;
  if (d.back() == '.') return syntax_error("domain must not end with a dot");
  for (auto label : split(d, '.')) {
    if (!valid_label(label, allow_utf8))
      return syntax_error("invalid domain label '" + std::string(label) +
                          "' (letters, digits and inner hyphens, 1-63 octets)");
  }
  return to_lower_ascii(d);
}

Result<EmailAddress> parse_email_address(std::string_view text, AddressOptions options) {
  if (text.empty()) return syntax_error("empty address");
  if (text.size() > kMaxPathOctets) return syntax_error("address longer than 256 octets");
  EmailAddress out;
  size_t at;
  if (text.front() == '"') {
    std::string content;
    size_t used = parse_quoted(text, options.allow_utf8, content);
    if (used == std::string_view::npos) return syntax_error("malformed quoted local part");
    if (used >= text.size() || text[used] != '@') return syntax_error("missing @ after quoted local part");
    if (options.allow_utf8 && !is_valid_utf8(content)) return syntax_error("local part is not valid UTF-8");
    at = used;
    if (is_dot_string(content, options.allow_utf8)) {
      out.local = content;
    } else {
      std::string q = "\"";
      for (char c : content) {
        if (c == '"' || c == '\\') q += '\\';
        q += c;
      }
      q += '"';
      out.local = q;
    }
    if (content.empty()) return syntax_error("empty local part");
  } else {
    at = text.rfind('@');
    if (at == std::string_view::npos) return syntax_error("missing @ in address");
    std::string_view local = text.substr(0, at);
    if (local.empty()) return syntax_error("empty local part");
    if (!is_dot_string(local, options.allow_utf8))
      return syntax_error("invalid local part '" + std::string(local) + "'" +
                          (!options.allow_utf8 && !is_ascii(local) ? " (non-ASCII needs SMTPUTF8)" : ""));
    out.local = std::string(local);
  }
  if (out.local.size() > kMaxLocalPartOctets) return syntax_error("local part longer than 64 octets");
  std::string_view domain = text.substr(at + 1);
  if (domain.empty()) return syntax_error("empty domain");
  if (domain.front() == '[') {
    if (!options.allow_address_literal || !valid_address_literal(domain))
      return syntax_error("invalid address literal '" + std::string(domain) + "'");
    out.domain = std::string(domain);
    return out;
  }
  auto d = parse_domain(domain, options.allow_utf8);
  if (!d) return d.error();
  out.domain = std::move(*d);
  return out;
}

}  // namespace postern
