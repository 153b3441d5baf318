// RFC 6376 §3.6.1 key records: parsing and formatting.
#include "mailauth/key_record.hpp"

#include "core/strings.hpp"
#include "mailauth/base64.hpp"
#include "mailauth/tag_list.hpp"

namespace postern::mailauth {
namespace {

std::vector<std::string> colon_list(std::string_view value) {
  std::vector<std::string> out;
  const std::string stripped = strip_whitespace(value);  // outlives the views split() returns
  for (auto item : split(stripped, ':'))
    if (!item.empty()) out.push_back(to_lower_ascii(item));
  return out;
}

}  // namespace

Result<KeyRecord> parse_key_record(std::string_view txt) {
  auto tags = parse_tag_list(txt);
  if (!tags) return syntax_error("key record: " + tags.error().message);
  KeyRecord rec;
  if (const Tag* v = find_tag(*tags, "v")) {
    if (&tags->front() != v) return syntax_error("key record: v= is not the first tag");
    if (v->value != "DKIM1") return syntax_error("key record: unsupported version v=" + v->value);
  }
  if (const Tag* k = find_tag(*tags, "k")) rec.key_type = to_lower_ascii(k->value);
  if (rec.key_type == "rsa") rec.type = KeyType::rsa;
  if (rec.key_type == "ed25519") rec.type = KeyType::ed25519;
  if (const Tag* h = find_tag(*tags, "h")) rec.hashes = colon_list(h->value);
  rec.services = {"*"};
  if (const Tag* s = find_tag(*tags, "s")) rec.services = colon_list(s->value);
  if (const Tag* t = find_tag(*tags, "t")) {
    for (const auto& flag : colon_list(t->value)) {
      rec.testing = rec.testing || flag == "y";
      rec.strict = rec.strict || flag == "s";
    }
  }
  const Tag* p = find_tag(*tags, "p");
  if (!p) return syntax_error("key record: no p= tag");
  auto key = base64_decode(p->value);
  if (!key) return syntax_error("key record: p= is not valid base64");
  rec.public_key = std::move(*key);
  return rec;
}

std::string key_record_name(std::string_view selector, std::string_view domain) {
  return std::string(selector) + "._domainkey." + std::string(domain);
}

std::string format_key_record(const PrivateKey& key) {
  return "v=DKIM1; k=" + std::string(key_type_name(key.type())) + "; p=" + base64_encode(key.public_key_data());
}

std::vector<std::string> split_txt_strings(std::string_view text, size_t max) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos < text.size(); pos += max) out.emplace_back(text.substr(pos, max));
  if (out.empty()) out.emplace_back();
  return out;
}

namespace {
// A zone-file <character-string> (RFC 1035 §5.1): quoted, with '"' and '\\' escaped.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string zone_txt_line(std::string_view name, std::string_view text) {
  auto strings = split_txt_strings(text);
  std::string out = std::string(name) + ". IN TXT ";
  if (strings.size() == 1) return out + quoted(strings[0]);
  out += "(";
  for (const auto& s : strings) out += "\n    " + quoted(s);
  return out + " )";
}

}  // namespace postern::mailauth
