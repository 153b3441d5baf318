// RFC 6376 §3.5 DKIM-Signature tag semantics on top of the tag-list parser.
#include "mailauth/dkim_signature.hpp"

#include <charconv>
#include <type_traits>

#include "core/strings.hpp"
#include "mailauth/base64.hpp"
#include "mailauth/tag_list.hpp"

namespace postern::mailauth {
namespace {

// Digits only, at most 18 of them (RFC 6376 §3.5 allows up to 12 for t=/x=,
// 76 for l=; anything longer is nonsense we refuse rather than overflow).
std::optional<uint64_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<Canon> parse_canon(std::string_view s) {
  if (s == "simple") return Canon::simple;
  if (s == "relaxed") return Canon::relaxed;
  return std::nullopt;
}

// True when `identity`'s domain is `domain` or one of its subdomains.
bool identity_within(std::string_view identity, std::string_view domain) {
  size_t at = identity.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string id_domain = to_lower_ascii(identity.substr(at + 1));
  if (id_domain == domain) return true;
  return id_domain.size() > domain.size() && id_domain.ends_with(domain) &&
         id_domain[id_domain.size() - domain.size() - 1] == '.';
}

}  // namespace

Result<DkimSignature> parse_dkim_signature(std::string_view value) {
  auto tags = parse_tag_list(value);
  if (!tags) return tags.error();
  auto get = [&](std::string_view name) { return find_tag(*tags, name); };
  for (std::string_view required : {"v", "a", "b", "bh", "d", "h", "s"})
    if (!get(required)) return syntax_error("missing required tag " + std::string(required) + "=");

  DkimSignature sig;
  if (get("v")->value != "1") return syntax_error("unsupported version v=" + get("v")->value);

  sig.algorithm = to_lower_ascii(get("a")->value);
  if (sig.algorithm == "rsa-sha256") sig.key_type = KeyType::rsa;
  if (sig.algorithm == "ed25519-sha256") sig.key_type = KeyType::ed25519;

  auto b = base64_decode(get("b")->value);
  if (!b || b->empty()) return syntax_error("b= is not valid base64");
  sig.signature = std::move(*b);
  auto bh = base64_decode(get("bh")->value);
  if (!bh || bh->empty()) return syntax_error("bh= is not valid base64");
  sig.body_hash = std::move(*bh);

  if (const Tag* c = get("c")) {
    std::string_view cv = c->value;
    size_t slash = cv.find('/');
    auto header = parse_canon(cv.substr(0, slash));
    auto body = slash == std::string_view::npos ? std::optional(Canon::simple) : parse_canon(cv.substr(slash + 1));
    if (!header || !body) return syntax_error("unknown canonicalization c=" + c->value);
    sig.header_canon = *header;
    sig.body_canon = *body;
  }

  sig.domain = to_lower_ascii(get("d")->value);
  while (!sig.domain.empty() && sig.domain.back() == '.') sig.domain.pop_back();
  if (sig.domain.empty()) return syntax_error("empty d=");
  sig.selector = to_lower_ascii(get("s")->value);
  if (sig.selector.empty()) return syntax_error("empty s=");

  bool has_from = false;
  // The stripped strings must outlive the views split() returns.
  const std::string h_list = strip_whitespace(get("h")->value);
  for (auto name : split(h_list, ':')) {
    if (name.empty()) return syntax_error("empty header name in h=");
    has_from = has_from || iequals(name, "from");
    sig.signed_headers.emplace_back(name);
  }
  if (!has_from) return syntax_error("From is not signed (h= lacks from)");  // RFC 6376 §5.4

  if (const Tag* i = get("i")) {
    if (!identity_within(i->value, sig.domain)) return syntax_error("i= is not within d=" + sig.domain);
    sig.identity = i->value;
  } else {
    sig.identity = "@" + sig.domain;
  }

  if (const Tag* q = get("q")) {
    bool dns = false;
    const std::string methods = strip_whitespace(q->value);
    for (auto method : split(methods, ':')) dns = dns || iequals(method, "dns/txt");
    if (!dns) return syntax_error("unsupported query method q=" + q->value);
  }

  auto number = [&](std::string_view name, auto& out) -> Status {
    if (const Tag* t = get(name)) {
      auto n = parse_number(t->value);
      if (!n) return syntax_error("invalid number " + std::string(name) + "=" + t->value);
      out = static_cast<std::remove_reference_t<decltype(*out)>>(*n);
    }
    return Ok{};
  };
  if (auto s = number("l", sig.body_length); !s) return s.error();
  if (auto s = number("t", sig.timestamp); !s) return s.error();
  if (auto s = number("x", sig.expiration); !s) return s.error();
  if (sig.timestamp && sig.expiration && *sig.expiration <= *sig.timestamp)
    return syntax_error("x= is not later than t=");
  return sig;
}

}  // namespace postern::mailauth
